package dev.sonus.train.schedule;

/**
 * Warms the learning rate up along a power curve, {@code (step / T)^power}, then holds or decays
 * it.
 *
 * <p>With {@code T = warmup_steps} and {@code p = power}:
 *
 * <pre>
 *   step &lt; T:   start_lr + (peak_lr - start_lr) * (step / T)^p
 *   step &gt;= T:  the decay from peak_lr ({@link Decay}; none by default)
 * </pre>
 *
 * {@code p = 1} is linear warm-up. {@code p > 1} starts slower than linear and speeds up towards
 * the end: a "sub-exponential" warm-up, between linear and {@link ExponentialWarmupSchedule} (which
 * stays lower for longer), for the large speech-to-text trainings that need a gentler start than
 * linear ("Warmup of large S2T trainings", 2025). {@code p < 1} rises fast and then slows. With
 * {@code start_lr = 0}, {@code lr = peak_lr * (step / T)^p}. No SpeechBrain, PyTorch or fairseq
 * scheduler has this shape.
 *
 * <p>Recipe: {@code !new:train.schedule.PowerWarmupSchedule {peak_lr: 1.0e-3, warmup_steps: 20000,
 * power: 2.0, decay: inverse_sqrt}}.
 */
public final class PowerWarmupSchedule implements LrSchedule {

  /**
   * Settings; keys in recipes are the snake_case names. Null means not given.
   *
   * @param peakLr rate at step {@code warmupSteps}; required
   * @param warmupSteps length {@code T} of the warm-up, {@code >= 1}; required
   * @param power exponent {@code p > 0} (default 2: quadratic, slower than linear at first)
   * @param startLr rate at step 0, {@code <= peakLr}
   * @param decay what follows the warm-up (default none: hold the peak)
   * @param totalSteps where a linear or cosine decay ends; only for those
   * @param finalLr rate at the end of a linear or cosine decay, or the floor of inverse_sqrt
   */
  public record Options(
      Double peakLr,
      Long warmupSteps,
      double power,
      double startLr,
      Decay decay,
      Long totalSteps,
      double finalLr) {
    /** Validates the values given (missing ones are reported when the schedule is built). */
    public Options {
      Checks.lr(peakLr, "peak_lr");
      Checks.positive(warmupSteps, "warmup_steps");
      if (!(power > 0) || Double.isInfinite(power)) {
        throw new IllegalArgumentException(
            "power is "
                + power
                + "; it must be a finite number > 0 (1 is linear, "
                + "above 1 starts slower)");
      }
      Checks.lr(startLr, "start_lr");
      Decay.nonNull(decay);
      if (peakLr != null) {
        Checks.notAbove(startLr, "start_lr", peakLr, "peak_lr");
      }
      if (peakLr != null && warmupSteps != null) {
        Decay.check(decay, warmupSteps, totalSteps, peakLr, finalLr);
      }
    }

    /** Peak and length must be given; power 2, from 0, no decay. */
    public static Options defaults() {
      return new Options(null, null, 2.0, 0, Decay.NONE, null, 0);
    }
  }

  private final double peakLr;
  private final long warmupSteps;
  private final double power;
  private final double startLr;
  private final Decay decay;
  private final Long totalSteps;
  private final double finalLr;

  /** Creates the schedule from its settings. */
  public PowerWarmupSchedule(Options options) {
    this.peakLr = Checks.required(options.peakLr(), "peak_lr", "0.001");
    this.warmupSteps = Checks.required(options.warmupSteps(), "warmup_steps", "20000");
    this.power = options.power();
    this.startLr = options.startLr();
    this.decay = options.decay();
    this.totalSteps = options.totalSteps();
    this.finalLr = options.finalLr();
  }

  /**
   * Creates {@code peakLr * (step / warmupSteps)^power} during warm-up, then holds {@code peakLr}.
   */
  public PowerWarmupSchedule(double peakLr, long warmupSteps, double power) {
    this(new Options(peakLr, warmupSteps, power, 0, Decay.NONE, null, 0));
  }

  /** Returns the rate after {@code step} updates (formula in the class comment). */
  @Override
  public double lr(long step) {
    Checks.step(step);
    if (step < warmupSteps) {
      return startLr + (peakLr - startLr) * Math.pow((double) step / (double) warmupSteps, power);
    }
    return decay.at(step, warmupSteps, totalSteps == null ? 0 : totalSteps, peakLr, finalLr);
  }

  @Override
  public long warmupSteps() {
    return warmupSteps;
  }

  @Override
  public String toString() {
    return "PowerWarmupSchedule(peak_lr="
        + Checks.num(peakLr)
        + ", warmup_steps="
        + warmupSteps
        + ", power="
        + Checks.num(power)
        + (startLr == 0 ? "" : ", start_lr=" + Checks.num(startLr))
        + Decay.describe(decay, totalSteps, finalLr)
        + ")";
  }
}
