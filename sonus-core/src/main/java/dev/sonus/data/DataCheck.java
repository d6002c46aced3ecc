package dev.sonus.data;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.AudioInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks that manifests describe sound data before a run spends hours on it: audio that is missing
 * or unreadable, empty and duplicate IDs (within and across manifests), declared durations that are
 * not a finite, non-negative number or differ from the file's, a sample rate other than the
 * recipe's, empty transcripts, audio paths that leave the data root, and speakers of a held-out
 * split that appear in another split (leakage).
 *
 * <p>By default audio headers are read without decoding, on several threads. A deep check ({@link
 * Options#withDeep}) decodes every file through {@link AudioIO#read} (which verifies FLAC frame
 * CRCs and the stream's MD5) and also reports decoding errors, NaN or infinite samples, clipping,
 * silent files and the decoded length against the declared duration.
 */
public final class DataCheck {
  private DataCheck() {}

  /** Kinds of problem. */
  public enum Kind {
    /** No audio column, or the file does not exist. */
    MISSING_AUDIO,
    /** The header cannot be read, or the recording is empty. */
    UNREADABLE_AUDIO,
    /** An ID used by an earlier row (of any manifest). */
    DUPLICATE_ID,
    /** The declared duration differs from the file's by more than the tolerance. */
    DURATION_MISMATCH,
    /** The file's rate is not the expected one. */
    SAMPLE_RATE_MISMATCH,
    /** The transcript column is empty. */
    EMPTY_TRANSCRIPT,
    /** A speaker of a held-out split appears in another split. */
    SPEAKER_OVERLAP,
    /** The ID is empty or only blanks. */
    EMPTY_ID,
    /** The declared duration is not a number, NaN, infinite or negative. */
    INVALID_DURATION,
    /**
     * The audio path resolves outside the data root ({@code ..} escaping it, or an absolute path
     * elsewhere): a warning, or an error with {@link Options#withContain}.
     */
    OUTSIDE_DATA_ROOT,
    /** Deep check: the file does not decode (corrupt frame, checksum mismatch, truncation). */
    DECODE_ERROR,
    /** Deep check: the file holds NaN or infinite samples. */
    NON_FINITE_SAMPLES,
    /** Deep check: more than the allowed fraction of samples sits at full scale. */
    CLIPPING,
    /** Deep check: the peak is below the silence threshold. */
    SILENT_AUDIO
  }

  /**
   * One problem.
   *
   * @param manifest the manifest file
   * @param line 1-based line of the row
   * @param id the row's ID
   * @param kind what is wrong
   * @param message the value, where it came from and what to do
   */
  public record Problem(Path manifest, int line, String id, Kind kind, String message) {
    @Override
    public String toString() {
      return String.format(
          "%s:%d: %s [%s] %s", manifest, line, id, kind.name().toLowerCase(Locale.ROOT), message);
    }
  }

  /** Receives the progress of the audio pass, on the calling thread. */
  @FunctionalInterface
  public interface Listener {
    /**
     * Called after each row's audio is checked.
     *
     * @param done rows checked so far
     * @param total rows to check
     * @param elapsedSeconds time since the audio pass started
     */
    void update(int done, int total, double elapsedSeconds);
  }

  /**
   * What to check.
   *
   * @param audioKey column holding the audio path ({@code wav} in SpeechBrain recipes)
   * @param durationKey column holding the duration in seconds, checked when present
   * @param textKey transcript column, checked for emptiness when present
   * @param speakerKey speaker column, checked for overlap between manifests when present
   * @param sampleRate expected rate in Hz, or 0 to accept any
   * @param durationTolerance allowed |declared - actual| in seconds
   * @param threads threads reading (or decoding) audio
   * @param heldOut decides which manifests are held-out splits; a speaker of a held-out split must
   *     appear in no other manifest. Training and validation splits may share speakers (a
   *     validation set of other takes is common); use {@link #ALL_HELD_OUT} to require every split
   *     to be speaker-disjoint.
   * @param dataRoot the folder the audio must lie in (the value given for {@code $data_root}), or
   *     null not to check
   * @param contain whether audio outside {@code dataRoot} is an error (the file is then not opened)
   *     rather than a warning
   * @param deep whether to decode every file completely
   * @param clipFraction deep check: the largest fraction of samples at full scale, in [0, 1]
   * @param silencePeak deep check: a file whose peak |sample| is below this is silent, in [0, 1]
   */
  public record Options(
      String audioKey,
      String durationKey,
      String textKey,
      String speakerKey,
      int sampleRate,
      double durationTolerance,
      int threads,
      Predicate<Path> heldOut,
      Path dataRoot,
      boolean contain,
      boolean deep,
      double clipFraction,
      double silencePeak) {

    /** Default largest fraction of samples at full scale: 0.1 %. */
    public static final double DEFAULT_CLIP_FRACTION = 0.001;

    /** Default silence threshold on the peak: 0.001, i.e. -60 dBFS. */
    public static final double DEFAULT_SILENCE_PEAK = 0.001;

    private static final Pattern NOT_ALPHANUMERIC = Pattern.compile("[^\\p{L}\\p{N}]+");
    private static final Pattern LETTER_DIGIT = Pattern.compile("(?<=\\p{L})(?=\\p{N})");

    /**
     * Manifests named like test or evaluation splits: a {@code test} or {@code eval} token anywhere
     * in the file name, tokens being split at anything but letters and digits and where letters
     * meet digits ({@code test.csv}, {@code bad_test.csv}, {@code test-clean.csv}, {@code
     * eval2000.json}; not {@code contest.csv}).
     */
    public static final Predicate<Path> TEST_BY_NAME = Options::isHeldOutName;

    /** Every manifest is a held-out split: all must be speaker-disjoint. */
    public static final Predicate<Path> ALL_HELD_OUT = p -> true;

    /** Checks the values. */
    public Options {
      if (!(durationTolerance >= 0) || Double.isInfinite(durationTolerance)) {
        throw new IllegalArgumentException(
            "durationTolerance is " + durationTolerance + "; it must be a finite number >= 0 s");
      }
      if (sampleRate < 0) {
        throw new IllegalArgumentException(
            "sampleRate is " + sampleRate + "; give a rate in Hz, or 0 to accept any");
      }
      if (!(clipFraction >= 0 && clipFraction <= 1)) {
        throw new IllegalArgumentException(
            "clipFraction is " + clipFraction + "; it must be a fraction in [0, 1]");
      }
      if (!(silencePeak >= 0 && silencePeak <= 1)) {
        throw new IllegalArgumentException(
            "silencePeak is " + silencePeak + "; it must be an amplitude in [0, 1]");
      }
    }

    /** The options of a header-only check with no data root. */
    public Options(
        String audioKey,
        String durationKey,
        String textKey,
        String speakerKey,
        int sampleRate,
        double durationTolerance,
        int threads,
        Predicate<Path> heldOut) {
      this(
          audioKey,
          durationKey,
          textKey,
          speakerKey,
          sampleRate,
          durationTolerance,
          threads,
          heldOut,
          null,
          false,
          false,
          DEFAULT_CLIP_FRACTION,
          DEFAULT_SILENCE_PEAK);
    }

    /**
     * SpeechBrain's usual column names, any rate, 0.1 s tolerance, 4 threads, test splits by name,
     * headers only, no data root.
     */
    public static Options defaults() {
      return new Options("wav", "duration", "wrd", "spk_id", 0, 0.1, 4, TEST_BY_NAME);
    }

    /** Whether a file name has a {@code test} or {@code eval} token (see {@link #TEST_BY_NAME}). */
    public static boolean isHeldOutName(Path file) {
      Path name = file.getFileName();
      if (name == null) {
        return false;
      }
      for (String part : NOT_ALPHANUMERIC.split(name.toString())) {
        for (String token : LETTER_DIGIT.split(part)) {
          String t = token.toLowerCase(Locale.ROOT);
          if (t.equals("test") || t.equals("eval")) {
            return true;
          }
        }
      }
      return false;
    }

    /** Held out: named like a test split ({@link #TEST_BY_NAME}) or one of these files. */
    public static Predicate<Path> heldOutByNameOr(Collection<Path> files) {
      Set<Path> named =
          files.stream().map(p -> p.toAbsolutePath().normalize()).collect(Collectors.toSet());
      return p -> isHeldOutName(p) || named.contains(p.toAbsolutePath().normalize());
    }

    /** Returns a copy checking the audio files of another column. */
    public Options withAudioKey(String key) {
      return new Options(
          key,
          durationKey,
          textKey,
          speakerKey,
          sampleRate,
          durationTolerance,
          threads,
          heldOut,
          dataRoot,
          contain,
          deep,
          clipFraction,
          silencePeak);
    }

    /** Returns a copy expecting this sample rate. */
    public Options withSampleRate(int hz) {
      return new Options(
          audioKey,
          durationKey,
          textKey,
          speakerKey,
          hz,
          durationTolerance,
          threads,
          heldOut,
          dataRoot,
          contain,
          deep,
          clipFraction,
          silencePeak);
    }

    /** Returns a copy with another rule for held-out splits. */
    public Options withHeldOut(Predicate<Path> rule) {
      return new Options(
          audioKey,
          durationKey,
          textKey,
          speakerKey,
          sampleRate,
          durationTolerance,
          threads,
          rule,
          dataRoot,
          contain,
          deep,
          clipFraction,
          silencePeak);
    }

    /** Returns a copy using this many threads for the audio. */
    public Options withThreads(int count) {
      return new Options(
          audioKey,
          durationKey,
          textKey,
          speakerKey,
          sampleRate,
          durationTolerance,
          count,
          heldOut,
          dataRoot,
          contain,
          deep,
          clipFraction,
          silencePeak);
    }

    /** Returns a copy that reports audio outside {@code root} (null: no containment check). */
    public Options withDataRoot(Path root) {
      return new Options(
          audioKey,
          durationKey,
          textKey,
          speakerKey,
          sampleRate,
          durationTolerance,
          threads,
          heldOut,
          root,
          contain,
          deep,
          clipFraction,
          silencePeak);
    }

    /**
     * Returns a copy in which audio outside the data root is an error and is not opened (true) or a
     * warning (false).
     */
    public Options withContain(boolean refuse) {
      return new Options(
          audioKey,
          durationKey,
          textKey,
          speakerKey,
          sampleRate,
          durationTolerance,
          threads,
          heldOut,
          dataRoot,
          refuse,
          deep,
          clipFraction,
          silencePeak);
    }

    /** Returns a copy that decodes every file (true) or reads headers only (false). */
    public Options withDeep(boolean decode) {
      return new Options(
          audioKey,
          durationKey,
          textKey,
          speakerKey,
          sampleRate,
          durationTolerance,
          threads,
          heldOut,
          dataRoot,
          contain,
          decode,
          clipFraction,
          silencePeak);
    }

    /**
     * Returns a copy with the deep check's thresholds.
     *
     * @param maxClipFraction largest fraction of samples at full scale, in [0, 1]
     * @param minPeak a peak |sample| below this is a silent file, in [0, 1]
     */
    public Options withLevels(double maxClipFraction, double minPeak) {
      return new Options(
          audioKey,
          durationKey,
          textKey,
          speakerKey,
          sampleRate,
          durationTolerance,
          threads,
          heldOut,
          dataRoot,
          contain,
          deep,
          maxClipFraction,
          minPeak);
    }
  }

  /**
   * The outcome of a check.
   *
   * @param problems every problem found, by manifest and line
   * @param warnings what is reported but does not make the data unusable (audio outside the data
   *     root when containment is not asked for)
   * @param rows rows checked
   * @param audioSeconds total duration of the readable audio
   */
  public record Report(
      List<Problem> problems, List<Problem> warnings, int rows, double audioSeconds) {
    /** Copies the lists. */
    public Report {
      problems = List.copyOf(problems);
      warnings = List.copyOf(warnings);
    }

    /** A report without warnings. */
    public Report(List<Problem> problems, int rows, double audioSeconds) {
      this(problems, List.of(), rows, audioSeconds);
    }

    /** Whether nothing is wrong (warnings allowed). */
    public boolean ok() {
      return problems.isEmpty();
    }

    /** A readable report: a summary line, then one line per problem, then one per warning. */
    public String format() {
      StringBuilder sb = new StringBuilder();
      sb.append(
          String.format(
              Locale.ROOT,
              "%d rows, %.1f s of audio: %s%s%n",
              rows,
              audioSeconds,
              ok() ? "no problems" : problems.size() + " problem(s) " + counts(problems),
              warnings.isEmpty()
                  ? ""
                  : ", " + warnings.size() + " warning(s) " + counts(warnings)));
      for (Problem p : problems) {
        sb.append(p).append(System.lineSeparator());
      }
      for (Problem p : warnings) {
        sb.append("warning: ").append(p).append(System.lineSeparator());
      }
      return sb.toString();
    }

    private static Map<String, Integer> counts(List<Problem> list) {
      Map<String, Integer> counts = new TreeMap<>();
      for (Problem p : list) {
        counts.merge(p.kind().name().toLowerCase(Locale.ROOT), 1, Integer::sum);
      }
      return counts;
    }
  }

  /**
   * The pre-training step: checks the manifests and throws if anything is wrong, so that a run
   * stops before epoch 1 instead of failing (or silently learning from bad data) hours later.
   * Warnings do not stop it; they are in the returned report.
   *
   * @return the report when it has no problems (for logging the row count and hours of audio)
   * @throws IllegalStateException whose message is the full report, with the fix for each problem
   */
  public static Report requireClean(List<Manifest> manifests, Options options) {
    Report report = check(manifests, options);
    if (!report.ok()) {
      throw new IllegalStateException(
          "the data check found problems; fix them or disable the check (check_data: "
              + "false) to train anyway:"
              + System.lineSeparator()
              + report.format());
    }
    return report;
  }

  /** Checks manifests (e.g. train, valid, test) together. */
  public static Report check(List<Manifest> manifests, Options options) {
    return check(manifests, options, (done, total, elapsed) -> {});
  }

  /**
   * Checks manifests (e.g. train, valid, test) together, telling {@code progress} how far the audio
   * pass is (the slow part, above all with {@link Options#deep()}).
   */
  public static Report check(List<Manifest> manifests, Options options, Listener progress) {
    List<Problem> problems = new ArrayList<>();
    Map<String, Manifest.Row> firstById = new HashMap<>();
    Map<String, Manifest> manifestOfId = new HashMap<>();
    Map<String, Map<Manifest, Manifest.Row>> speakers = new LinkedHashMap<>();
    List<Manifest.Row> audioRows = new ArrayList<>();
    List<Manifest> audioManifests = new ArrayList<>();
    int rows = 0;
    for (Manifest m : manifests) {
      for (Manifest.Row r : m.rows()) {
        rows++;
        checkRow(m, r, options, problems);
        if (r.id() != null && !r.id().isBlank()) {
          Manifest.Row first = firstById.putIfAbsent(r.id(), r);
          if (first != null) {
            problems.add(
                new Problem(
                    m.source(),
                    r.line(),
                    r.id(),
                    Kind.DUPLICATE_ID,
                    String.format(
                        "ID '%s' already used at %s:%d; IDs must be unique across all splits",
                        r.id(), manifestOfId.get(r.id()).source(), first.line())));
          } else {
            manifestOfId.put(r.id(), m);
          }
        }
        Object spk = r.fields().get(options.speakerKey());
        if (spk != null && !String.valueOf(spk).isBlank()) {
          speakers
              .computeIfAbsent(String.valueOf(spk), k -> new LinkedHashMap<>())
              .putIfAbsent(m, r);
        }
        audioRows.add(r);
        audioManifests.add(m);
      }
    }
    double[] seconds = new double[audioRows.size()];
    List<Problem> warnings = new ArrayList<>();
    for (Problem p : checkAudio(audioRows, audioManifests, options, seconds, progress)) {
      (p.kind() == Kind.OUTSIDE_DATA_ROOT && !options.contain() ? warnings : problems).add(p);
    }
    double total = 0;
    for (double s : seconds) {
      total += s;
    }
    for (Map.Entry<String, Map<Manifest, Manifest.Row>> e : speakers.entrySet()) {
      Map<Manifest, Manifest.Row> splits = e.getValue();
      boolean leaks =
          splits.size() > 1
              && splits.keySet().stream().anyMatch(m -> options.heldOut().test(m.source()));
      if (leaks) {
        List<String> where = new ArrayList<>();
        for (Map.Entry<Manifest, Manifest.Row> w : splits.entrySet()) {
          where.add(w.getKey().source() + ":" + w.getValue().line());
        }
        Map.Entry<Manifest, Manifest.Row> first =
            splits.entrySet().stream()
                .filter(w -> options.heldOut().test(w.getKey().source()))
                .findFirst()
                .orElseThrow();
        problems.add(
            new Problem(
                first.getKey().source(),
                first.getValue().line(),
                first.getValue().id(),
                Kind.SPEAKER_OVERLAP,
                String.format(
                    "speaker '%s' of a held-out split also appears in %s: results on "
                        + "it would be optimistic; assign each speaker to one side",
                    e.getKey(), String.join(", ", where))));
      }
    }
    Comparator<Problem> order =
        Comparator.comparing((Problem p) -> p.manifest().toString())
            .thenComparingInt(Problem::line)
            .thenComparing(p -> p.kind());
    problems.sort(order);
    warnings.sort(order);
    return new Report(problems, warnings, rows, total);
  }

  /** What a row says by itself: its ID, transcript and declared duration. */
  private static void checkRow(Manifest m, Manifest.Row r, Options options, List<Problem> out) {
    if (r.id() == null || r.id().isBlank()) {
      out.add(
          new Problem(
              m.source(),
              r.line(),
              r.id() == null ? "" : r.id(),
              Kind.EMPTY_ID,
              "the ID is "
                  + (r.id() == null || r.id().isEmpty() ? "empty" : "blank ('" + r.id() + "')")
                  + "; every row needs a unique, non-empty ID"));
    }
    Object text = r.fields().get(options.textKey());
    if (r.fields().containsKey(options.textKey())
        && (text == null || String.valueOf(text).isBlank())) {
      out.add(
          new Problem(
              m.source(),
              r.line(),
              r.id(),
              Kind.EMPTY_TRANSCRIPT,
              "transcript column '"
                  + options.textKey()
                  + "' is empty; fix the transcript or drop the row"));
    }
    Object declared = r.fields().get(options.durationKey());
    if (declared != null && !String.valueOf(declared).isBlank()) {
      String invalid = invalidDuration(declared);
      if (invalid != null) {
        out.add(
            new Problem(
                m.source(),
                r.line(),
                r.id(),
                Kind.INVALID_DURATION,
                "duration '"
                    + declared
                    + "' "
                    + invalid
                    + "; write the length in seconds (regenerate the manifest)"));
      }
    }
  }

  /** Why a declared duration is unusable, or null when it is a finite number of seconds >= 0. */
  private static String invalidDuration(Object declared) {
    double d;
    try {
      d = declaredSeconds(declared);
    } catch (NumberFormatException e) {
      return "is not a number of seconds";
    }
    if (Double.isNaN(d)) {
      return "is NaN";
    }
    if (Double.isInfinite(d)) {
      return "is infinite";
    }
    return d < 0 ? "is negative" : null;
  }

  private static double declaredSeconds(Object declared) {
    return declared instanceof Number n
        ? n.doubleValue()
        : Double.parseDouble(String.valueOf(declared).trim());
  }

  private static List<Problem> checkAudio(
      List<Manifest.Row> rows,
      List<Manifest> manifests,
      Options options,
      double[] seconds,
      Listener progress) {
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.max(1, options.threads()),
            r -> {
              Thread t = new Thread(r, "sonus-data-check");
              t.setDaemon(true);
              return t;
            });
    long start = System.nanoTime();
    try {
      CompletionService<Integer> done = new ExecutorCompletionService<>(pool);
      List<List<Problem>> found = new ArrayList<>(rows.size());
      for (int i = 0; i < rows.size(); i++) {
        found.add(List.of());
      }
      for (int i = 0; i < rows.size(); i++) {
        int index = i;
        done.submit(
            () -> {
              found.set(
                  index, checkOne(rows.get(index), manifests.get(index), options, seconds, index));
              return index;
            });
      }
      for (int i = 0; i < rows.size(); i++) {
        done.take().get();
        progress.update(i + 1, rows.size(), (System.nanoTime() - start) / 1e9);
      }
      List<Problem> out = new ArrayList<>();
      for (List<Problem> f : found) {
        out.addAll(f);
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking audio files", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("checking audio failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<Problem> checkOne(
      Manifest.Row r, Manifest m, Options o, double[] seconds, int index) {
    List<Problem> out = new ArrayList<>();
    Object audio = r.fields().get(o.audioKey());
    if (audio == null) {
      out.add(
          new Problem(
              m.source(),
              r.line(),
              r.id(),
              Kind.MISSING_AUDIO,
              "no '" + o.audioKey() + "' column; name the audio column with --audio-key"));
      return out;
    }
    Path path;
    try {
      path = AudioPipelines.audioPath(audio);
    } catch (InvalidPathException e) {
      out.add(
          new Problem(
              m.source(),
              r.line(),
              r.id(),
              Kind.MISSING_AUDIO,
              "audio path '" + audio + "' is not a valid path: " + e.getReason()));
      return out;
    }
    if (o.dataRoot() != null && !inside(path, o.dataRoot())) {
      out.add(
          new Problem(
              m.source(),
              r.line(),
              r.id(),
              Kind.OUTSIDE_DATA_ROOT,
              String.format(
                  "audio file %s resolves to %s, outside the data root %s%s",
                  path,
                  path.toAbsolutePath().normalize(),
                  o.dataRoot().toAbsolutePath().normalize(),
                  o.contain()
                      ? "; refused (containment is on): write the path as $data_root/<file>"
                      : "; write it as $data_root/<file> to keep the data in one place")));
      if (o.contain()) {
        return out;
      }
    }
    if (!Files.exists(path)) {
      out.add(
          new Problem(
              m.source(),
              r.line(),
              r.id(),
              Kind.MISSING_AUDIO,
              "audio file "
                  + path
                  + " does not exist (check the data folder given for the manifest's $data_root / {data_root})"));
      return out;
    }
    AudioInfo info;
    try {
      info = AudioIO.info(path);
      if (info.numFrames() == 0) {
        out.add(
            new Problem(
                m.source(),
                r.line(),
                r.id(),
                Kind.UNREADABLE_AUDIO,
                path + ": the recording is empty"));
        return out;
      }
    } catch (UncheckedIOException e) {
      out.add(new Problem(m.source(), r.line(), r.id(), Kind.UNREADABLE_AUDIO, e.getMessage()));
      return out;
    }
    double actual = info.durationSeconds();
    String measured = "lasts";
    if (o.deep()) {
      Decoded d = decode(path);
      if (d.problem() != null) {
        out.add(new Problem(m.source(), r.line(), r.id(), d.problem(), d.message()));
        return out;
      }
      Audio decoded = d.audio();
      actual = decoded.durationSeconds();
      measured = "decodes to";
      // Exact for WAV and FLAC; lossy codecs may keep up to a frame of encoder padding.
      if (Math.abs(decoded.numFrames() - info.numFrames()) > info.decodedLengthTolerance()) {
        out.add(
            new Problem(
                m.source(),
                r.line(),
                r.id(),
                Kind.DURATION_MISMATCH,
                String.format(
                    Locale.ROOT,
                    "the header of %s says %d frames (%.3f s) but it decodes to %d (%.3f s); "
                        + "the file is damaged: re-encode or replace it",
                    path,
                    info.numFrames(),
                    info.durationSeconds(),
                    decoded.numFrames(),
                    actual)));
      }
      out.addAll(levels(m, r, o, path, info, decoded));
    }
    seconds[index] = actual;
    if (o.sampleRate() > 0 && info.sampleRate() != o.sampleRate()) {
      out.add(
          new Problem(
              m.source(),
              r.line(),
              r.id(),
              Kind.SAMPLE_RATE_MISMATCH,
              String.format(
                  "%s is %d Hz but the recipe expects %d Hz; resample the data or set sample_rate",
                  path, info.sampleRate(), o.sampleRate())));
    }
    Object declared = r.fields().get(o.durationKey());
    if (declared != null
        && !String.valueOf(declared).isBlank()
        && invalidDuration(declared) == null) {
      double d = declaredSeconds(declared);
      if (Math.abs(d - actual) > o.durationTolerance()) {
        out.add(
            new Problem(
                m.source(),
                r.line(),
                r.id(),
                Kind.DURATION_MISMATCH,
                String.format(
                    Locale.ROOT,
                    "declared duration %.3f s but %s %s %.3f s (tolerance %.3f s); regenerate the manifest",
                    d,
                    path,
                    measured,
                    actual,
                    o.durationTolerance())));
      }
    }
    return out;
  }

  /**
   * Whether {@code path} lies in {@code root}: by the normalised absolute paths (so {@code ..}
   * cannot climb out), else by the real paths when both exist (a root reached through a link).
   * Links inside the root are the data's own layout and are followed.
   */
  static boolean inside(Path path, Path root) {
    Path p = path.toAbsolutePath().normalize();
    Path r = root.toAbsolutePath().normalize();
    if (p.startsWith(r)) {
      return true;
    }
    try {
      return Files.exists(path)
          && Files.exists(root)
          && path.toRealPath().startsWith(root.toRealPath());
    } catch (IOException e) {
      return false;
    }
  }

  /** A decoded file, or the problem that stopped it from decoding. */
  private record Decoded(Audio audio, Kind problem, String message) {}

  private static Decoded decode(Path path) {
    try {
      return new Decoded(AudioIO.read(path), null, null);
    } catch (RuntimeException e) {
      String message = e.getMessage() == null ? e.toString() : e.getMessage();
      if (!message.startsWith(path.toString())) {
        message = path + ": " + message; // every problem line names the file first
      }
      Kind kind = decodeFailureKind(e);
      return new Decoded(
          null,
          kind,
          kind == Kind.NON_FINITE_SAMPLES
              ? message + "; repair or drop the file (NaN/Inf samples poison every loss)"
              : message);
    }
  }

  private static final Pattern NON_FINITE =
      Pattern.compile("\\bnan\\b|non-?finite|not (a )?finite|\\binf(inite|inity)?\\b");

  /**
   * The kind of a decoding failure: {@link Kind#NON_FINITE_SAMPLES} when the reader refused NaN or
   * infinite samples, else {@link Kind#DECODE_ERROR}.
   */
  static Kind decodeFailureKind(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getMessage();
      if (m != null && NON_FINITE.matcher(m.toLowerCase(Locale.ROOT)).find()) {
        return Kind.NON_FINITE_SAMPLES;
      }
    }
    return Kind.DECODE_ERROR;
  }

  /** Non-finite samples, clipping and silence of a decoded file. */
  private static List<Problem> levels(
      Manifest m, Manifest.Row r, Options o, Path path, AudioInfo info, Audio audio) {
    List<Problem> out = new ArrayList<>();
    boolean floating = info.encoding().toUpperCase(Locale.ROOT).startsWith("FLOAT");
    // Integer PCM decodes to x / 2^(bits-1): its positive full scale is one step below 1.
    float fullScale =
        floating || info.bitsPerSample() <= 1 || info.bitsPerSample() > 32
            ? 1f
            : (float) (1 - Math.pow(2, -(info.bitsPerSample() - 1)));
    long nonFinite = 0;
    long clipped = 0;
    long total = 0;
    float peak = 0;
    String firstBad = null;
    for (int c = 0; c < audio.numChannels(); c++) {
      float[] x = audio.samples()[c];
      for (int t = 0; t < x.length; t++) {
        float v = x[t];
        if (!Float.isFinite(v)) {
          if (firstBad == null) {
            firstBad = String.format(Locale.ROOT, "%s at frame %d of channel %d", v, t, c);
          }
          nonFinite++;
          continue;
        }
        float a = Math.abs(v);
        if (a >= fullScale) {
          clipped++;
        }
        if (a > peak) {
          peak = a;
        }
      }
      total += x.length;
    }
    if (nonFinite > 0) {
      out.add(
          new Problem(
              m.source(),
              r.line(),
              r.id(),
              Kind.NON_FINITE_SAMPLES,
              String.format(
                  Locale.ROOT,
                  "%s holds %d NaN or infinite sample(s), the first %s; repair or drop the file "
                      + "(NaN/Inf samples poison every loss)",
                  path,
                  nonFinite,
                  firstBad)));
      return out;
    }
    double fraction = total == 0 ? 0 : (double) clipped / total;
    if (fraction > o.clipFraction()) {
      out.add(
          new Problem(
              m.source(),
              r.line(),
              r.id(),
              Kind.CLIPPING,
              String.format(
                  Locale.ROOT,
                  "%s is clipped: %d of %d samples (%.3f%%) at full scale, more than %.3f%%; "
                      + "re-record or drop it, or raise the clipping threshold",
                  path,
                  clipped,
                  total,
                  100 * fraction,
                  100 * o.clipFraction())));
    }
    if (peak < o.silencePeak()) {
      out.add(
          new Problem(
              m.source(),
              r.line(),
              r.id(),
              Kind.SILENT_AUDIO,
              String.format(
                  Locale.ROOT,
                  "%s is silent: its peak |sample| is %.3g (%s), below %.3g; check the recording "
                      + "or drop it",
                  path,
                  peak,
                  peak == 0
                      ? "digital silence"
                      : String.format(Locale.ROOT, "%.1f dBFS", 20 * Math.log10(peak)),
                  o.silencePeak())));
    }
    return out;
  }
}
