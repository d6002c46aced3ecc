package dev.sonus.train;

import dev.sonus.data.Batch;
import dev.sonus.data.DataLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongToDoubleFunction;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop, as SpeechBrain's {@code Brain.fit}/{@code evaluate}, with the model's
 * computation supplied by a {@link Task} and the optimiser, schedule and listeners passed in (no
 * giant constructor).
 *
 * <p>Each step runs inside one {@code PointerScope}: only Java numbers leave it, so native memory
 * stays flat over epochs. Training steps use train mode; validation and test use eval mode without
 * gradients. Features: gradient accumulation, gradient-norm clipping, a guard that skips steps
 * whose loss or gradient norm is not finite and aborts with a clear message after {@code
 * nonFinitePatience} consecutive ones, and optional per-step time and memory accounting.
 *
 * @param <P> the task's prediction type
 */
public final class Brain<P> {
  private static final Logger LOG = LoggerFactory.getLogger(Brain.class);

  /**
   * Loop settings.
   *
   * @param gradAccumulation batches whose gradients are summed before one optimiser step
   *     (SpeechBrain's {@code grad_accumulation_factor})
   * @param maxGradNorm clip the global gradient norm to this (SpeechBrain's {@code max_grad_norm});
   *     0 = off
   * @param nonFinitePatience consecutive non-finite steps tolerated before aborting ({@code
   *     nonfinite_patience})
   * @param profile measure per-step time and native memory
   */
  public record Options(
      int gradAccumulation, double maxGradNorm, int nonFinitePatience, boolean profile) {
    /** Validates the settings. */
    public Options {
      if (gradAccumulation < 1) {
        throw new IllegalArgumentException(
            "grad_accumulation_factor is " + gradAccumulation + "; it must be >= 1");
      }
      if (maxGradNorm < 0 || Double.isNaN(maxGradNorm)) {
        throw new IllegalArgumentException(
            "max_grad_norm is " + maxGradNorm + "; use 0 to disable clipping");
      }
      if (nonFinitePatience < 0) {
        throw new IllegalArgumentException(
            "nonfinite_patience is " + nonFinitePatience + "; it must be >= 0");
      }
    }

    /** SpeechBrain's defaults: no accumulation, clip at 5, patience 3, no profiling. */
    public static Options defaults() {
      return new Options(1, 5.0, 3, false);
    }
  }

  /**
   * What happened in one stage of one epoch.
   *
   * @param epoch 1-based epoch (0 for a final evaluation)
   * @param stage the stage
   * @param metrics the task's metrics ({@code loss} at least)
   * @param lr learning rate at the end of the stage (training) or the current one
   * @param seconds wall time of the stage
   * @param loaderWaitSeconds time the loop waited for batches
   * @param steps optimiser steps taken (training)
   * @param skippedSteps steps skipped because the loss or gradients were not finite
   * @param meanStepSeconds mean time of a batch (profiling on), else NaN
   * @param peakNativeBytes highest native memory seen at a step end (profiling on), else -1
   */
  public record StageResult(
      int epoch,
      Stage stage,
      Map<String, Double> metrics,
      double lr,
      double seconds,
      double loaderWaitSeconds,
      long steps,
      int skippedSteps,
      double meanStepSeconds,
      long peakNativeBytes) {}

  /** Told about each finished stage (logs, checkpoints, early stopping). */
  @FunctionalInterface
  public interface Listener {
    /** Called after each stage; may throw to stop training. */
    void onStageEnd(StageResult result);
  }

  private final Task<P> task;
  private final Optimizer optimizer;
  private final LongToDoubleFunction schedule;
  private final Options options;
  private final List<Listener> listeners = new ArrayList<>();
  private final List<java.util.function.LongConsumer> stepHooks = new ArrayList<>();
  private final List<java.util.function.Consumer<Checkpointer.Position>> resumeHooks =
      new ArrayList<>();
  private Checkpointer checkpointer;
  private Progress progress;
  private int consecutiveNonFinite;
  private volatile StopSignal.Scope stop;
  // where the last training stage ended: what a stop during the validation after it saves
  private Checkpointer.Position trainEnd;

