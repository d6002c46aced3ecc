package dev.sonus.train.schedule;

/**
 * Warms the learning rate up exponentially (a straight line on a log scale) from a small start to
 * the peak, then holds or decays it.
 *
 * <p>With {@code T = warmup_steps}:
 *
 * <pre>
 *   step &lt; T:   start_lr * (peak_lr / start_lr)^(step / T)
 *   step &gt;= T:  the decay from peak_lr ({@link Decay}; none by default)
 * </pre>
 *
 * The rate spends most of the warm-up far below the peak (halfway through it is the geometric mean
 * {@code sqrt(start_lr * peak_lr)}): a much gentler start than linear warm-up, for the large
 * speech-to-text trainings that diverge with a linear one ("Warmup of large S2T trainings", 2025).
 * {@link PowerWarmupSchedule} with {@code power > 1} lies between the two. No SpeechBrain, PyTorch
 * or fairseq scheduler has this shape.
 *
 * <p>Recipe: {@code !new:train.schedule.ExponentialWarmupSchedule {start_lr: 1.0e-7, peak_lr:
 * 1.0e-3, warmup_steps: 20000, decay: cosine, total_steps: 400000}}.
 */
public final class ExponentialWarmupSchedule implements LrSchedule {

  /**
   * Settings; keys in recipes are the snake_case names. Null means not given.
   *
   * @param startLr rate at step 0, {@code > 0} and {@code <= peakLr}; required
   * @param peakLr rate at step {@code warmupSteps}; required
   * @param warmupSteps length {@code T} of the warm-up, {@code >= 1}; required
   * @param decay what follows the warm-up (default none: hold the peak)
   * @param totalSteps where a linear or cosine decay ends; only for those
   * @param finalLr rate at the end of a linear or cosine decay, or the floor of inverse_sqrt
   */
  public record Options(
      Double startLr,
      Double peakLr,
      Long warmupSteps,
      Decay decay,
      Long totalSteps,
      double finalLr) {
    /** Validates the values given (missing ones are reported when the schedule is built). */
    public Options {
      if (startLr != null) {
        Checks.positiveLr(startLr, "start_lr");
      }
      Checks.lr(peakLr, "peak_lr");
      Checks.positive(warmupSteps, "warmup_steps");
      Decay.nonNull(decay);
      if (startLr != null && peakLr != null) {
        Checks.notAbove(startLr, "start_lr", peakLr, "peak_lr");
      }
      if (peakLr != null && warmupSteps != null) {
        Decay.check(decay, warmupSteps, totalSteps, peakLr, finalLr);
      }
    }

    /** Rates and length must be given; no decay. */
    public static Options defaults() {
      return new Options(null, null, null, Decay.NONE, null, 0);
    }
  }

  private final double startLr;
  private final double peakLr;
  private final long warmupSteps;
  private final Decay decay;
  private final Long totalSteps;
  private final double finalLr;

  /** Creates the schedule from its settings. */
  public ExponentialWarmupSchedule(Options options) {
    this.startLr = Checks.required(options.startLr(), "start_lr", "1.0e-7");
    this.peakLr = Checks.required(options.peakLr(), "peak_lr", "0.001");
    this.warmupSteps = Checks.required(options.warmupSteps(), "warmup_steps", "20000");
    this.decay = options.decay();
    this.totalSteps = options.totalSteps();
    this.finalLr = options.finalLr();
  }

  /**
   * Warms up exponentially from {@code startLr} to {@code peakLr} over {@code warmupSteps}, then
   * holds.
   */
  public ExponentialWarmupSchedule(double startLr, double peakLr, long warmupSteps) {
    this(new Options(startLr, peakLr, warmupSteps, Decay.NONE, null, 0));
  }

  /** Returns the rate after {@code step} updates (formula in the class comment). */
  @Override
  public double lr(long step) {
    Checks.step(step);
    if (step < warmupSteps) {
      return startLr * Math.pow(peakLr / startLr, (double) step / (double) warmupSteps);
    }
    return decay.at(step, warmupSteps, totalSteps == null ? 0 : totalSteps, peakLr, finalLr);
  }

  @Override
  public long warmupSteps() {
    return warmupSteps;
  }

  @Override
  public String toString() {
    return "ExponentialWarmupSchedule(start_lr="
        + Checks.num(startLr)
        + ", peak_lr="
        + Checks.num(peakLr)
        + ", warmup_steps="
        + warmupSteps
        + Decay.describe(decay, totalSteps, finalLr)
        + ")";
  }
}
