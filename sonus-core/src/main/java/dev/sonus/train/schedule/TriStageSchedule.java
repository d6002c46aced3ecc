package dev.sonus.train.schedule;

import java.util.List;
import java.util.Objects;

/**
 * Three stages, as fairseq's {@code tri_stage} scheduler (wav2vec 2.0, SpecAugment papers): linear
 * warm-up from a fraction of the peak, a hold at the peak, an exponential decay to a fraction of
 * the peak, then that final rate.
 *
 * <p>With {@code W, H, D} the warm-up, hold and decay lengths, {@code init = init_lr_scale *
 * peak_lr}, {@code final = final_lr_scale * peak_lr}:
 *
 * <pre>
 *   step &lt; W:               init + (peak_lr - init) * step / W
 *   W &lt;= step &lt; W + H:      peak_lr
 *   W + H &lt;= step &lt;= W+H+D:  peak_lr * exp(ln(final_lr_scale) * (step - W - H) / D)
 *   step &gt; W + H + D:       final
 * </pre>
 *
 * The lengths are step counts ({@code warmup_steps}, {@code hold_steps}, {@code decay_steps}) or,
 * as fairseq's {@code phase_ratio}, fractions of {@code max_update}: {@code W = int(max_update *
 * phase_ratio[0])} and so on (truncated, as fairseq does; the ratios must sum to 1 within 1e-6,
 * where fairseq demands exactly 1). Defaults follow fairseq ({@code init_lr_scale = final_lr_scale
 * = 0.01}). Steps count from 0, as fairseq's {@code num_updates}: equal rates at every step.
 * SpeechBrain's {@code TriStageLRSchedule} has the same first three stages but keeps decaying after
 * {@code W + H + D} and defaults {@code final_lr_scale} to 0.05.
 *
 * <p>Recipe: {@code !new:train.schedule.TriStageSchedule {peak_lr: 5.0e-5, phase_ratio: [0.1, 0.4,
 * 0.5], max_update: 320000}}.
 */
public final class TriStageSchedule implements LrSchedule {

  /**
   * Settings; keys in recipes are the snake_case names. Null means not given. Give either the step
   * counts ({@code decaySteps} at least) or {@code phaseRatio} with {@code maxUpdate}.
   *
   * @param peakLr rate of the hold stage; required
   * @param warmupSteps warm-up length {@code W}, {@code >= 0} (default 0)
   * @param holdSteps hold length {@code H}, {@code >= 0} (default 0)
   * @param decaySteps decay length {@code D}, {@code >= 1}
   * @param initLrScale warm-up start as a fraction of the peak, in {@code [0, 1]}
   * @param finalLrScale final rate as a fraction of the peak, in {@code (0, 1]}
   * @param phaseRatio three fractions of {@code maxUpdate} for warm-up, hold and decay, summing to
   *     1
   * @param maxUpdate total updates the ratios apply to, {@code >= 1}; only with {@code phaseRatio}
   */
  public record Options(
      Double peakLr,
      Long warmupSteps,
      Long holdSteps,
      Long decaySteps,
      double initLrScale,
      double finalLrScale,
      List<Double> phaseRatio,
      Long maxUpdate) {
    /** Validates the values given (missing ones are reported when the schedule is built). */
    public Options {
      Checks.lr(peakLr, "peak_lr");
      Checks.nonNegative(warmupSteps, "warmup_steps");
      Checks.nonNegative(holdSteps, "hold_steps");
      Checks.positive(decaySteps, "decay_steps");
      if (!(initLrScale >= 0 && initLrScale <= 1)) {
        throw new IllegalArgumentException(
            "init_lr_scale is "
                + initLrScale
                + "; it must be in [0, 1] (the "
                + "warm-up starts at init_lr_scale * peak_lr)");
      }
      if (!(finalLrScale > 0 && finalLrScale <= 1)) {
        throw new IllegalArgumentException(
            "final_lr_scale is "
                + finalLrScale
                + "; it must be in (0, 1] (the "
                + "decay ends at final_lr_scale * peak_lr; exponential decay never reaches 0)");
      }
      if (phaseRatio != null) {
        if (phaseRatio.stream().anyMatch(Objects::isNull)) {
          throw new IllegalArgumentException(
              "phase_ratio is "
                  + phaseRatio
                  + "; it must hold 3 numbers, e.g. "
                  + "[0.1, 0.4, 0.5]");
        }
        phaseRatio = List.copyOf(phaseRatio);
        if (warmupSteps != null || holdSteps != null || decaySteps != null) {
          throw new IllegalArgumentException(
              "phase_ratio is "
                  + phaseRatio
                  + " and step counts are given too; "
                  + "give either phase_ratio with max_update, or warmup_steps, hold_steps and decay_steps");
        }
        if (phaseRatio.size() != 3) {
          throw new IllegalArgumentException(
              "phase_ratio is "
                  + phaseRatio
                  + "; it must have 3 fractions "
                  + "(warm-up, hold, decay), e.g. [0.1, 0.4, 0.5]");
        }
        double sum = 0;
        for (double r : phaseRatio) {
          if (!(r >= 0 && r <= 1)) {
            throw new IllegalArgumentException(
                "phase_ratio is " + phaseRatio + "; each fraction must be in [0, 1]");
          }
          sum += r;
        }
        if (Math.abs(sum - 1) > 1e-6) {
          throw new IllegalArgumentException(
              "phase_ratio is "
                  + phaseRatio
                  + ", which sums to "
                  + sum
                  + "; the fractions must sum to 1");
        }
        Checks.positive(maxUpdate, "max_update");
      } else if (maxUpdate != null) {
        throw new IllegalArgumentException(
            "max_update is "
                + maxUpdate
                + " but phase_ratio is not set; "
                + "max_update is only used with phase_ratio (give phase_ratio, or remove max_update)");
      }
    }

    /** Peak and lengths must be given; fairseq's scales 0.01 and 0.01. */
    public static Options defaults() {
      return new Options(null, null, null, null, 0.01, 0.01, null, null);
    }
  }