  /**
   * Creates a loop.
   *
   * @param optimizer the optimiser; null for a loop that only evaluates ({@link #evaluate})
   * @param schedule learning rate as a function of the optimiser step about to be taken (0-based);
   *     null keeps the optimiser's LR
   */
  public Brain(Task<P> task, Optimizer optimizer, LongToDoubleFunction schedule, Options options) {
    this.task = task;
    this.optimizer = optimizer;
    this.schedule = schedule;
    this.options = options;
  }

  /** Adds a listener, called in order after every stage. */
  public Brain<P> addListener(Listener listener) {
    listeners.add(listener);
    return this;
  }

  /**
   * Saves checkpoints with {@code checkpointer} (at each epoch end, and inside epochs when its
   * interval says so) and resumes from its latest valid checkpoint when {@link #fit} starts. The
   * checkpointer must hold the same epoch counter that is passed to {@code fit}.
   */
  public Brain<P> withCheckpointer(Checkpointer checkpointer) {
    this.checkpointer = checkpointer;
    return this;
  }

  /** Reports progress after every batch (a bar on a terminal, periodic log lines otherwise). */
  public Brain<P> withProgress(Progress progress) {
    this.progress = progress;
    return this;
  }

  /** Adds a hook called after every optimiser step with the step count (progress, tests). */
  public Brain<P> onStep(java.util.function.LongConsumer hook) {
    stepHooks.add(hook);
    return this;
  }

  /**
   * Adds a hook called once when {@link #fit} starts, before any training, with the position it
   * continues from: the recovered checkpoint's, or the counter's completed epochs (0 batches) when
   * there is none. A run uses it to cut its log back to that position.
   */
  public Brain<P> onResume(java.util.function.Consumer<Checkpointer.Position> hook) {
    resumeHooks.add(hook);
    return this;
  }

  /**
   * Trains for the counter's remaining epochs, validating after each when {@code valid} is given.
   * With a checkpointer, first recovers the latest checkpoint and continues from its position,
   * mid-epoch included, so that the result equals an uninterrupted run.
   */
  public List<StageResult> fit(EpochCounter epochs, DataLoader train, DataLoader valid) {
    try (StopSignal.Scope scope = StopSignal.open()) {
      stop = scope;
      return fitStages(epochs, train, valid);
    } finally {
      stop = null;
      trainEnd = null;
    }
  }

  private List<StageResult> fitStages(EpochCounter epochs, DataLoader train, DataLoader valid) {
    Checkpointer.Position start = null;
    if (checkpointer != null) {
      start = checkpointer.recoverLatest().map(Checkpointer.Recovered::position).orElse(null);
    }
    Checkpointer.Position resumedFrom =
        start != null ? start : new Checkpointer.Position(epochs.current(), 0, 0, 0, 0);
    for (java.util.function.Consumer<Checkpointer.Position> hook : resumeHooks) {
      hook.accept(resumedFrom);
    }
    List<StageResult> results = new ArrayList<>();
    while (epochs.hasNext()) {
      int epoch = epochs.next();
      Checkpointer.Position from =
          start != null && start.batchesDone() > 0
              ? start
              : new Checkpointer.Position(epoch - 1, 0, 0, 0, 0);
      start = null;
      StageResult t = runStage(Stage.TRAIN, epoch, train, from);
      results.add(t);
      notify(t);
      Map<String, Double> ranked = t.metrics();
      if (valid != null) {
        StageResult v = runStage(Stage.VALID, epoch, valid, null);
        results.add(v);
        notify(v);
        ranked = v.metrics();
      }
      if (checkpointer != null) {
        checkpointer.save(new Checkpointer.Position(epoch, 0, 0, 0, 0), ranked);
      }
    }
    return results;
  }

  /** Evaluates on test data (eval mode, no gradients). */
  public StageResult evaluate(DataLoader test) {
    StageResult r;
    try (StopSignal.Scope scope = StopSignal.open()) {
      stop = scope;
      r = runStage(Stage.TEST, 0, test, null);
    } finally {
      stop = null;
    }
    notify(r);
    return r;
  }

