package dev.sonus.train.schedule;

/**
 * Warms the learning rate up linearly to a peak, then anneals it along a cosine to a minimum.
 *
 * <p>With {@code W = warmup_steps}, {@code T = total_steps}, {@code c = cycles} and {@code progress
 * = (step - W) / (T - W)}:
 *
 * <pre>
 *   step &lt; W:       start_lr + (peak_lr - start_lr) * step / W
 *   W &lt;= step &lt; T:  min_lr + (peak_lr - min_lr) * (1 + cos(2 pi c progress)) / 2
 *   step &gt;= T:      the value at progress 1 (min_lr for the default c = 0.5)
 * </pre>
 *
 * With {@code start_lr = 0} this is Hugging Face's {@code
 * get_cosine_with_min_lr_schedule_with_warmup (num_warmup_steps=W, num_training_steps=T,
 * num_cycles=c, min_lr=min_lr)}, and with {@code min_lr = 0} its {@code
 * get_cosine_schedule_with_warmup}, step for step (both count from 0 as here). One deliberate
 * difference: after {@code T} Hugging Face keeps following the cosine (back up towards the peak),
 * while this schedule stays at its value at {@code T}. Without warm-up and with {@code c = 0.5} it
 * is PyTorch's {@code CosineAnnealingLR(T_max=T, eta_min=min_lr)} stepped per update. {@code c =
 * 1.5} gives three half-waves: down, up, down.
 *
 * <p>Recipe: {@code !new:train.schedule.CosineSchedule {peak_lr: 0.001, warmup_steps: 1000,
 * total_steps: 100000, min_lr: 1.0e-5}}.
 */
public final class CosineSchedule implements LrSchedule {

  /**
   * Settings; keys in recipes are the snake_case names. Null means not given.
   *
   * @param peakLr rate at the end of warm-up; required
   * @param warmupSteps length {@code W} of the linear warm-up, {@code >= 0}
   * @param totalSteps step {@code T} where the cosine ends, {@code > warmupSteps}; required
   * @param minLr the cosine's lowest rate, {@code <= peakLr}
   * @param cycles number of cosine waves between {@code W} and {@code T}, {@code > 0} (0.5: a
   *     single decay)
   * @param startLr rate at step 0, where warm-up starts, {@code <= peakLr}
   */
  public record Options(
      Double peakLr,
      long warmupSteps,
      Long totalSteps,
      double minLr,
      double cycles,
      double startLr) {
    /** Validates the values given (missing ones are reported when the schedule is built). */
    public Options {
      Checks.lr(peakLr, "peak_lr");
      Checks.nonNegative(warmupSteps, "warmup_steps");
      Checks.lr(minLr, "min_lr");
      Checks.lr(startLr, "start_lr");
      if (!(cycles > 0) || Double.isInfinite(cycles)) {
        throw new IllegalArgumentException(
            "cycles is "
                + cycles
                + "; it must be a finite number > 0 (0.5 decays "
                + "once from peak_lr to min_lr)");
      }
      if (totalSteps != null && totalSteps <= warmupSteps) {
        throw new IllegalArgumentException(
            "total_steps is "
                + totalSteps
                + " but warmup_steps is "
                + warmupSteps
                + "; total_steps must be greater (it is where the cosine ends)");
      }
      if (peakLr != null) {
        Checks.notAbove(minLr, "min_lr", peakLr, "peak_lr");
        Checks.notAbove(startLr, "start_lr", peakLr, "peak_lr");
      }
    }

    /** Peak and total steps must be given; no warm-up, down to 0, one half-wave, warm-up from 0. */
    public static Options defaults() {
      return new Options(null, 0, null, 0, 0.5, 0);
    }
  }

  private final double peakLr;
  private final long warmupSteps;
  private final long totalSteps;
  private final double minLr;
  private final double cycles;
  private final double startLr;

  /** Creates the schedule from its settings. */
  public CosineSchedule(Options options) {
    this.peakLr = Checks.required(options.peakLr(), "peak_lr", "0.001");
    this.warmupSteps = options.warmupSteps();
    this.totalSteps = Checks.required(options.totalSteps(), "total_steps", "100000");
    this.minLr = options.minLr();
    this.cycles = options.cycles();
    this.startLr = options.startLr();
  }

  /**
   * Warms up from 0 to {@code peakLr} over {@code warmupSteps}, then a half-cosine down to 0 at
   * {@code totalSteps}.
   */
  public CosineSchedule(double peakLr, long warmupSteps, long totalSteps) {
    this(new Options(peakLr, warmupSteps, totalSteps, 0, 0.5, 0));
  }

  /** Returns the rate after {@code step} updates (formula in the class comment). */
  @Override
  public double lr(long step) {
    Checks.step(step);
    if (step < warmupSteps) {
      return startLr + (peakLr - startLr) * (double) step / (double) warmupSteps;
    }
    double progress =
        Math.min(1.0, (double) (step - warmupSteps) / (double) (totalSteps - warmupSteps));
    return minLr + (peakLr - minLr) * 0.5 * (1.0 + Math.cos(Math.PI * cycles * 2.0 * progress));
  }

  @Override
  public long warmupSteps() {
    return warmupSteps;
  }

  @Override
  public String toString() {
    return "CosineSchedule(peak_lr="
        + Checks.num(peakLr)
        + ", warmup_steps="
        + warmupSteps
        + ", total_steps="
        + totalSteps
        + ", min_lr="
        + Checks.num(minLr)
        + (cycles == 0.5 ? "" : ", cycles=" + Checks.num(cycles))
        + (startLr == 0 ? "" : ", start_lr=" + Checks.num(startLr))
        + ")";
  }
}