  private final double peakLr;
  private final long warmupSteps;
  private final long holdSteps;
  private final long decaySteps;
  private final double initLrScale;
  private final double finalLrScale;
  private final double initLr;
  private final double finalLr;
  private final double warmupRate;
  private final double decayFactor;

  /** Creates the schedule from its settings. */
  public TriStageSchedule(Options options) {
    this.peakLr = Checks.required(options.peakLr(), "peak_lr", "5.0e-5");
    if (options.phaseRatio() != null) {
      long max = Checks.required(options.maxUpdate(), "max_update", "320000");
      List<Double> r = options.phaseRatio();
      // Python's int() truncates, as this cast does.
      this.warmupSteps = (long) (max * r.get(0));
      this.holdSteps = (long) (max * r.get(1));
      this.decaySteps = (long) (max * r.get(2));
      if (decaySteps < 1) {
        throw new IllegalArgumentException(
            "phase_ratio "
                + r
                + " with max_update "
                + max
                + " gives a decay of "
                + decaySteps
                + " steps; it must be >= 1: raise phase_ratio[2] or max_update");
      }
    } else {
      this.warmupSteps = options.warmupSteps() == null ? 0 : options.warmupSteps();
      this.holdSteps = options.holdSteps() == null ? 0 : options.holdSteps();
      this.decaySteps = Checks.required(options.decaySteps(), "decay_steps", "60000");
    }
    this.initLrScale = options.initLrScale();
    this.finalLrScale = options.finalLrScale();
    this.initLr = initLrScale * peakLr;
    this.finalLr = finalLrScale * peakLr;
    this.warmupRate = warmupSteps != 0 ? (peakLr - initLr) / warmupSteps : 0;
    this.decayFactor = -Math.log(finalLrScale) / decaySteps;
  }

  /**
   * Creates the schedule from step counts with fairseq's scales (0.01 at the start and at the end).
   */
  public TriStageSchedule(double peakLr, long warmupSteps, long holdSteps, long decaySteps) {
    this(new Options(peakLr, warmupSteps, holdSteps, decaySteps, 0.01, 0.01, null, null));
  }

  /**
   * Returns the rate after {@code step} updates (formula in the class comment; fairseq's stage
   * arithmetic).
   */
  @Override
  public double lr(long step) {
    Checks.step(step);
    if (step < warmupSteps) {
      return initLr + warmupRate * step;
    }
    long offset = warmupSteps;
    if (step < offset + holdSteps) {
      return peakLr;
    }
    offset += holdSteps;
    if (step <= offset + decaySteps) {
      return peakLr * Math.exp(-decayFactor * (step - offset));
    }
    return finalLr;
  }

  @Override
  public long warmupSteps() {
    return warmupSteps;
  }

  /** The hold length {@code H} in steps (resolved from the ratios when they were given). */
  public long holdSteps() {
    return holdSteps;
  }

  /** The decay length {@code D} in steps (resolved from the ratios when they were given). */
  public long decaySteps() {
    return decaySteps;
  }

  @Override
  public String toString() {
    return "TriStageSchedule(peak_lr="
        + Checks.num(peakLr)
        + ", warmup_steps="
        + warmupSteps
        + ", hold_steps="
        + holdSteps
        + ", decay_steps="
        + decaySteps
        + ", init_lr_scale="
        + Checks.num(initLrScale)
        + ", final_lr_scale="
        + Checks.num(finalLrScale)
        + ")";
  }
}
