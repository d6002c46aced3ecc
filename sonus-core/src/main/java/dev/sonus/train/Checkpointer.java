package dev.sonus.train;

import dev.sonus.tensor.AtomicFiles;
import dev.sonus.tensor.SafeTensors;
import dev.sonus.tensor.StateDict;
import dev.sonus.util.Json;
import dev.sonus.util.JsonFile;
import dev.sonus.util.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves and recovers everything a run needs to continue exactly where it stopped: model parameters
 * and buffers, optimiser state, epoch counter, position inside the epoch (batches done, running
 * loss), libtorch's random generator, and any other {@link Recoverable} (a learning-rate schedule's
 * state).
 *
 * <p>A checkpoint is a folder {@code CKPT+<date>+<time>+e<epochs>b<batches>} holding {@code
 * model.safetensors}, {@code optimizer.safetensors}, {@code rng.safetensors} and {@code meta.json}
 * with the SHA-256 of each file. It is written under a temporary name ({@code ....tmp}) and renamed
 * when complete, and the folder is then flushed to disk, so a crash leaves no half checkpoint; the
 * temporary folders a killed save leaves are removed when the run resumes ({@link #recoverLatest}).
 * On recovery a checkpoint whose files are missing, truncated or do not match their checksums is
 * reported and skipped, and the previous one is used. Nothing in a checkpoint can execute code
 * (tensors in safetensors, metadata in JSON).
 *
 * <p>After each save, only the last {@code keepLast} and the best {@code keepBest} by a metric are
 * kept, chosen among the checkpoints that verify: an invalid one is reported, moved aside to {@code
 * <name>.corrupt} (never loaded, never counted as the last or the best) and left for the user to
 * inspect or delete. Verifying hashes every kept checkpoint at each save. {@link #best} skips
 * invalid checkpoints as well.
 *
 * <p>Only one process may write into the folder at a time: the run folder's lock ({@code
 * dev.sonus.run.RunLock}) sees to it for runs.
 */
public final class Checkpointer {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);

  /** Checkpoint format written; a newer one is refused with a message. */
  public static final int FORMAT = 1;

  private static final String TMP = ".tmp";
  private static final String CORRUPT = ".corrupt";

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd+HH-mm-ss-SSS");

  /** Extra state saved with a checkpoint, as JSON-compatible values. */
  public interface Recoverable {
    /** The state to save. */
    Map<String, Object> state();

    /** Restores a saved state. */
    void loadState(Map<String, Object> state);
  }

  /**
   * Retention and timing.
   *
   * @param keepLast most recent checkpoints kept
   * @param keepBest best checkpoints kept by {@code metric} (0: none by metric)
   * @param metric metric ranking checkpoints (e.g. {@code wer} or {@code loss}); checkpoints
   *     without it never rank
   * @param minimize lower is better
   * @param everyMinutes also save inside an epoch when this many minutes passed since the last save
   *     (0: off)
   * @param everySteps also save every this many optimiser steps (0: off; mainly for tests)
   */
  public record Options(
      int keepLast,
      int keepBest,
      String metric,
      boolean minimize,
      double everyMinutes,
      long everySteps) {
    /** Validates the settings. */
    public Options {
      if (keepLast < 1) {
        throw new IllegalArgumentException(
            "keep_last is " + keepLast + "; at least the last checkpoint is kept");
      }
      if (keepBest < 0 || everyMinutes < 0 || everySteps < 0) {
        throw new IllegalArgumentException("keep_best, every_minutes and every_steps must be >= 0");
      }
    }

    /** Keep the last 2 and the best 1 by validation loss, save at epoch ends only. */
    public static Options defaults() {
      return new Options(2, 1, "loss", true, 0, 0);
    }
  }

  /**
   * Where in training a checkpoint was taken.
   *
   * @param epochsDone completed epochs
   * @param batchesDone batches of epoch {@code epochsDone + 1} already trained (0 at an epoch
   *     boundary)
   * @param lossSum sum of those batches' losses (so the epoch's mean loss is exact after a resume)
   * @param lossBatches number of batches in {@code lossSum}
   * @param skipped non-finite steps skipped so far in that epoch
   */
  public record Position(
      int epochsDone, int batchesDone, double lossSum, int lossBatches, int skipped) {}

  /**
   * A recovered checkpoint.
   *
   * @param folder its folder
   * @param position where it was taken
   * @param metrics the metrics saved with it
   */
  public record Recovered(Path folder, Position position, Map<String, Double> metrics) {}

  private final Path dir;
  private final Module model;
  private final Optimizer optimizer;
  private final EpochCounter counter;
  private final Options options;
  private final Map<String, Recoverable> extras = new LinkedHashMap<>();
  private long lastSaveNanos = System.nanoTime();

  /** Creates a checkpointer writing into {@code dir}. */
  public Checkpointer(
      Path dir, Module model, Optimizer optimizer, EpochCounter counter, Options options) {
    this.dir = dir;
    this.model = model;
    this.optimizer = optimizer;
    this.counter = counter;
    this.options = options;
  }

  /** Adds extra state under a name (e.g. {@code lr_annealing}). */
  public Checkpointer add(String name, Recoverable recoverable) {
    extras.put(name, recoverable);
    return this;
  }

  /** The folder holding the checkpoints. */
  public Path dir() {
    return dir;
  }

  /** Whether a save inside the epoch is due now (time or step interval reached). */
  boolean dueInsideEpoch() {
    boolean byTime =
        options.everyMinutes() > 0
            && (System.nanoTime() - lastSaveNanos) / 60e9 >= options.everyMinutes();
    boolean bySteps =
        options.everySteps() > 0
            && optimizer.steps() > 0
            && optimizer.steps() % options.everySteps() == 0;
    return byTime || bySteps;
  }

  /** Saves a checkpoint and prunes old ones; returns its folder. */
  public Path save(Position position, Map<String, Double> metrics) {
    String name =
        "CKPT+"
            + LocalDateTime.now(java.time.ZoneId.systemDefault()).format(STAMP)
            + "+e"
            + position.epochsDone()
            + "b"
            + position.batchesDone();
    Path tmp = dir.resolve(name + TMP);
    Path target = dir.resolve(name);
    try {
      Files.createDirectories(tmp);
      Map<String, Tensor> modelState = StateDict.of(model);
      try {
        SafeTensors.write(
            tmp.resolve("model.safetensors"), modelState, Map.of("format", "sonus-model"));
      } finally {
        modelState.values().forEach(Tensor::close);
      }
      SafeTensors.write(
          tmp.resolve("optimizer.safetensors"),
          optimizer.stateTensors(),
          Map.of("format", "sonus-optimizer"));
      try (PointerScope scope = new PointerScope()) {
        Tensor rng = torch.getDefaultCPUGenerator().get_state();
        SafeTensors.write(tmp.resolve("rng.safetensors"), Map.of("torch_cpu", rng), Map.of());
      }
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("format", FORMAT);
      meta.put("epochs_done", position.epochsDone());
      meta.put("batches_done", position.batchesDone());
      meta.put("loss_sum", position.lossSum());
      meta.put("loss_batches", position.lossBatches());
      meta.put("skipped", position.skipped());
      meta.put("optimizer_steps", optimizer.steps());
      meta.put("lr", optimizer.lr());
      meta.put("metrics", new LinkedHashMap<>(metrics));
      Map<String, Object> extraStates = new LinkedHashMap<>();
      extras.forEach((k, v) -> extraStates.put(k, v.state()));
      meta.put("recoverables", extraStates);
      Map<String, Object> sums = new LinkedHashMap<>();
      for (String f : List.of("model.safetensors", "optimizer.safetensors", "rng.safetensors")) {
        sums.put(f, sha256(tmp.resolve(f)));
      }
      meta.put("sha256", sums);
      AtomicFiles.writeString(tmp.resolve("meta.json"), Json.writePretty(meta) + "\n");
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target);
      }
      AtomicFiles.syncDirectory(dir);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new UncheckedIOException(
          "could not save a checkpoint in "
              + dir
              + ": "
              + e.getMessage()
              + " (is the disk full? earlier checkpoints are intact)",
          e);
    } catch (RuntimeException e) {
      deleteQuietly(tmp);
      throw e;
    }
    lastSaveNanos = System.nanoTime();
    LOG.info("saved checkpoint {}", target.getFileName());
    prune(target);
    return target;
  }

  /**
   * Loads the most advanced valid checkpoint into the model, optimiser, counter, generator and
   * extras. Invalid ones (incomplete, corrupt, foreign) are reported with a warning and skipped.
   * First removes the temporary folders of saves that never finished ({@link #removeIncomplete}).
   */
  public Optional<Recovered> recoverLatest() {
    removeIncomplete();
    List<Path> candidates = list();
    candidates.sort(Comparator.comparing(Checkpointer::progressKey).reversed());
    for (Path c : candidates) {
      try {
        return Optional.of(load(c));
      } catch (RuntimeException e) {
        LOG.warn("skipping checkpoint {}: {}", c.getFileName(), e.getMessage());
      }
    }
    return Optional.empty();
  }

  /** Loads one checkpoint folder (verifying it first). */
  @SuppressWarnings("unchecked")
  public Recovered load(Path folder) {
    Map<String, Object> meta = verify(folder);
    Map<String, Tensor> modelState = SafeTensors.read(folder.resolve("model.safetensors"));
    Map<String, Tensor> optState = SafeTensors.read(folder.resolve("optimizer.safetensors"));
    Map<String, Tensor> rng = SafeTensors.read(folder.resolve("rng.safetensors"));
    try {
      StateDict.load(model, modelState, true, folder.resolve("model.safetensors").toString());
      optimizer.loadState(
          optState,
          ((Number) meta.get("optimizer_steps")).longValue(),
          ((Number) meta.get("lr")).doubleValue());
      Tensor gen = rng.get("torch_cpu");
      if (gen == null) {
        throw new IllegalArgumentException(folder + ": rng.safetensors has no 'torch_cpu' state");
      }
      torch.getDefaultCPUGenerator().set_state(gen);
    } finally {
      modelState.values().forEach(Tensor::close);
      optState.values().forEach(Tensor::close);
      rng.values().forEach(Tensor::close);
    }
    int epochsDone = ((Number) meta.get("epochs_done")).intValue();
    counter.restore(epochsDone);
    Map<String, Object> extraStates =
        (Map<String, Object>) meta.getOrDefault("recoverables", Map.of());
    extras.forEach(
        (k, v) -> {
          Object s = extraStates.get(k);
          if (s instanceof Map<?, ?> m) {
            v.loadState((Map<String, Object>) m);
          } else {
            LOG.warn(
                "checkpoint {} has no state for '{}'; it starts fresh", folder.getFileName(), k);
          }
        });
    Map<String, Double> metrics = new LinkedHashMap<>();
    ((Map<String, Object>) meta.getOrDefault("metrics", Map.of()))
        .forEach((k, v) -> metrics.put(k, ((Number) v).doubleValue()));
    Position pos =
        new Position(
            epochsDone,
            ((Number) meta.get("batches_done")).intValue(),
            ((Number) meta.get("loss_sum")).doubleValue(),
            ((Number) meta.get("loss_batches")).intValue(),
            ((Number) meta.get("skipped")).intValue());
    LOG.info(
        "recovered checkpoint {} (epochs done {}, batches into the next {})",
        folder.getFileName(),
        epochsDone,
        pos.batchesDone());
    return new Recovered(folder, pos, metrics);
  }

  /** Checks format, files and checksums; returns the metadata. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> verify(Path folder) {
    Path metaFile = folder.resolve("meta.json");
    if (!Files.isRegularFile(metaFile)) {
      throw new IllegalArgumentException(
          folder + " has no meta.json: not a complete Sonus checkpoint");
    }
    Map<String, Object> meta = JsonFile.read(metaFile).map();
    Object format = meta.get("format");
    if (!(format instanceof Number n)) {
      throw new IllegalArgumentException(
          metaFile + " has no format version: not a Sonus checkpoint");
    }
    if (n.intValue() > FORMAT) {
      throw new IllegalArgumentException(
          String.format(
              "checkpoint format %d is newer than supported (max %d); " + "upgrade Sonus",
              n.intValue(), FORMAT));
    }
    Map<String, Object> sums = (Map<String, Object>) meta.get("sha256");
    if (sums == null) {
      throw new IllegalArgumentException(metaFile + " lists no checksums");
    }
    for (Map.Entry<String, Object> e : sums.entrySet()) {
      Path f = folder.resolve(e.getKey());
      if (!Files.isRegularFile(f)) {
        throw new IllegalArgumentException(f + " is missing");
      }
      String actual = sha256(f);
      if (!actual.equals(e.getValue())) {
        throw new IllegalArgumentException(
            String.format(
                "%s is corrupt: SHA-256 %s, expected %s",
                f, actual.substring(0, 12), String.valueOf(e.getValue()).substring(0, 12)));
      }
    }
    return meta;
  }

  /** Checkpoint folders (complete or not), excluding temporary ones and those moved aside. */
  public List<Path> list() {
    return listIn(dir);
  }

  /**
   * Removes the temporary folders ({@code CKPT+....tmp}) that saves killed before their rename left
   * behind, whether empty or partly written. They are never loaded, but they take space and can
   * hold a whole model. Call it only while no save runs in this folder (a run holds its folder's
   * lock).
   *
   * @return the folders removed
   */
  public List<Path> removeIncomplete() {
    List<Path> removed = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return removed;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        String name = p.getFileName().toString();
        if (name.startsWith("CKPT+") && name.endsWith(TMP) && Files.isDirectory(p)) {
          deleteQuietly(p);
          LOG.warn("removed {}: the temporary folder of a save that did not finish", name);
          removed.add(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot list checkpoints in " + dir + ": " + e.getMessage(), e);
    }
    return removed;
  }

  /**
   * The checkpoint folders in {@code dir} (complete or not), excluding temporary ones and those
   * moved aside; empty when {@code dir} does not exist.
   */
  public static List<Path> list(Path dir) {
    return listIn(dir);
  }

  private static List<Path> listIn(Path dir) {
    if (!Files.isDirectory(dir)) {
      return new ArrayList<>();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return new ArrayList<>(
          s.filter(Files::isDirectory)
              .filter(p -> p.getFileName().toString().startsWith("CKPT+"))
              .filter(p -> !p.getFileName().toString().endsWith(TMP))
              .filter(p -> !p.getFileName().toString().endsWith(CORRUPT))
              .toList());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot list checkpoints in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Sort key: progress (epochs, batches) then name (time). */
  private static String progressKey(Path p) {
    String name = p.getFileName().toString();
    int e = name.lastIndexOf("+e");
    String prog = e < 0 ? "" : name.substring(e + 2);
    int b = prog.indexOf('b');
    long epochs = 0;
    long batches = 0;
    try {
      epochs = Long.parseLong(prog.substring(0, b));
      batches = Long.parseLong(prog.substring(b + 1));
    } catch (RuntimeException ignored) {
      // a foreign name sorts first and is tried last
    }
    return String.format("%010d-%010d-%s", epochs, batches, name);
  }

  /**
   * Keeps the last {@code keepLast} and the best {@code keepBest} valid checkpoints, deletes the
   * other valid ones and moves the invalid ones aside. {@code saved} was just written and verified
   * by construction.
   */
  private void prune(Path saved) {
    List<Path> valid = new ArrayList<>();
    for (Path p : list()) {
      if (p.equals(saved) || isValid(p)) {
        valid.add(p);
      }
    }
    valid.sort(Comparator.comparing(Checkpointer::progressKey));
    List<Path> keep =
        new ArrayList<>(
            valid.subList(Math.max(0, valid.size() - options.keepLast()), valid.size()));
    if (options.keepBest() > 0) {
      List<Scored> ranked = ranked(valid, options.metric(), options.minimize());
      for (Scored c : ranked.subList(0, Math.min(options.keepBest(), ranked.size()))) {
        if (!keep.contains(c.folder())) {
          keep.add(c.folder());
        }
      }
    }
    for (Path p : valid) {
      if (!keep.contains(p)) {
        deleteQuietly(p);
      }
    }
  }

  /** Verifies a checkpoint; an invalid one is reported and moved aside, and false returned. */
  private static boolean isValid(Path p) {
    try {
      verify(p);
      return true;
    } catch (RuntimeException e) {
      moveAside(p, e.getMessage());
      return false;
    }
  }

  private static void moveAside(Path p, String why) {
    Path aside = p.resolveSibling(p.getFileName() + CORRUPT);
    for (int i = 2; Files.exists(aside); i++) {
      aside = p.resolveSibling(p.getFileName() + "." + i + CORRUPT);
    }
    try {
      Files.move(p, aside, StandardCopyOption.ATOMIC_MOVE);
      LOG.warn(
          "checkpoint {} is invalid ({}); moved it aside to {}: it is never loaded, delete it when "
              + "you no longer need it",
          p.getFileName(),
          why,
          aside.getFileName());
    } catch (IOException e) {
      deleteQuietly(p);
      LOG.warn(
          "checkpoint {} is invalid ({}) and could not be moved aside ({}); deleted it",
          p.getFileName(),
          why,
          e.getMessage());
    }
  }

  /** A checkpoint and its score on the ranking metric (lower is better). */
  private record Scored(Path folder, double score) {}

  /**
   * The candidates that recorded {@code metric}, best first; ties go to the more advanced
   * checkpoint, so the choice never depends on the folder listing order.
   */
  private static List<Scored> ranked(List<Path> candidates, String metric, boolean minimize) {
    List<Scored> out = new ArrayList<>();
    for (Path p : candidates) {
      try {
        Object v = JsonFile.read(p.resolve("meta.json")).objectOrEmpty("metrics").get(metric);
        if (v instanceof Number n) {
          out.add(new Scored(p, minimize ? n.doubleValue() : -n.doubleValue()));
        }
      } catch (RuntimeException e) {
        // an unreadable one cannot rank; verification reports it
      }
    }
    out.sort(
        Comparator.comparingDouble(Scored::score)
            .thenComparing(Comparator.comparing((Scored c) -> progressKey(c.folder())).reversed()));
    return out;
  }

  /**
   * The best kept valid checkpoint by the ranking metric, if any. Candidates are verified in order
   * of rank; an invalid one is reported and skipped (left in place: only a save moves it aside).
   */
  public Optional<Path> best() {
    return best(list(), options.metric(), options.minimize());
  }

  /**
   * Loads into the model the mean of the weights of the {@code n} best kept valid checkpoints (see
   * {@link #loadModel(Path, Module, String, boolean, int)}); returns them, best first (empty when
   * none recorded the metric).
   */
  public List<Path> loadAverageOfBest(int n) {
    List<Path> chosen = bestValid(list(), options.metric(), options.minimize(), n);
    if (!chosen.isEmpty()) {
      averageInto(model, chosen, n);
    }
    return chosen;
  }

  private static List<Path> bestValid(
      List<Path> candidates, String metric, boolean minimize, int n) {
    List<Path> out = new ArrayList<>();
    for (Scored c : ranked(candidates, metric, minimize)) {
      if (out.size() == n) {
        break;
      }
      if (verifies(c.folder())) {
        out.add(c.folder());
      }
    }
    return out;
  }

  private static void averageInto(Module model, List<Path> folders, int asked) {
    if (folders.size() < asked) {
      LOG.warn(
          "averaging {} checkpoints, not the {} asked: only {} valid ones recorded the metric "
              + "(keep more with keep_best)",
          folders.size(),
          asked,
          folders.size());
    }
    Map<String, Tensor> sum = null;
    try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
      for (Path f : folders) {
        Map<String, Tensor> state = SafeTensors.read(f.resolve("model.safetensors"));
        if (sum == null) {
          sum = new java.util.LinkedHashMap<>();
          for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Tensor t = e.getValue();
            sum.put(
                e.getKey(),
                t.is_floating_point()
                    ? t.to(org.bytedeco.pytorch.global.torch.ScalarType.Double)
                    : t);
          }
        } else {
          for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Tensor acc = sum.get(e.getKey());
            if (acc == null) {
              throw new IllegalArgumentException(
                  f
                      + " has the key '"
                      + e.getKey()
                      + "' that "
                      + folders.get(0)
                      + " lacks: "
                      + "the checkpoints come from different models and cannot be averaged");
            }
            if (acc.is_floating_point()) {
              sum.put(
                  e.getKey(),
                  acc.add(e.getValue().to(org.bytedeco.pytorch.global.torch.ScalarType.Double)));
            }
          }
        }
      }
      Map<String, Tensor> mean = new java.util.LinkedHashMap<>();
      org.bytedeco.pytorch.Scalar count = new org.bytedeco.pytorch.Scalar((double) folders.size());
      for (Map.Entry<String, Tensor> e : sum.entrySet()) {
        Tensor t = e.getValue();
        mean.put(
            e.getKey(),
            t.is_floating_point()
                ? t.div(count).to(org.bytedeco.pytorch.global.torch.ScalarType.Float)
                : t);
      }
      StateDict.load(model, mean, true, "the mean of " + folders);
    }
    LOG.info("loaded the mean of the weights of {} checkpoints: {}", folders.size(), folders);
  }

  private static Optional<Path> best(List<Path> candidates, String metric, boolean minimize) {
    for (Scored c : ranked(candidates, metric, minimize)) {
      if (verifies(c.folder())) {
        return Optional.of(c.folder());
      }
    }
    return Optional.empty();
  }

  private static boolean verifies(Path p) {
    try {
      verify(p);
      return true;
    } catch (RuntimeException e) {
      LOG.warn("skipping checkpoint {}: {}", p.getFileName(), e.getMessage());
      return false;
    }
  }

  private static String whyInvalid(Path p) {
    try {
      verify(p);
      return p.getFileName() + " is valid";
    } catch (RuntimeException e) {
      return e.getMessage();
    }
  }

  /**
   * Loads only the model weights of a checkpoint folder's best valid checkpoint (by {@code metric};
   * the most advanced valid one when none recorded it), for inference: no optimiser, counter or
   * random state is touched. Checkpoints are verified (format, checksums) first; invalid ones are
   * reported and skipped.
   *
   * @return the checkpoint loaded
   * @throws IllegalArgumentException naming the folder when it holds no valid checkpoint
   */
  public static Path loadModel(Path dir, Module model, String metric, boolean minimize) {
    return loadModel(dir, model, metric, minimize, 1);
  }

  /**
   * As {@link #loadModel(Path, Module, String, boolean)}, but with {@code average > 1} the model
   * gets the mean of the weights of the {@code average} best valid checkpoints (SpeechBrain's
   * {@code avg_checkpoints} of its Transformer recipes; integer buffers such as batch counters are
   * the best one's). Fewer kept checkpoints than asked are averaged as they are, with a warning.
   *
   * @return the best checkpoint (the first of those averaged)
   */
  public static Path loadModel(
      Path dir, Module model, String metric, boolean minimize, int average) {
    if (average < 1) {
      throw new IllegalArgumentException(
          "avg_checkpoints is " + average + "; give 1 (the best checkpoint) or more");
    }
    if (average > 1) {
      List<Path> chosen = bestValid(listIn(dir), metric, minimize, average);
      if (!chosen.isEmpty()) {
        averageInto(model, chosen, average);
        return chosen.get(0);
      }
    }
    List<Path> all = listIn(dir);
    if (all.isEmpty()) {
      throw new IllegalArgumentException(
          "no checkpoint in "
              + dir
              + "; train the run first (sonus train ...) or "
              + "point at a run folder that has checkpoints/CKPT+...");
    }
    all.sort(Comparator.comparing(Checkpointer::progressKey).reversed());
    Path chosen =
        best(all, metric, minimize)
            .or(() -> all.stream().filter(Checkpointer::verifies).findFirst())
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "no valid checkpoint in "
                            + dir
                            + ": "
                            + String.join("; ", all.stream().map(Checkpointer::whyInvalid).toList())
                            + ". Train again, or restore the folder from a copy"));
    Map<String, Tensor> state = SafeTensors.read(chosen.resolve("model.safetensors"));
    try {
      StateDict.load(model, state, true, chosen.resolve("model.safetensors").toString());
    } finally {
      state.values().forEach(Tensor::close);
    }
    LOG.info("loaded model weights from {}", chosen);
    return chosen;
  }

  static String sha256(Path f) {
    return Sha256.file(f);
  }

  private static void deleteQuietly(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              q -> {
                try {
                  Files.deleteIfExists(q);
                } catch (IOException ignored) {
                  // best effort: a leftover is reported as an invalid checkpoint later, never
                  // loaded
                }
              });
    } catch (IOException ignored) {
      // same
    }
  }
}
