package dev.sonus.run;

import dev.sonus.repro.Environment;
import dev.sonus.tensor.AtomicFiles;
import dev.sonus.train.Brain;
import dev.sonus.util.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

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
 * Whole files are written atomically; log lines are appended and flushed one at a time.
 */
public final class RunDirectory {
  /** Version of the bundle layout, stored in {@code env.json}. */
  public static final int FORMAT = 1;

  private final Path root;

  private RunDirectory(Path root) {
    this.root = root;
  }

  /** Opens (creating if needed) a run folder and its {@code checkpoints/}. */
  public static RunDirectory open(Path folder) {
    try {
      Files.createDirectories(folder.resolve("checkpoints"));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create the run folder "
              + folder
              + ": "
              + e.getMessage()
              + " (check the output_folder setting and permissions)",
          e);
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
