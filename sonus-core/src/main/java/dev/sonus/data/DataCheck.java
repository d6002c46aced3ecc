package dev.sonus.data;

import dev.sonus.audio.AudioIO;
import dev.sonus.audio.AudioInfo;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Checks that manifests describe sound data before a run spends hours on it: audio that is missing
 * or unreadable, duplicate IDs (within and across manifests), a declared duration that differs from
 * the file's, a sample rate other than the recipe's, empty transcripts, and speakers that appear in
 * more than one split (leakage).
 *
 * <p>Audio headers are read without decoding, on several threads.
 */
public final class DataCheck {
  private DataCheck() {}

  /** Kinds of problem. */
  public enum Kind {
    MISSING_AUDIO,
    UNREADABLE_AUDIO,
    DUPLICATE_ID,
    DURATION_MISMATCH,
    SAMPLE_RATE_MISMATCH,
    EMPTY_TRANSCRIPT,
    SPEAKER_OVERLAP
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

  /**
   * What to check.
   *
   * @param audioKey column holding the audio path ({@code wav} in SpeechBrain recipes)
   * @param durationKey column holding the duration in seconds, checked when present
   * @param textKey transcript column, checked for emptiness when present
   * @param speakerKey speaker column, checked for overlap between manifests when present
   * @param sampleRate expected rate in Hz, or 0 to accept any
   * @param durationTolerance allowed |declared - actual| in seconds
   * @param threads threads reading audio headers
   * @param heldOut decides which manifests are held-out splits; a speaker of a held-out split must
   *     appear in no other manifest. Training and validation splits may share speakers (a
   *     validation set of other takes is common); use {@link #ALL_HELD_OUT} to require every split
   *     to be speaker-disjoint.
   */
  public record Options(
      String audioKey,
      String durationKey,
      String textKey,
      String speakerKey,
      int sampleRate,
      double durationTolerance,
      int threads,
      java.util.function.Predicate<Path> heldOut) {
    /**
     * Manifests named like test or evaluation splits: {@code test*}, {@code eval*} (SpeechBrain's
     * naming).
     */
    public static final java.util.function.Predicate<Path> TEST_BY_NAME =
        p -> {
          String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
          return n.startsWith("test") || n.startsWith("eval");
        };

    /** Every manifest is a held-out split: all must be speaker-disjoint. */
    public static final java.util.function.Predicate<Path> ALL_HELD_OUT = p -> true;

    /**
     * SpeechBrain's usual column names, any rate, 0.1 s tolerance, 4 threads, test splits by name.
     */
    public static Options defaults() {
      return new Options("wav", "duration", "wrd", "spk_id", 0, 0.1, 4, TEST_BY_NAME);
    }

    /** Returns a copy checking the audio files of another column. */
    public Options withAudioKey(String key) {
      return new Options(
          key, durationKey, textKey, speakerKey, sampleRate, durationTolerance, threads, heldOut);
    }

    /** Returns a copy expecting this sample rate. */
    public Options withSampleRate(int hz) {
      return new Options(
          audioKey, durationKey, textKey, speakerKey, hz, durationTolerance, threads, heldOut);
    }
  }

  /**
   * The outcome of a check.
   *
   * @param problems every problem found, by manifest and line
   * @param rows rows checked
   * @param audioSeconds total duration of the readable audio
   */
  public record Report(List<Problem> problems, int rows, double audioSeconds) {
    /** Whether nothing is wrong. */
    public boolean ok() {
      return problems.isEmpty();
    }

    /** A readable report: a summary line, then one line per problem. */
    public String format() {
      StringBuilder sb = new StringBuilder();
      Map<Kind, Integer> counts = new TreeMap<>();
      for (Problem p : problems) {
        counts.merge(p.kind(), 1, Integer::sum);
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "%d rows, %.1f s of audio: %s%n",
              rows,
              audioSeconds,
              ok() ? "no problems" : problems.size() + " problem(s) " + counts));
      for (Problem p : problems) {
        sb.append(p).append(System.lineSeparator());
      }
      return sb.toString();
    }
  }

  /**
   * The pre-training step: checks the manifests and throws if anything is wrong, so that a run
   * stops before epoch 1 instead of failing (or silently learning from bad data) hours later.
   *
   * @return the report when it is clean (for logging the row count and hours of audio)
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
        Object text = r.fields().get(options.textKey());
        if (r.fields().containsKey(options.textKey())
            && (text == null || String.valueOf(text).isBlank())) {
          problems.add(
              new Problem(
                  m.source(),
                  r.line(),
                  r.id(),
                  Kind.EMPTY_TRANSCRIPT,
                  "transcript column '"
                      + options.textKey()
                      + "' is empty; fix the transcript or drop the row"));
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
    problems.addAll(checkAudio(audioRows, audioManifests, options, seconds));
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
    problems.sort(
        Comparator.comparing((Problem p) -> p.manifest().toString())
            .thenComparingInt(Problem::line)
            .thenComparing(p -> p.kind()));
    return new Report(List.copyOf(problems), rows, total);
  }

  private static List<Problem> checkAudio(
      List<Manifest.Row> rows, List<Manifest> manifests, Options options, double[] seconds) {
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.max(1, options.threads()),
            r -> {
              Thread t = new Thread(r, "sonus-data-check");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<List<Problem>>> futures = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        int index = i;
        futures.add(
            pool.submit(
                () -> checkOne(rows.get(index), manifests.get(index), options, seconds, index)));
      }
      List<Problem> out = new ArrayList<>();
      for (Future<List<Problem>> f : futures) {
        out.addAll(f.get());
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
    Path path = AudioPipelines.audioPath(audio);
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
    seconds[index] = info.durationSeconds();
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
    if (declared != null && !String.valueOf(declared).isBlank()) {
      double d;
      try {
        d =
            declared instanceof Number n
                ? n.doubleValue()
                : Double.parseDouble(String.valueOf(declared).trim());
      } catch (NumberFormatException e) {
        out.add(
            new Problem(
                m.source(),
                r.line(),
                r.id(),
                Kind.DURATION_MISMATCH,
                "duration '" + declared + "' is not a number of seconds"));
        return out;
      }
      if (Math.abs(d - info.durationSeconds()) > o.durationTolerance()) {
        out.add(
            new Problem(
                m.source(),
                r.line(),
                r.id(),
                Kind.DURATION_MISMATCH,
                String.format(
                    Locale.ROOT,
                    "declared duration %.3f s but %s lasts %.3f s (tolerance %.3f s); regenerate the manifest",
                    d,
                    path,
                    info.durationSeconds(),
                    o.durationTolerance())));
      }
    }
    return out;
  }
}