  private void notify(StageResult r) {
    LOG.info(
        String.format(
            Locale.ROOT,
            "epoch %d %s: %s%s (%.1f s, loader wait %.1f s%s)",
            r.epoch(),
            r.stage().name().toLowerCase(Locale.ROOT),
            format(r.metrics()),
            Double.isNaN(r.lr()) ? "" : String.format(Locale.ROOT, " lr=%.3g", r.lr()),
            r.seconds(),
            r.loaderWaitSeconds(),
            r.skippedSteps() > 0 ? ", " + r.skippedSteps() + " non-finite steps skipped" : ""));
    for (Listener l : listeners) {
      l.onStageEnd(r);
    }
  }

  /**
   * Ends a stage on a stop request (see {@link StopSignal}) after batch {@code seen}. With a
   * checkpointer, a training stage first saves {@code position} and a validation stage the end of
   * the epoch's training, so that the same command continues from there.
   */
  private void stopHere(
      Stage stage, int epoch, int seen, int total, Checkpointer.Position position) {
    String where =
        String.format(
            Locale.ROOT,
            "%s stopped on request after batch %d of %d of epoch %d",
            stage.name().toLowerCase(Locale.ROOT),
            seen,
            total,
            epoch);
    Checkpointer.Position keep =
        stage == Stage.TRAIN ? position : stage == Stage.VALID ? trainEnd : null;
    if (keep != null && checkpointer != null) {
      Path saved = checkpointer.save(keep, Map.of());
      throw new StopSignal.Stopped(
          where
              + "; saved checkpoint "
              + saved.getFileName()
              + (stage == Stage.VALID ? " (the epoch's training)" : "")
              + ": run the same command again to continue from there");
    }
    throw new StopSignal.Stopped(
        where
            + (stage == Stage.TEST
                ? "; nothing was written"
                : "; there is no checkpointer, so nothing was saved"));
  }

