package dev.sonus.inference;

import dev.sonus.config.LoadOptions;
import dev.sonus.data.DataLoader;
import dev.sonus.data.DynamicItemDataset;
import dev.sonus.data.Manifest;
import dev.sonus.run.RunFolder;
import dev.sonus.run.RunLock;
import dev.sonus.tensor.AtomicFiles;
import dev.sonus.train.Brain;
import dev.sonus.train.Experiment;
import dev.sonus.train.Progress;
import dev.sonus.train.Stage;
import dev.sonus.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Evaluates a trained run folder on a test manifest: the recipe's test set by default, or any
 * manifest with the same columns. The experiment and its best weights come from the folder (see
 * {@link RunFolder#load}); results are written next to them as {@code eval_<name>.json} and the
 * experiment's reports as {@code <report>_<name>.txt} (e.g. {@code wer_test.txt}), where {@code
 * name} is {@code test} for the recipe's test set and the manifest's file name (without extension)
 * otherwise. The run folder is locked ({@link RunLock}) meanwhile, so an evaluation never writes
 * into a folder that a training run or another evaluation is using.
 */
public final class Evaluation {
  private Evaluation() {}

  /**
   * What an evaluation measured and wrote.
   *
   * @param metrics the test stage's metrics (e.g. {@code loss}, {@code WER}, {@code CER})
   * @param manifest the manifest evaluated
   * @param checkpoint the checkpoint whose weights were used
   * @param written the files written, by kind ({@code metrics}, and one per report)
   */
  public record Result(
      Map<String, Double> metrics, Path manifest, Path checkpoint, Map<String, Path> written) {}

  /**
   * Runs the evaluation.
   *
   * @param runFolder the {@code output_folder} of a finished training run
   * @param manifest the manifest to evaluate; null for the recipe's {@code test_data}
   * @param dataFolder replaces {@code $data_root}/{@code $data_folder} in the manifest; null for
   *     the recipe's {@code data_folder}
   * @param progress progress reporting, or null
   */
  public static Result run(Path runFolder, Path manifest, Path dataFolder, Progress progress) {
    return run(runFolder, manifest, dataFolder, null, progress);
  }

  /**
   * Runs the evaluation with another decoder than the recipe's (see {@link Decoding#override}).
   *
   * @param decoding replaces the recipe's CTC decoder, or null to keep it
   */
  public static Result run(
      Path runFolder, Path manifest, Path dataFolder, Decoding.Change decoding, Progress progress) {
    return run(runFolder, manifest, dataFolder, decoding, LoadOptions.runFolder(), progress);
  }

  /** The evaluation with the given trust for the run folder (see {@link RunFolder#load}). */
  public static Result run(
      Path runFolder,
      Path manifest,
      Path dataFolder,
      Decoding.Change decoding,
      LoadOptions options,
      Progress progress) {
    // Held while the results are written. A folder that is not a run is left for RunFolder.load to
    // report, without a lock file put into it.
    try (RunLock lock =
        Files.isRegularFile(runFolder.resolve("hparams.yaml"))
            ? RunLock.acquire(runFolder, "eval")
            : null) {
      return evaluate(runFolder, manifest, dataFolder, decoding, options, progress);
    }
  }

  private static Result evaluate(
      Path runFolder,
      Path manifest,
      Path dataFolder,
      Decoding.Change decoding,
      LoadOptions options,
      Progress progress) {
    RunFolder.Loaded loaded = load(runFolder, options, decoding);
    return evaluate(loaded, runFolder, manifest, dataFolder, decoding, progress);
  }

  /**
   * The run folder's recipe and checkpoint, with the keys an evaluation may override, its decoder
   * changed by {@code decoding} (null: the recipe's).
   */
  static RunFolder.Loaded load(Path runFolder, LoadOptions options, Decoding.Change decoding) {
    RunFolder.Loaded loaded =
        RunFolder.load(runFolder, options, "test_data", "data_folder", "batch_size", "num_workers");
    if (decoding != null) {
      Decoding.apply(loaded.experiment(), decoding);
    }
    return loaded;
  }

  /**
   * Evaluates an already loaded run on {@code manifest} (null: the recipe's test set), so that
   * several test sets share one load; {@code decoding} only names the results (it was applied by
   * {@link #load}). The caller holds the run's lock.
   */
  static Result evaluate(
      RunFolder.Loaded loaded,
      Path runFolder,
      Path manifest,
      Path dataFolder,
      Decoding.Change decoding,
      Progress progress) {
    var h = loaded.hparams();
    Path testData = manifest;
    String name;
    if (testData == null) {
      if (!h.contains("test_data")) {
        throw new IllegalArgumentException(
            runFolder + ": the recipe has no test_data; give a manifest with --test");
      }
      testData = h.getPath("test_data");
      name = "test";
    } else {
      String file = testData.getFileName().toString();
      name = file.contains(".") ? file.substring(0, file.lastIndexOf('.')) : file;
    }
    if (decoding != null) {
      name = name + "_" + decoding.label();
    }
    if (!Files.isRegularFile(testData)) {
      throw new IllegalArgumentException(
          "test manifest "
              + testData
              + " does not exist"
              + (manifest == null ? " (the recipe's test_data); give one with --test" : ""));
    }
    Map<String, String> replacements =
        dataFolder != null
            ? RunFolder.dataReplacements(dataFolder.toString())
            : RunFolder.dataReplacements(h);
    Manifest m = Manifest.load(testData, replacements);
    @SuppressWarnings("unchecked")
    Experiment<Object> experiment = (Experiment<Object>) loaded.experiment();
    DynamicItemDataset ds = experiment.dataset(m, Stage.TEST);
    int batchSize = h.contains("batch_size") ? h.getInt("batch_size") : 8;
    int workers = h.contains("num_workers") ? h.getInt("num_workers") : 2;
    Map<String, Double> metrics;
    try (DataLoader loader = RunFolder.loader(ds, batchSize, "none", 0, workers)) {
      Brain<Object> brain = new Brain<>(experiment, null, null, Brain.Options.defaults());
      if (progress != null) {
        brain.withProgress(progress);
      }
      metrics = brain.evaluate(loader).metrics();
    }
    Map<String, Path> written = new TreeMap<>();
    for (Map.Entry<String, String> report : experiment.reports().entrySet()) {
      Path target = runFolder.resolve(report.getKey() + "_" + name + ".txt");
      AtomicFiles.writeString(target, report.getValue());
      written.put(report.getKey(), target);
    }
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("manifest", testData.toString());
    record.put("checkpoint", runFolder.relativize(loaded.checkpoint()).toString());
    record.put("utterances", m.size());
    record.put("metrics", new TreeMap<>(metrics));
    Path json = runFolder.resolve("eval_" + name.toLowerCase(Locale.ROOT) + ".json");
    AtomicFiles.writeString(json, Json.writePretty(record) + "\n");
    written.put("metrics", json);
    return new Result(metrics, testData, loaded.checkpoint(), written);
  }
}
