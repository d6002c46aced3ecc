package dev.sonus.run;

import dev.sonus.config.ConfigException;
import dev.sonus.config.Factory;
import dev.sonus.config.Hparams;
import dev.sonus.config.HyperYaml;
import dev.sonus.data.DataCheck;
import dev.sonus.data.DataLoader;
import dev.sonus.data.Manifest;
import dev.sonus.repro.DataFingerprint;
import dev.sonus.repro.Determinism;
import dev.sonus.repro.Environment;
import dev.sonus.train.Brain;
import dev.sonus.train.Checkpointer;
import dev.sonus.train.EpochCounter;
import dev.sonus.train.Experiment;
import dev.sonus.train.Optimizer;
import dev.sonus.train.ParamGroup;
import dev.sonus.train.ParamGroups;
import dev.sonus.train.Progress;
import dev.sonus.train.Schedules;
import dev.sonus.train.Stage;
import dev.sonus.train.schedule.MetricSchedule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a whole experiment from a recipe: seeds and determinism, the run bundle, data manifests
 * (checked and fingerprinted), loaders, optimiser, schedule, checkpoints (resuming if the output
 * folder has some), training, and the final test on the best checkpoint.
 *
 * <p>Recipe keys (SpeechBrain's names where one exists):
 *
 * <pre>
 * seed: 1986                          # required
 * output_folder: results/x/1986       # required: the run bundle
 * data_folder: /path/to/data          # replaces $data_root / {data_root} / $data_folder in manifests
 * train_data: train.csv               # required; valid_data and test_data are optional
 * experiment: !new:your.Experiment    # required: a dev.sonus.train.Experiment
 * number_of_epochs: 10                # required
 * batch_size: 8                       # required
 * optimizer: !name:train.Optimizers.adam {lr: 0.001}   # required, called with the parameter groups
 * lr_annealing: !new:...              # optional schedule (lr(step))
 * weight_decay: 0.0                   # optional; biases and norms are excluded
 * sorting: random                     # random | ascending | descending (by duration)
 * num_workers: 2, grad_accumulation_factor: 1, max_grad_norm: 5.0, nonfinite_patience: 3
 * ckpt_interval_minutes: 0, keep_checkpoints: 2, keep_best: 1, ckpt_metric: loss, ckpt_minimize: true
 * deterministic: false, threads: 0, check_data: true
 * sample_rate: 0                      # the files' rate is checked when > 0 ...
 * data_sample_rate: 0                 # ... unless this is given: the files' rate, 0 for any (resampled)
 * profile: false                      # per-step time and native memory in train_log.jsonl
 * </pre>
 */
public final class Runner {
  private static final Logger LOG = LoggerFactory.getLogger(Runner.class);

  private Runner() {}

  /**
   * What a run produced.
   *
   * @param folder the run bundle
   * @param metrics the final metrics (also in metrics.json)
   */
  public record Result(Path folder, Map<String, Object> metrics) {}

  /** Loads the recipe with overrides (seeding first, see {@link #load}) and runs it. */
  public static Result train(Path recipe, Map<String, String> overrides, Progress progress) {
    return run(load(recipe, overrides), progress);
  }

  /**
   * Loads a recipe so that its objects are built after seeding: the YAML is resolved without
   * building anything, its {@code seed} (and {@code deterministic}, {@code threads}) applied, and
   * only then are models constructed, so their initial weights depend on the seed alone
   * (SpeechBrain recipes seed on their first line likewise).
   */
  public static Hparams load(Path recipe, Map<String, String> overrides) {
    Map<String, String> top = topLevelScalars(HyperYaml.resolve(recipe, overrides));
    String seed = top.get("seed");
    if (seed == null) {
      throw new ConfigException(
          recipe.toString(),
          1,
          "seed",
          "is required: add 'seed: 1986' (any integer) as the " + "recipe's first line",
          null);
    }
    long value;
    try {
      value = Long.parseLong(seed.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(
          recipe.toString(), 1, "seed", "is '" + seed + "'; it must be an integer", e);
    }
    int threads = top.containsKey("threads") ? Integer.parseInt(top.get("threads").trim()) : 0;
    Determinism.apply(
        value,
        Boolean.parseBoolean(top.getOrDefault("deterministic", "false").trim()),
        threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
    return HyperYaml.load(recipe, overrides);
  }

  private static Map<String, String> topLevelScalars(String yaml) {
    Map<String, String> out = new LinkedHashMap<>();
    org.yaml.snakeyaml.nodes.Node root =
        new org.yaml.snakeyaml.Yaml().compose(new java.io.StringReader(yaml));
    if (root instanceof org.yaml.snakeyaml.nodes.MappingNode m) {
      for (org.yaml.snakeyaml.nodes.NodeTuple t : m.getValue()) {
        if (t.getKeyNode() instanceof org.yaml.snakeyaml.nodes.ScalarNode k
            && t.getValueNode() instanceof org.yaml.snakeyaml.nodes.ScalarNode v) {
          out.put(k.getValue(), v.getValue());
        }
      }
    }
    return out;
  }

  /** Runs a loaded recipe. */
  @SuppressWarnings("unchecked")
  public static Result run(Hparams h, Progress progress) {
    long seed = h.getLong("seed");
    boolean deterministic = optional(h, "deterministic", false);
    int threads = optional(h, "threads", 0);
    Determinism.apply(
        seed, deterministic, threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
    RunDirectory run = RunDirectory.open(h.getPath("output_folder"));
    run.writeHparams(h.resolvedYaml());
    run.writeEnvironment(Environment.capture());

    Experiment<Object> experiment = (Experiment<Object>) h.get("experiment", Experiment.class);
    List<String> audioColumns = experiment.audioColumns();
    Map<String, String> replacements = RunFolder.dataReplacements(h);
    List<Path> manifestPaths = new ArrayList<>();
    Manifest train = manifest(h, "train_data", replacements, manifestPaths, true);
    Manifest valid = manifest(h, "valid_data", replacements, manifestPaths, false);
    Manifest test = manifest(h, "test_data", replacements, manifestPaths, false);
    List<Manifest> all = new ArrayList<>();
    for (Manifest m : new Manifest[] {train, valid, test}) {
      if (m != null) {
        all.add(m);
      }
    }
    if (optional(h, "check_data", true)) {
      // data_sample_rate (when given) is the rate the files must have; 0 accepts any (the pipeline
      // resamples).
      int expectedRate =
          h.contains("data_sample_rate")
              ? optional(h, "data_sample_rate", 0)
              : optional(h, "sample_rate", 0);
      String dataRoot = replacements.get("data_root");
      DataCheck.Options o =
          DataCheck.Options.defaults()
              .withSampleRate(expectedRate)
              .withDataRoot(dataRoot == null ? null : Path.of(dataRoot));
      for (String column : audioColumns) {
        DataCheck.Report report = DataCheck.requireClean(all, o.withAudioKey(column));
        for (DataCheck.Problem w : report.warnings()) {
          LOG.warn("data check: {}", w);
        }
        LOG.info(
            "data check of {}: {} rows, {} s of audio, no problems",
            column,
            report.rows(),
            String.format(Locale.ROOT, "%.1f", report.audioSeconds()));
      }
    }
    run.writeData(
        DataFingerprint.compute(
                manifestPaths,
                replacements,
                DataFingerprint.Options.defaults().withAudioKeys(audioColumns))
            .toJson());

    experiment.useRunFolder(run.root());
    int batchSize = h.getInt("batch_size");
    int workers = optional(h, "num_workers", 2);
    String sorting = optional(h, "sorting", "random");
    try (DataLoader trainLoader =
            RunFolder.loader(
                experiment.dataset(train, Stage.TRAIN), batchSize, sorting, seed, workers);
        DataLoader validLoader =
            valid == null
                ? null
                : RunFolder.loader(
                    experiment.dataset(valid, Stage.VALID), batchSize, "none", seed, workers);
        DataLoader testLoader =
            test == null
                ? null
                : RunFolder.loader(
                    experiment.dataset(test, Stage.TEST), batchSize, "none", seed, workers)) {
      double weightDecay = optional(h, "weight_decay", 0.0);
      List<ParamGroup> groups =
          weightDecay > 0
              ? ParamGroups.withDecayExclusions(
                  experiment.model(), weightDecay, ParamGroups.BIASES_AND_NORMS)
              : ParamGroups.single(experiment.model(), 0);
      Factory optFactory = h.get("optimizer", Factory.class);
      try (Optimizer optimizer = optFactory.create(Optimizer.class, Map.of("groups", groups))) {
        Object annealing = h.contains("lr_annealing") ? h.get("lr_annealing") : null;
        MetricSchedule byMetric = annealing instanceof MetricSchedule m ? m : null;
        LongToDoubleFunction schedule =
            annealing == null || byMetric != null ? null : Schedules.of(annealing, "lr_annealing");
        if (byMetric != null) {
          optimizer.setLr(byMetric.lr());
        }
        EpochCounter epochs = new EpochCounter(h.getInt("number_of_epochs"));
        Checkpointer ckpt =
            new Checkpointer(
                run.checkpoints(),
                experiment.model(),
                optimizer,
                epochs,
                new Checkpointer.Options(
                    optional(h, "keep_checkpoints", 2),
                    optional(h, "keep_best", 1),
                    optional(h, "ckpt_metric", "loss"),
                    optional(h, "ckpt_minimize", true),
                    optional(h, "ckpt_interval_minutes", 0.0),
                    0));
        if (byMetric != null) {
          ckpt.add(
              "lr_annealing",
              new Checkpointer.Recoverable() {
                @Override
                public Map<String, Object> state() {
                  return byMetric.state();
                }

                @Override
                public void loadState(Map<String, Object> state) {
                  byMetric.loadState(state);
                  optimizer.setLr(byMetric.lr());
                }
              });
        }
        Brain<Object> brain =
            new Brain<>(
                    experiment,
                    optimizer,
                    schedule,
                    new Brain.Options(
                        optional(h, "grad_accumulation_factor", 1),
                            optional(h, "max_grad_norm", 5.0),
                        optional(h, "nonfinite_patience", 3), optional(h, "profile", false)))
                .withCheckpointer(ckpt)
                .addListener(run.trainLog());
        if (progress != null) {
          brain.withProgress(progress);
        }
        if (byMetric != null) {
          // NewBob / plateau: anneal on the validation metric (the training one when there is no
          // validation).
          String metric = optional(h, "ckpt_metric", "loss");
          Stage annealOn = validLoader != null ? Stage.VALID : Stage.TRAIN;
          brain.addListener(
              r -> {
                if (r.stage() == annealOn && r.metrics().containsKey(metric)) {
                  optimizer.setLr(byMetric.onEpochEnd(r.epoch(), r.metrics().get(metric)));
                }
              });
        }
        long t0 = System.nanoTime();
        List<Brain.StageResult> history = brain.fit(epochs, trainLoader, validLoader);
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("epochs", epochs.current());
        metrics.put("train_seconds", (System.nanoTime() - t0) / 1e9);
        if (testLoader != null) {
          ckpt.best().ifPresent(ckpt::load);
          Brain.StageResult r = brain.evaluate(testLoader);
          r.metrics().forEach((k, v) -> metrics.put("test_" + k, v));
          experiment.reports().forEach((name, text) -> run.writeReport(name + "_test.txt", text));
        } else if (!history.isEmpty()) {
          history.get(history.size() - 1).metrics().forEach((k, v) -> metrics.put("final_" + k, v));
        }
        run.writeMetrics(metrics);
        return new Result(run.root(), metrics);
      }
    }
  }

  /** The data fingerprint of a recipe's manifests as they are now. */
  public static DataFingerprint.Fingerprint fingerprint(Hparams h) {
    List<Path> paths = new ArrayList<>();
    for (String key : List.of("train_data", "valid_data", "test_data")) {
      if (h.contains(key)) {
        paths.add(h.getPath(key));
      }
    }
    List<String> audioColumns =
        h.contains("experiment") && h.get("experiment") instanceof Experiment<?> e
            ? e.audioColumns()
            : List.of("wav");
    return DataFingerprint.compute(
        paths,
        RunFolder.dataReplacements(h),
        DataFingerprint.Options.defaults().withAudioKeys(audioColumns));
  }

  private static Manifest manifest(
      Hparams h, String key, Map<String, String> replacements, List<Path> paths, boolean required) {
    if (!h.contains(key)) {
      if (required) {
        throw new ConfigException(
            h.source(),
            0,
            key,
            "is required: the " + key.replace("_data", "") + " manifest (CSV or JSON)",
            null);
      }
      return null;
    }
    Path p = h.getPath(key);
    paths.add(p);
    return Manifest.load(p, replacements);
  }

  @SuppressWarnings("unchecked")
  private static <T> T optional(Hparams h, String key, T fallback) {
    if (!h.contains(key)) {
      return fallback;
    }
    Object v = h.get(key);
    if (fallback instanceof Integer && v instanceof Number n) {
      return (T) Integer.valueOf(n.intValue());
    }
    if (fallback instanceof Double && v instanceof Number n) {
      return (T) Double.valueOf(n.doubleValue());
    }
    if (fallback instanceof Boolean && v instanceof Boolean) {
      return (T) v;
    }
    if (fallback instanceof String) {
      return (T) String.valueOf(v);
    }
    throw new ConfigException(
        h.source(),
        0,
        key,
        "is " + v + "; expected a " + fallback.getClass().getSimpleName().toLowerCase(Locale.ROOT),
        null);
  }
}