  private StageResult runStage(
      Stage stage, int epoch, DataLoader loader, Checkpointer.Position from) {
    boolean training = stage == Stage.TRAIN;
    task.model().train(training);
    task.onStageStart(stage, epoch);
    long start = System.nanoTime();
    double lossSum = from == null ? 0 : from.lossSum();
    int batches = from == null ? 0 : from.lossBatches();
    int skipped = from == null ? 0 : from.skipped();
    int done = from == null ? 0 : from.batchesDone();
    long stepNanos = 0;
    long peak = -1;
    int pending = 0;
    DataLoader.Epoch pass = loader.epoch(Math.max(epoch, 1), done);
    int total = done + pass.size();
    int seen = done;
    try (pass) {
      for (Batch batch : pass) {
        long t0 = System.nanoTime();
        boolean stepped = false;
        try (batch;
            PointerScope scope = new PointerScope()) {
          if (training) {
            done++;
            Double loss = trainBatch(batch, epoch, batches);
            if (loss == null) {
              skipped++;
              pending = 0;
            } else {
              lossSum += loss;
              batches++;
              pending++;
              if (pending == options.gradAccumulation()) {
                if (!applyUpdate(epoch, batch)) {
                  skipped++;
                } else {
                  stepped = true;
                }
                pending = 0;
              }
            }
          } else {
            try (NoGradGuard noGrad = new NoGradGuard()) {
              P out = task.computeForward(batch, stage);
              lossSum += task.computeObjectives(out, batch, stage).item_double();
              batches++;
            }
          }
        }
        if (options.profile()) {
          stepNanos += System.nanoTime() - t0;
          peak = Math.max(peak, Pointer.physicalBytes());
        }
        seen++;
        if (progress != null) {
          progress.update(
              stage,
              epoch,
              seen,
              total,
              (System.nanoTime() - start) / 1e9,
              batches == 0 ? Double.NaN : lossSum / batches);
        }
        if (stepped) {
          if (checkpointer != null && checkpointer.dueInsideEpoch()) {
            checkpointer.save(
                new Checkpointer.Position(epoch - 1, done, lossSum, batches, skipped), Map.of());
          }
          for (java.util.function.LongConsumer hook : stepHooks) {
            hook.accept(optimizer.steps());
          }
        }
        if (stop != null && stop.requested() && pending == 0) {
          stopHere(
              stage,
              epoch,
              seen,
              total,
              new Checkpointer.Position(epoch - 1, done, lossSum, batches, skipped));
        }
      }
      if (training && pending > 0) {
        try (PointerScope scope = new PointerScope()) {
          if (!applyUpdate(epoch, null)) {
            skipped++;
          }
        }
      }
      if (training) {
        trainEnd = new Checkpointer.Position(epoch - 1, done, lossSum, batches, skipped);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double avg = batches == 0 ? Double.NaN : lossSum / batches;
    Map<String, Double> metrics = new LinkedHashMap<>(task.onStageEnd(stage, epoch, avg));
    return new StageResult(
        epoch,
        stage,
        // The task's order, so that logs and metrics.json are byte-identical from run to run.
        java.util.Collections.unmodifiableMap(metrics),
        optimizer == null ? Double.NaN : optimizer.lr(),
        seconds,
        pass.stats().waitSeconds(),
        optimizer == null ? 0 : optimizer.steps(),
        skipped,
        options.profile() && batches > 0 ? stepNanos / 1e9 / (batches + skipped) : Double.NaN,
        peak);
  }

  /**
   * Forward and backward of one batch; returns its loss, or null when the loss was not finite
   * (skipped).
   */
  private Double trainBatch(Batch batch, int epoch, int index) {
    P out = task.computeForward(batch, Stage.TRAIN);
    Tensor loss = task.computeObjectives(out, batch, Stage.TRAIN);
    double value = loss.item_double();
    if (!Double.isFinite(value)) {
      nonFinite(
          String.format(
              Locale.ROOT,
              "loss is %s at epoch %d, batch %d (items %s)",
              value,
              epoch,
              index,
              batch.ids()));
      optimizer.zeroGrad();
      return null;
    }
    consecutiveNonFinite = 0;
    if (options.gradAccumulation() > 1) {
      loss = loss.div(new org.bytedeco.pytorch.Scalar((double) options.gradAccumulation()));
    }
    loss.backward();
    return value;
  }

  /**
   * Clips, checks and applies the accumulated gradients; false when they were not finite (step
   * skipped).
   */
  private boolean applyUpdate(int epoch, Batch lastBatch) {
    List<Tensor> params = optimizer.parameters();
    double norm =
        options.maxGradNorm() > 0
            ? torch.clip_grad_norm_(
                new TensorVector(params.toArray(new Tensor[0])), options.maxGradNorm())
            : 0.0;
    if (!Double.isFinite(norm)) {
      nonFinite(
          String.format(
              Locale.ROOT,
              "gradient norm is %s at epoch %d%s",
              norm,
              epoch,
              lastBatch == null ? "" : " (last items " + lastBatch.ids() + ")"));
      optimizer.zeroGrad();
      return false;
    }
    if (schedule != null) {
      optimizer.setLr(schedule.applyAsDouble(optimizer.steps()));
    }
    optimizer.step();
    optimizer.zeroGrad();
    return true;
  }

  private void nonFinite(String what) {
    consecutiveNonFinite++;
    LOG.warn(
        "skipping a step: {} ({} in a row, patience {})",
        what,
        consecutiveNonFinite,
        options.nonFinitePatience());
    if (consecutiveNonFinite > options.nonFinitePatience()) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "training stopped: %s, and the %d steps before it "
                  + "were not finite either (nonfinite_patience %d). Lower the learning rate, enable or tighten gradient "
                  + "clipping (max_grad_norm), or check the data of these items.",
              what,
              consecutiveNonFinite - 1,
              options.nonFinitePatience()));
    }
  }

  private static String format(Map<String, Double> metrics) {
    StringBuilder sb = new StringBuilder();
    metrics.forEach(
        (k, v) ->
            sb.append(k).append('=').append(String.format(Locale.ROOT, "%.4g", v)).append(' '));
    return sb.toString().trim();
  }
}
