package dev.sonus.train.schedule;

/**
 * Warms the learning rate up linearly to a peak, then decays it with the inverse square root of the
 * step (the Noam / "Attention is all you need" schedule written with its peak).
 *
 * <p>With {@code W = warmup_steps}:
 *
 * <pre>
 *   step &lt; W:   start_lr + (peak_lr - start_lr) * step / W
 *   step &gt;= W:  peak_lr * sqrt(W / step)
 * </pre>
 *
 * With {@code start_lr = 0} this is {@code peak_lr * min(step / W, sqrt(W / step))}, the same rates
 * as SpeechBrain's {@code NoamScheduler(lr_initial=peak_lr, n_warmup_steps=W)} (see {@link
 * NoamScheduler} for its {@code model_size} form), and it is fairseq's {@code inverse_sqrt} with
 * {@code lr=peak_lr}, {@code warmup_updates=W}, {@code warmup_init_lr=start_lr}. (SpeechBrain's
 * {@code InverseSquareRootScheduler}, the T5 schedule {@code 1 / sqrt(max(step, W))}, holds instead
 * of warming up; it is not this.)
 *
 * <p>Recipe: {@code !new:train.schedule.InverseSqrtSchedule {peak_lr: 0.001, warmup_steps: 25000}}.
 */
public final class InverseSqrtSchedule implements LrSchedule {

  /**
   * Settings; keys in recipes are the snake_case names. Null means not given.
   *
   * @param peakLr rate at step {@code warmupSteps}; required
   * @param warmupSteps length of the warm-up, {@code >= 1}; required
   * @param startLr rate at step 0 ({@code warmup_init_lr} in fairseq), {@code <= peakLr}
   */
  public record Options(Double peakLr, Long warmupSteps, double startLr) {
    /** Validates the values given (missing ones are reported when the schedule is built). */
    public Options {
      Checks.lr(peakLr, "peak_lr");
      Checks.positive(warmupSteps, "warmup_steps");
      Checks.lr(startLr, "start_lr");
      if (peakLr != null) {
        Checks.notAbove(startLr, "start_lr", peakLr, "peak_lr");
      }
    }

    /** No peak or warm-up (both must be given); warm-up from 0. */
    public static Options defaults() {
      return new Options(null, null, 0);
    }
  }

  private final double peakLr;
  private final long warmupSteps;
  private final double startLr;

  /** Creates the schedule from its settings. */
  public InverseSqrtSchedule(Options options) {
    this.peakLr = Checks.required(options.peakLr(), "peak_lr", "0.001");
    this.warmupSteps = Checks.required(options.warmupSteps(), "warmup_steps", "25000");
    this.startLr = options.startLr();
  }

  /** Creates {@code peakLr * min(step / warmupSteps, sqrt(warmupSteps / step))}. */
  public InverseSqrtSchedule(double peakLr, long warmupSteps) {
    this(new Options(peakLr, warmupSteps, 0));
  }

  /** Returns the rate after {@code step} updates (formula in the class comment). */
  @Override
  public double lr(long step) {
    Checks.step(step);
    if (step < warmupSteps) {
      return startLr + (peakLr - startLr) * (double) step / (double) warmupSteps;
    }
    return peakLr * Math.sqrt((double) warmupSteps / (double) step);
  }

  @Override
  public long warmupSteps() {
    return warmupSteps;
  }

  @Override
  public String toString() {
    return "InverseSqrtSchedule(peak_lr="
        + Checks.num(peakLr)
        + ", warmup_steps="
        + warmupSteps
        + (startLr == 0 ? "" : ", start_lr=" + Checks.num(startLr))
        + ")";
  }
}
