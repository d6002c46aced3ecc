package dev.sonus.run;

import dev.sonus.repro.Environment;
import dev.sonus.tensor.AtomicFiles;
import dev.sonus.train.Brain;
import dev.sonus.train.Checkpointer;
import dev.sonus.util.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The folder a run writes, enough to re-run it and to explain how it differs from another:
 *
 * <ul>
 *   <li>{@code hparams.yaml}: the resolved recipe, overrides applied;
 *   <li>{@code env.json}: the {@link Environment};
 *   <li>{@code data.json}: the data fingerprint (manifests, their audio files);
 *   <li>{@code train_log.jsonl} (one JSON line per epoch and stage) and a readable {@code
 *       train_log.txt};
 *   <li>{@code metrics.json}: the final metrics;
 *   <li>{@code checkpoints/}.
 * </ul>
 *
 * Whole files are written atomically; log lines are appended and flushed one at a time. When a run
 * resumes, its log is first cut back to the checkpoint it resumes from ({@link #trimLog}), so that
 * a resumed run's log equals an uninterrupted one's. The folder itself is guarded by a {@link
 * RunLock} taken by whoever writes into it.
 */
public final class RunDirectory {
  /** Version of the bundle layout, stored in {@code env.json}. */
  public static final int FORMAT = 1;

  /** How {@code train_log.txt} notes start (then the epochs completed when they were taken). */
  private static final String EPOCHS_DONE = "epochs done:";

  private static final java.util.regex.Pattern TEXT_ENTRY =
      java.util.regex.Pattern.compile("^epoch: (\\d+), stage: (\\w+)(, .*)?$");
  private static final java.util.regex.Pattern TEXT_NOTE =
      java.util.regex.Pattern.compile("^" + EPOCHS_DONE + " (\\d+), .*$");

  private final Path root;

  private RunDirectory(Path root) {
    this.root = root;
  }

  /** The error for a run folder that cannot be made, with the two usual causes. */
  static UncheckedIOException cannotCreate(Path folder, IOException e) {
    return new UncheckedIOException(
        "cannot create the run folder "
            + folder
            + ": "
            + e.getMessage()
            + " (check the output_folder setting and permissions)",
        e);
  }

  /** Opens (creating if needed) a run folder and its {@code checkpoints/}. */
  public static RunDirectory open(Path folder) {
    try {
      Files.createDirectories(folder.resolve("checkpoints"));
    } catch (IOException e) {
      throw cannotCreate(folder, e);
    }
    return new RunDirectory(folder);
  }

  /** The run folder. */
  public Path root() {
    return root;
  }

  /** Where checkpoints go. */
  public Path checkpoints() {
    return root.resolve("checkpoints");
  }

  /** The stored {@code hparams.yaml}, if there is one. */
  public Optional<String> storedHparams() {
    Path p = root.resolve("hparams.yaml");
    if (!Files.isRegularFile(p)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readString(p, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
    }
  }

  /**
   * Whether a run has trained here: the folder holds checkpoints, a non-empty {@code
   * train_log.jsonl} or {@code metrics.json}. A folder with only {@code hparams.yaml}, {@code
   * env.json} and {@code data.json} (a run that stopped before its first epoch ended) holds nothing
   * a new run would reuse.
   */
  public boolean hasTrained() {
    try {
      Path log = root.resolve("train_log.jsonl");
      return !Checkpointer.list(checkpoints()).isEmpty()
          || (Files.isRegularFile(log) && Files.size(log) > 0)
          || Files.isRegularFile(root.resolve("metrics.json"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + root + ": " + e.getMessage(), e);
    }
  }

  /**
   * Removes the temporary files ({@code .<name>....tmp}) that atomic writes killed before their
   * rename left in the folder. Call it only while holding the folder's {@link RunLock}.
   *
   * @return the files removed
   */
  public List<Path> removeStaleTempFiles() {
    List<Path> removed = new ArrayList<>();
    try (Stream<Path> s = Files.list(root)) {
      for (Path p : s.toList()) {
        String name = p.getFileName().toString();
        if (name.startsWith(".") && name.endsWith(".tmp") && Files.isRegularFile(p)) {
          Files.deleteIfExists(p);
          removed.add(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot clean up temporary files in " + root + ": " + e.getMessage(), e);
    }
    return removed;
  }

  /**
   * Cuts {@code train_log.jsonl} and {@code train_log.txt} back to what a run had logged when it
   * had completed {@code epochsDone} epochs: the training and validation entries of those epochs
   * and the notes taken up to them. Later epochs, test entries (the test is re-run at the end) and
   * a line torn by a kill are dropped, so that appending from there gives the log of an
   * uninterrupted run. Each file is rewritten atomically, and only when something is dropped.
   *
   * @return the number of entries dropped from {@code train_log.jsonl}
   */
  public int trimLog(int epochsDone) {
    int dropped = trim("train_log.jsonl", line -> keepJsonLine(line, epochsDone));
    trim("train_log.txt", line -> keepTextLine(line, epochsDone));
    return dropped;
  }

  /**
   * Records in both logs that a run went ahead with hyperparameters that differ from the stored
   * {@code hparams.yaml} in keys that are not resumable ({@code --resume-anyway}).
   */
  void logResumedAnyway(int epochsDone, List<RecipeDiff.Change> changes) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("event", "resume_anyway");
    line.put("epochs_done", epochsDone);
    line.put("at", Instant.now().toString());
    Map<String, Object> diff = new LinkedHashMap<>();
    for (RecipeDiff.Change c : changes) {
      Map<String, Object> values = new LinkedHashMap<>();
      values.put("stored", c.stored());
      values.put("new", c.now());
      diff.put(c.key(), values);
    }
    line.put("changes", diff);
    append("train_log.jsonl", Json.write(line));
    StringBuilder text =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%s %d, resumed anyway (--resume-anyway) with hyperparameters that differ from"
                    + " hparams.yaml:",
                EPOCHS_DONE,
                epochsDone));
    for (RecipeDiff.Change c : changes) {
      text.append(' ').append(c).append(';');
    }
    append("train_log.txt", text.substring(0, text.length() - 1));
  }

  private static boolean keptStage(Object stage, long epoch, int epochsDone) {
    return ("train".equals(stage) || "valid".equals(stage)) && epoch <= epochsDone;
  }

  private static boolean keepJsonLine(String line, int epochsDone) {
    Object parsed;
    try {
      parsed = Json.parse(line);
    } catch (RuntimeException e) {
      return false; // torn by a kill in the middle of an append
    }
    if (!(parsed instanceof Map<?, ?> m)) {
      return false;
    }
    if (m.get("event") != null) {
      return m.get("epochs_done") instanceof Number n && n.longValue() <= epochsDone;
    }
    if (m.get("epoch") instanceof Number epoch) {
      return keptStage(m.get("stage"), epoch.longValue(), epochsDone);
    }
    return true;
  }

  private static boolean keepTextLine(String line, int epochsDone) {
    java.util.regex.Matcher entry = TEXT_ENTRY.matcher(line);
    if (entry.matches()) {
      return keptStage(entry.group(2), Long.parseLong(entry.group(1)), epochsDone);
    }
    java.util.regex.Matcher note = TEXT_NOTE.matcher(line);
    if (note.matches()) {
      return Long.parseLong(note.group(1)) <= epochsDone;
    }
    return !line.isBlank();
  }

  private int trim(String name, java.util.function.Predicate<String> keep) {
    Path p = root.resolve(name);
    if (!Files.isRegularFile(p)) {
      return 0;
    }
    List<String> lines;
    boolean endsWithNewline;
    try {
      String text = Files.readString(p, StandardCharsets.UTF_8);
      endsWithNewline = text.isEmpty() || text.endsWith("\n");
      lines = text.lines().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
    }
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      boolean torn = i == lines.size() - 1 && !endsWithNewline;
      if (!torn && keep.test(lines.get(i))) {
        kept.add(lines.get(i));
      }
    }
    int dropped = lines.size() - kept.size();
    if (dropped > 0) {
      StringBuilder out = new StringBuilder();
      kept.forEach(l -> out.append(l).append('\n'));
      writeText(name, out.toString());
    }
    return dropped;
  }

  /** Writes {@code hparams.yaml}. */
  public void writeHparams(String resolvedYaml) {
    writeText("hparams.yaml", resolvedYaml.endsWith("\n") ? resolvedYaml : resolvedYaml + "\n");
  }

  /** Writes {@code env.json} with the bundle format version and the time. */
  public void writeEnvironment(Environment env) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("bundle_format", FORMAT);
    m.put("written_at", Instant.now().toString());
    m.putAll(env.toMap());
    writeText("env.json", Json.writePretty(m) + "\n");
  }

  /** Writes {@code data.json}. */
  public void writeData(Map<String, Object> fingerprint) {
    writeText("data.json", Json.writePretty(fingerprint) + "\n");
  }

  /**
   * Writes a text report (e.g. {@code wer_test.txt}) into the run folder; {@code fileName} has no
   * folders.
   */
  public void writeReport(String fileName, String text) {
    if (fileName.contains("/") || fileName.contains("\\") || fileName.startsWith(".")) {
      throw new IllegalArgumentException(
          "report name '" + fileName + "' must be a plain file name");
    }
    writeText(fileName, text);
  }

  /** Writes {@code metrics.json}. */
  public void writeMetrics(Map<String, ?> metrics) {
    writeText("metrics.json", Json.writePretty(metrics) + "\n");
  }

  /**
   * A listener that appends each finished stage to {@code train_log.jsonl} and {@code
   * train_log.txt}.
   */
  public Brain.Listener trainLog() {
    return r -> {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("epoch", r.epoch());
      line.put("stage", r.stage().name().toLowerCase(Locale.ROOT));
      line.put("metrics", new LinkedHashMap<>(r.metrics()));
      line.put("lr", r.lr());
      line.put("seconds", r.seconds());
      line.put("loader_wait_seconds", r.loaderWaitSeconds());
      line.put("optimizer_steps", r.steps());
      line.put("skipped_steps", r.skippedSteps());
      if (!Double.isNaN(r.meanStepSeconds())) {
        line.put("mean_step_seconds", r.meanStepSeconds());
        line.put("peak_native_bytes", r.peakNativeBytes());
      }
      append("train_log.jsonl", Json.write(line));
      StringBuilder text = new StringBuilder();
      text.append(
          String.format(
              Locale.ROOT,
              "epoch: %d, stage: %s, lr: %.3g",
              r.epoch(),
              r.stage().name().toLowerCase(Locale.ROOT),
              r.lr()));
      r.metrics().forEach((k, v) -> text.append(String.format(Locale.ROOT, ", %s: %.4g", k, v)));
      text.append(
          String.format(
              Locale.ROOT,
              ", time: %.1f s, loader wait: %.1f s",
              r.seconds(),
              r.loaderWaitSeconds()));
      append("train_log.txt", text.toString());
    };
  }

  private void writeText(String name, String text) {
    AtomicFiles.writeString(root.resolve(name), text);
  }

  private void append(String name, String line) {
    Path p = root.resolve(name);
    try (BufferedWriter w =
        Files.newBufferedWriter(
            p, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      w.write(line);
      w.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot append to "
              + p
              + ": "
              + e.getMessage()
              + " (is the disk full? the log up to the previous line is intact)",
          e);
    }
  }

  @Override
  public String toString() {
    return "RunDirectory(" + root + ")";
  }
}
