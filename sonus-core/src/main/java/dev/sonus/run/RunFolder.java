package dev.sonus.run;

import dev.sonus.config.Hparams;
import dev.sonus.config.HyperYaml;
import dev.sonus.config.LoadOptions;
import dev.sonus.data.BatchSampler;
import dev.sonus.data.DataLoader;
import dev.sonus.data.DynamicItemDataset;
import dev.sonus.train.Checkpointer;
import dev.sonus.train.Experiment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reopens a finished run folder (the {@code output_folder} of {@code sonus train}) for inference
 * and evaluation, and holds what training and reopening share: the data-root substitution of
 * manifests and the construction of data loaders. {@code Transcriber}, {@code SpeakerVerifier} and
 * {@code Evaluation} all load runs through {@link #load}.
 */
public final class RunFolder {
  private static final Set<String> KEYS = Set.of("experiment", "ckpt_metric", "ckpt_minimize");

  private RunFolder() {}

  /**
   * A run folder's experiment with its trained weights, in eval mode.
   *
   * @param folder the run folder
   * @param experiment the recipe's experiment, its run folder set (its label encoder and other
   *     files read back)
   * @param checkpoint the checkpoint the weights came from
   * @param hparams the keys read from {@code hparams.yaml}
   */
  public record Loaded(Path folder, Experiment<?> experiment, Path checkpoint, Hparams hparams) {

    /**
     * The experiment as {@code type}, or an error naming the folder, its experiment and what is
     * needed.
     */
    public <T> T experimentAs(Class<T> type, String purpose) {
      if (!type.isInstance(experiment)) {
        throw new IllegalArgumentException(
            folder
                + ": its experiment "
                + experiment.getClass().getName()
                + " does not "
                + purpose
                + " (it is not a "
                + type.getSimpleName()
                + ")");
      }
      return type.cast(experiment);
    }
  }

  /**
   * Rebuilds a run folder's experiment from its {@code hparams.yaml} (nothing else in the recipe
   * runs: no data preparation), lets it read its files from the folder, and loads the best
   * checkpoint's weights (by the recipe's {@code ckpt_metric}; the most advanced one when none
   * recorded it). {@code extraKeys} are further top-level recipe keys to build, returned in {@link
   * Loaded#hparams()}.
   *
   * @throws IllegalArgumentException naming the folder when it is not a run folder or has no valid
   *     checkpoint
   */
  public static Loaded load(Path runFolder, String... extraKeys) {
    return load(runFolder, LoadOptions.runFolder(), extraKeys);
  }

  /**
   * {@link #load(Path, String...)} with the given trust: by default a run folder builds only
   * Sonus's classes and its {@code trusted_classes} are refused ({@link LoadOptions#runFolder()}).
   */
  public static Loaded load(Path runFolder, LoadOptions options, String... extraKeys) {
    Path yaml = runFolder.resolve("hparams.yaml");
    if (!Files.isDirectory(runFolder)) {
      throw new IllegalArgumentException(
          "model folder "
              + runFolder
              + " does not exist; give the output_folder of "
              + "a finished 'sonus train' run");
    }
    if (!Files.isRegularFile(yaml)) {
      throw new IllegalArgumentException(
          runFolder
              + " has no hparams.yaml: not a Sonus run folder (give the "
              + "output_folder of a 'sonus train' run)");
    }
    Set<String> keys = new LinkedHashSet<>(KEYS);
    keys.addAll(List.of(extraKeys));
    Hparams h = HyperYaml.loadKeys(yaml, keys, options);
    if (!h.contains("experiment")) {
      throw new IllegalArgumentException(
          yaml + " has no 'experiment' key; it was not written by a Sonus recipe run");
    }
    Object built = h.get("experiment");
    if (!(built instanceof Experiment<?> experiment)) {
      throw new IllegalArgumentException(
          yaml
              + ": 'experiment' is a "
              + built.getClass().getName()
              + ", not a dev.sonus.train.Experiment");
    }
    experiment.useRunFolder(runFolder);
    String metric = h.contains("ckpt_metric") ? h.getString("ckpt_metric") : "loss";
    boolean minimize = !h.contains("ckpt_minimize") || h.getBoolean("ckpt_minimize");
    int average = h.contains("avg_checkpoints") ? h.getInt("avg_checkpoints") : 1;
    Path checkpoint =
        Checkpointer.loadModel(
            runFolder.resolve("checkpoints"), experiment.model(), metric, minimize, average);
    experiment.model().eval();
    return new Loaded(runFolder, experiment, checkpoint, h);
  }

  /**
   * What replaces {@code $data_root}, {@code {data_root}} and {@code $data_folder} in a recipe's
   * manifests: the data folder, or nothing when it is null.
   */
  public static Map<String, String> dataReplacements(String dataFolder) {
    Map<String, String> replacements = new LinkedHashMap<>();
    if (dataFolder != null) {
      replacements.put("data_root", dataFolder);
      replacements.put("data_folder", dataFolder);
    }
    return replacements;
  }

  /** {@link #dataReplacements} of a recipe's {@code data_folder}, if it has one. */
  public static Map<String, String> dataReplacements(Hparams h) {
    return dataReplacements(h.contains("data_folder") ? h.getString("data_folder") : null);
  }

  /**
   * A data loader over {@code ds} in batches of at most {@code maxBatchLength} seconds of padded
   * audio (the {@code duration} column), SpeechBrain's dynamic batching: items bucketed by length,
   * shuffled within buckets and batches shuffled by (seed, epoch).
   */
  public static DataLoader dynamicLoader(
      DynamicItemDataset ds, double maxBatchLength, int buckets, long seed, int workers) {
    return new DataLoader(
        ds,
        BatchSampler.dynamic(ds.numbers("duration"), maxBatchLength, buckets, true, seed),
        workers,
        Math.max(2, 2 * workers),
        seed);
  }

  /**
   * A data loader over {@code ds} in fixed-size batches.
   *
   * @param sorting random | ascending | descending (by the {@code duration} column) | none
   *     (manifest order)
   * @param seed the seed of the shuffle and of per-item randomness
   * @param workers loader threads
   */
  public static DataLoader loader(
      DynamicItemDataset ds, int batchSize, String sorting, long seed, int workers) {
    BatchSampler.Order order =
        switch (sorting.toLowerCase(Locale.ROOT)) {
          case "random" -> BatchSampler.Order.RANDOM;
          case "ascending" -> BatchSampler.Order.ASCENDING;
          case "descending" -> BatchSampler.Order.DESCENDING;
          case "none" -> BatchSampler.Order.NONE;
          default ->
              throw new IllegalArgumentException(
                  "sorting is '" + sorting + "'; expected one of [random, ascending, descending]");
        };
    double[] lengths =
        order == BatchSampler.Order.ASCENDING || order == BatchSampler.Order.DESCENDING
            ? ds.numbers("duration")
            : null;
    return new DataLoader(
        ds,
        BatchSampler.fixed(ds.size(), batchSize, order, lengths, seed, false),
        workers,
        Math.max(2, 2 * workers),
        seed);
  }
}
