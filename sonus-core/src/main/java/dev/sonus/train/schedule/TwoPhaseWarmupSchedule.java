package dev.sonus.train.schedule;

/**
 * Warms the learning rate up in two linear phases, first gently to a small rate and then to the
 * peak, then decays it (OWSM v3.1's piecewise-linear warm-up, which keeps large speech models from
 * diverging early).
 *
 * <p>With {@code W1 = first_warmup_steps}, {@code W2 = second_warmup_steps}, {@code W = W1 + W2}:
 *
 * <pre>
 *   step &lt; W1:       start_lr + (first_warmup_lr - start_lr) * step / W1
 *   W1 &lt;= step &lt; W:  first_warmup_lr + (peak_lr - first_warmup_lr) * (step - W1) / W2
 *   step &gt;= W:       the decay from peak_lr ({@link Decay}; inverse_sqrt by default: peak_lr * sqrt(W / step))
 * </pre>
 *
 * Counterpart: ESPnet's {@code PiecewiseLinearWarmupLR(warmup_steps_list=[0, W1, W],
 * warmup_lr_list=[start_lr, first_warmup_lr, peak_lr])} with the optimiser's {@code lr = peak_lr},
 * which then decays as {@code peak_lr * sqrt(W / step)}. ESPnet counts steps from 1, so it reaches
 * each rate one update earlier than this schedule (which counts from 0, see {@link LrSchedule}).
 *
 * <p>Recipe: {@code !new:train.schedule.TwoPhaseWarmupSchedule {first_warmup_steps: 30000,
 * first_warmup_lr: 5.0e-5, second_warmup_steps: 30000, peak_lr: 2.0e-4}}.
 */
public final class TwoPhaseWarmupSchedule implements LrSchedule {

  /**
   * Settings; keys in recipes are the snake_case names. Null means not given.
   *
   * @param firstWarmupSteps length {@code W1} of the first phase, {@code >= 1}; required
   * @param firstWarmupLr rate reached at the end of the first phase, between {@code startLr} and
   *     {@code peakLr}; required
   * @param secondWarmupSteps length {@code W2} of the second phase, {@code >= 1}; required
   * @param peakLr rate reached at step {@code W1 + W2}; required
   * @param startLr rate at step 0
   * @param decay what follows the warm-up (default inverse_sqrt)
   * @param totalSteps where a linear or cosine decay ends; only for those
   * @param finalLr rate at the end of a linear or cosine decay, or the floor of inverse_sqrt
   */
  public record Options(
      Long firstWarmupSteps,
      Double firstWarmupLr,
      Long secondWarmupSteps,
      Double peakLr,
      double startLr,
      Decay decay,
      Long totalSteps,
      double finalLr) {
    /** Validates the values given (missing ones are reported when the schedule is built). */
    public Options {
      Checks.positive(firstWarmupSteps, "first_warmup_steps");
      Checks.positive(secondWarmupSteps, "second_warmup_steps");
      Checks.lr(firstWarmupLr, "first_warmup_lr");
      Checks.lr(peakLr, "peak_lr");
      Checks.lr(startLr, "start_lr");
      Decay.nonNull(decay);
      if (firstWarmupLr != null) {
        Checks.notAbove(startLr, "start_lr", firstWarmupLr, "first_warmup_lr");
      }
      if (firstWarmupLr != null && peakLr != null) {
        Checks.notAbove(firstWarmupLr, "first_warmup_lr", peakLr, "peak_lr");
      }
      if (firstWarmupSteps != null && secondWarmupSteps != null && peakLr != null) {
        Decay.check(decay, firstWarmupSteps + secondWarmupSteps, totalSteps, peakLr, finalLr);
      }
    }

    /**
     * Phases and rates must be given; warm-up from 0; inverse square root decay without a floor.
     */
    public static Options defaults() {
      return new Options(null, null, null, null, 0, Decay.INVERSE_SQRT, null, 0);
    }
  }

  private final long firstSteps;
  private final double firstLr;
  private final long warmupEnd;
  private final double peakLr;
  private final double startLr;
  private final Decay decay;
  private final Long totalSteps;
  private final double finalLr;

  /** Creates the schedule from its settings. */
  public TwoPhaseWarmupSchedule(Options options) {
    this.firstSteps = Checks.required(options.firstWarmupSteps(), "first_warmup_steps", "30000");
    this.firstLr = Checks.required(options.firstWarmupLr(), "first_warmup_lr", "5.0e-5");
    long secondSteps = Checks.required(options.secondWarmupSteps(), "second_warmup_steps", "30000");
    this.peakLr = Checks.required(options.peakLr(), "peak_lr", "2.0e-4");
    this.warmupEnd = Math.addExact(firstSteps, secondSteps);
    this.startLr = options.startLr();
    this.decay = options.decay();
    this.totalSteps = options.totalSteps();
    this.finalLr = options.finalLr();
  }

  /**
   * Warms up from 0 to {@code firstWarmupLr}, then to {@code peakLr}, then decays as {@code sqrt(W
   * / step)}.
   */
  public TwoPhaseWarmupSchedule(
      long firstWarmupSteps, double firstWarmupLr, long secondWarmupSteps, double peakLr) {
    this(
        new Options(
            firstWarmupSteps,
            firstWarmupLr,
            secondWarmupSteps,
            peakLr,
            0,
            Decay.INVERSE_SQRT,
            null,
            0));
  }

  /** Returns the rate after {@code step} updates (formula in the class comment). */
  @Override
  public double lr(long step) {
    Checks.step(step);
    if (step < firstSteps) {
      return startLr + (firstLr - startLr) * (double) step / (double) firstSteps;
    }
    if (step < warmupEnd) {
      return firstLr
          + (peakLr - firstLr) * (double) (step - firstSteps) / (double) (warmupEnd - firstSteps);
    }
    return decay.at(step, warmupEnd, totalSteps == null ? 0 : totalSteps, peakLr, finalLr);
  }

  @Override
  public long warmupSteps() {
    return warmupEnd;
  }

  @Override
  public String toString() {
    return "TwoPhaseWarmupSchedule(first_warmup_steps="
        + firstSteps
        + ", first_warmup_lr="
        + Checks.num(firstLr)
        + ", second_warmup_steps="
        + (warmupEnd - firstSteps)
        + ", peak_lr="
        + Checks.num(peakLr)
        + (startLr == 0 ? "" : ", start_lr=" + Checks.num(startLr))
        + Decay.describe(decay, totalSteps, finalLr)
        + ")";
  }
}
