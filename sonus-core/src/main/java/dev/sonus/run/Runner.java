package dev.sonus.run;

import dev.sonus.config.ConfigException;
import dev.sonus.config.Factory;
import dev.sonus.config.Hparams;
import dev.sonus.config.HyperYaml;
import dev.sonus.config.LoadOptions;
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
import java.util.Optional;
import java.util.Set;
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
 *
 * <p>The output folder protects itself. A run holds its {@link RunLock} from start to end, so a
 * second run on the same folder fails at once, naming the first. A folder that has trained already
 * (checkpoints, a log or metrics) is resumed only by the recipe that made it: the resolved recipe
 * is compared with the stored {@code hparams.yaml}, and a difference in any key but {@link
 * #RESUMABLE_KEYS} is refused with the list of differences, unless {@link Options#resumeAnyway()}
 * says to go ahead (the differences are then recorded in the log). {@code hparams.yaml} is
 * rewritten only once the run goes ahead. On resuming, the log is cut back to the checkpoint
 * resumed from, so that a killed and resumed run leaves the same bundle as an uninterrupted one.
 */
public final class Runner {
  private static final Logger LOG = LoggerFactory.getLogger(Runner.class);

  /**
   * The top-level recipe keys that may differ from the stored {@code hparams.yaml} when a run
   * resumes, because they change neither what was computed so far nor what the rest computes: how
   * long it runs ({@code number_of_epochs}: more epochs continue the same run), how fast ({@code
   * num_workers}: batches and per-item randomness do not depend on the loader threads), when
   * checkpoints are saved and how many recent ones are kept ({@code ckpt_interval_minutes}, {@code
   * keep_checkpoints}), what is measured or checked ({@code profile}, {@code check_data}), and
   * where the folder is ({@code output_folder}, for a moved folder). Anything else, {@code threads}
   * and {@code deterministic} included (both change the numerics), must match.
   */
  public static final Set<String> RESUMABLE_KEYS =
      Set.of(
          "number_of_epochs",
          "num_workers",
          "ckpt_interval_minutes",
          "keep_checkpoints",
          "profile",
          "check_data",
          "output_folder");

  private Runner() {}

  /**
   * How a run treats an output folder that already holds a run.
   *
   * @param resumeAnyway continue the folder's checkpoints even though the recipe differs from its
   *     {@code hparams.yaml} in keys other than {@link #RESUMABLE_KEYS} (or the folder has no
   *     {@code hparams.yaml}); the differences are recorded in {@code train_log.jsonl} and {@code
   *     train_log.txt}, and {@code hparams.yaml} then holds the new recipe
   */
  public record Options(boolean resumeAnyway) {
    /** Refuse to resume another recipe's run. */
    public static Options defaults() {
      return new Options(false);
    }
  }

  /**
   * What a run produced.
   *
   * @param folder the run bundle
   * @param metrics the final metrics (also in metrics.json)
   */
  public record Result(Path folder, Map<String, Object> metrics) {}

  /** Loads the recipe with overrides (seeding first, see {@link #load}) and runs it. */
  public static Result train(Path recipe, Map<String, String> overrides, Progress progress) {
    return train(recipe, overrides, LoadOptions.recipe(), progress, Options.defaults());
  }

  /**
   * Loads the recipe with overrides under {@code options} (the classes it may build, see {@link
   * dev.sonus.config.ClassPolicy}) and runs it.
   */
  public static Result train(
      Path recipe, Map<String, String> overrides, LoadOptions options, Progress progress) {
    return train(recipe, overrides, options, progress, Options.defaults());
  }

  /** Loads the recipe with overrides and runs it with the run folder's {@code options}. */
  public static Result train(
      Path recipe, Map<String, String> overrides, Progress progress, Options options) {
    return train(recipe, overrides, LoadOptions.recipe(), progress, options);
  }

  /**
   * Loads the recipe with overrides under {@code loadOptions} and runs it, as {@link #train(Path,
   * Map, Progress)}. The output folder is locked and checked before anything of the recipe is
   * built, so that a run refused there costs nothing.
   *
   * @throws IllegalStateException when another run holds the folder, or the folder holds a run of
   *     another recipe (see {@link Options#resumeAnyway()})
   */
  public static Result train(
      Path recipe,
      Map<String, String> overrides,
      LoadOptions loadOptions,
      Progress progress,
      Options options) {
    String yaml = HyperYaml.resolve(recipe, overrides, loadOptions);
    String folder = topLevelScalars(yaml).get("output_folder");
    if (folder == null) {
      // which names the missing key
      return run(load(recipe, overrides, loadOptions), progress, options);
    }
    Path out = Path.of(folder);
    try (RunLock lock = RunLock.acquire(out, "train")) {
      List<RecipeDiff.Change> overridden = admit(RunDirectory.open(out), yaml, options);
      return runLocked(load(recipe, overrides, loadOptions), progress, overridden, lock);
    }
  }

  /**
   * Loads a recipe so that its objects are built after seeding: the YAML is resolved without
   * building anything, its {@code seed} (and {@code deterministic}, {@code threads}) applied, and
   * only then are models constructed, so their initial weights depend on the seed alone
   * (SpeechBrain recipes seed on their first line likewise).
   */
  public static Hparams load(Path recipe, Map<String, String> overrides) {
    return load(recipe, overrides, LoadOptions.recipe());
  }

  /** {@link #load(Path, Map)} under {@code options}. */
  public static Hparams load(Path recipe, Map<String, String> overrides, LoadOptions options) {
    Map<String, String> top = topLevelScalars(HyperYaml.resolve(recipe, overrides, options));
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
    return HyperYaml.load(recipe, overrides, options);
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
  public static Result run(Hparams h, Progress progress) {
    return run(h, progress, Options.defaults());
  }

  /**
   * Runs a loaded recipe, holding its output folder's {@link RunLock} throughout.
   *
   * @throws IllegalStateException when another run holds the folder, or the folder holds a run of
   *     another recipe (see {@link Options#resumeAnyway()})
   */
  public static Result run(Hparams h, Progress progress, Options options) {
    return run(h, progress, options, "train");
  }

  /** {@link #run(Hparams, Progress, Options)}, with the command named in the lock file. */
  static Result run(Hparams h, Progress progress, Options options, String command) {
    Path out = h.getPath("output_folder");
    try (RunLock lock = RunLock.acquire(out, command)) {
      List<RecipeDiff.Change> overridden = admit(RunDirectory.open(out), h.resolvedYaml(), options);
      return runLocked(h, progress, overridden, lock);
    }
  }

  /**
   * Decides whether a run of {@code yaml} may go ahead in {@code run}'s folder, which it holds:
   * always when nothing has trained there; when something has, only if the stored {@code
   * hparams.yaml} differs from {@code yaml} in {@link #RESUMABLE_KEYS} alone, or the options say to
   * resume anyway.
   *
   * @return the differences outside the resumable keys that the run goes ahead with (resumed
   *     anyway), empty for a fresh run or a plain resume
   * @throws IllegalStateException listing the differences and the two ways out
   */
  private static List<RecipeDiff.Change> admit(RunDirectory run, String yaml, Options options) {
    if (!run.hasTrained()) {
      return List.of();
    }
    Optional<String> stored = run.storedHparams();
    List<RecipeDiff.Change> refused = new ArrayList<>();
    if (stored.isEmpty()) {
      refused.add(new RecipeDiff.Change("hparams.yaml", "(absent)", "(the recipe given now)"));
      if (!options.resumeAnyway()) {
        throw new IllegalStateException(
            run.root()
                + " holds checkpoints or a training log but no hparams.yaml: nothing says which"
                + " recipe made them. Give another --output_folder for a new run, or pass"
                + " --resume-anyway to continue them with this recipe.");
      }
    } else {
      for (RecipeDiff.Change c : RecipeDiff.between(stored.get(), yaml)) {
        if (RESUMABLE_KEYS.contains(c.topKey())) {
          LOG.info("{}: resuming with {}", run.root(), c);
        } else {
          refused.add(c);
        }
      }
      if (!refused.isEmpty() && !options.resumeAnyway()) {
        StringBuilder m =
            new StringBuilder(run.root().toString())
                .append(
                    " already holds a run of another recipe: these hyperparameters differ from"
                        + " its hparams.yaml (stored -> new):\n");
        refused.forEach(c -> m.append("  ").append(c).append('\n'));
        m.append("Continuing its checkpoints with them would mix two recipes in one run; only ")
            .append(String.join(", ", new java.util.TreeSet<>(RESUMABLE_KEYS)))
            .append(
                " may change when resuming. Give another --output_folder for a new run, or pass"
                    + " --resume-anyway to continue this one with the new values (recorded in its"
                    + " train_log).");
        throw new IllegalStateException(m.toString());
      }
    }
    if (!refused.isEmpty()) {
      LOG.warn(
          "{}: resuming anyway (--resume-anyway) with hyperparameters that differ from its"
              + " hparams.yaml: {}",
          run.root(),
          refused);
    }
    return refused;
  }

  @SuppressWarnings("unchecked")
  private static Result runLocked(
      Hparams h, Progress progress, List<RecipeDiff.Change> overridden, RunLock lock) {
    long seed = h.getLong("seed");
    boolean deterministic = optional(h, "deterministic", false);
    int threads = optional(h, "threads", 0);
    Determinism.apply(
        seed, deterministic, threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
    RunDirectory run = RunDirectory.open(h.getPath("output_folder"));
    LOG.debug("{} holds {}", lock, run.root());
    for (Path p : run.removeStaleTempFiles()) {
      LOG.info("removed {}: the temporary file of a write that did not finish", p.getFileName());
    }
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
        // The first few of each kind; a generated set can repeat one warning for every row.
        Map<DataCheck.Kind, Integer> seen = new java.util.EnumMap<>(DataCheck.Kind.class);
        for (DataCheck.Problem w : report.warnings()) {
          int n = seen.merge(w.kind(), 1, Integer::sum);
          if (n <= 3) {
            LOG.warn("data check: {}", w);
          }
        }
        seen.forEach(
            (kind, n) -> {
              if (n > 3) {
                LOG.warn(
                    "data check: {} more [{}] warnings like these (`sonus data check` lists all)",
                    n - 3,
                    kind.name().toLowerCase(Locale.ROOT));
              }
            });
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
    boolean dynamic = optional(h, "dynamic_batching", false);
    try (DataLoader trainLoader =
            dynamic
                ? RunFolder.dynamicLoader(
                    experiment.dataset(train, Stage.TRAIN),
                    h.getDouble("max_batch_length"),
                    optional(h, "num_buckets", 20),
                    seed,
                    workers)
                : RunFolder.loader(
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
        int average = optional(h, "avg_checkpoints", 1);
        if (average < 1 || average > optional(h, "keep_best", 1)) {
          throw new IllegalArgumentException(
              "avg_checkpoints is "
                  + average
                  + " but keep_best is "
                  + optional(h, "keep_best", 1)
                  + "; the averaged checkpoints must be kept: set keep_best: "
                  + Math.max(1, average)
                  + " or more");
        }
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
                .onResume(
                    from -> {
                      int dropped = run.trimLog(from.epochsDone());
                      if (dropped > 0) {
                        LOG.info(
                            "resuming after epoch {}: dropped {} log entries past that point",
                            from.epochsDone(),
                            dropped);
                      }
                      if (!overridden.isEmpty()) {
                        run.logResumedAnyway(from.epochsDone(), overridden);
                      }
                    })
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
          if (average > 1) {
            ckpt.loadAverageOfBest(average);
          }
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
