package dev.sonus.train.schedule;

/**
 * Warms the learning rate up linearly to a peak, then decays it linearly to a final rate (or holds
 * the peak).
 *
 * <p>With {@code W = warmup_steps} and {@code T = total_steps}:
 *
 * <pre>
 *   step &lt; W:       start_lr + (peak_lr - start_lr) * step / W
 *   W &lt;= step &lt; T:  final_lr + (peak_lr - final_lr) * (T - step) / (T - W)
 *   step &gt;= T:      final_lr
 * </pre>
 *
 * Without {@code total_steps} the rate stays at {@code peak_lr} after warm-up. With {@code start_lr
 * = final_lr = 0} this is Hugging Face's {@code get_linear_schedule_with_warmup(num_warmup_steps=W,
 * num_training_steps=T)} and SpeechBrain's {@code LinearWarmupScheduler}, step for step (both count
 * steps from 0 as here).
 *
 * <p>Recipe: {@code !new:train.schedule.LinearWarmupSchedule {peak_lr: 0.001, warmup_steps: 1000,
 * total_steps: 100000}}.
 */
public final class LinearWarmupSchedule implements LrSchedule {

  /**
   * Settings; keys in recipes are the snake_case names ({@code peak_lr}). Null means not given.
   *
   * @param peakLr rate at the end of warm-up; required
   * @param warmupSteps length of the linear warm-up, {@code >= 0} (0: start at the peak)
   * @param totalSteps step where the linear decay reaches {@code finalLr}, {@code > warmupSteps};
   *     null: no decay
   * @param finalLr rate at and after {@code totalSteps}, {@code <= peakLr}
   * @param startLr rate at step 0, where warm-up starts, {@code <= peakLr}
   */
  public record Options(
      Double peakLr, long warmupSteps, Long totalSteps, double finalLr, double startLr) {
    /**
     * Validates the values given (a missing {@code peakLr} is reported when the schedule is built).
     */
    public Options {
      Checks.lr(peakLr, "peak_lr");
      Checks.nonNegative(warmupSteps, "warmup_steps");
      Checks.lr(finalLr, "final_lr");
      Checks.lr(startLr, "start_lr");
      if (totalSteps != null && totalSteps <= warmupSteps) {
        throw new IllegalArgumentException(
            "total_steps is "
                + totalSteps
                + " but warmup_steps is "
                + warmupSteps
                + "; total_steps must be greater (it is where the decay ends), or leave it out for no decay");
      }
      if (totalSteps == null && finalLr != 0) {
        throw new IllegalArgumentException(
            "final_lr is "
                + Checks.num(finalLr)
                + " but total_steps is not set; "
                + "give total_steps (where the decay reaches final_lr) or remove final_lr");
      }
      if (peakLr != null) {
        Checks.notAbove(finalLr, "final_lr", peakLr, "peak_lr");
        Checks.notAbove(startLr, "start_lr", peakLr, "peak_lr");
      }
    }

    /** No peak (must be given), no warm-up, no decay, warm-up from 0. */
    public static Options defaults() {
      return new Options(null, 0, null, 0, 0);
    }
  }

  private final double peakLr;
  private final long warmupSteps;
  private final Long totalSteps;
  private final double finalLr;
  private final double startLr;

  /** Creates the schedule from its settings. */
  public LinearWarmupSchedule(Options options) {
    this.peakLr = Checks.required(options.peakLr(), "peak_lr", "0.001");
    this.warmupSteps = options.warmupSteps();
    this.totalSteps = options.totalSteps();
    this.finalLr = options.finalLr();
    this.startLr = options.startLr();
  }

  /** Warms up from 0 to {@code peakLr} over {@code warmupSteps}, then holds {@code peakLr}. */
  public LinearWarmupSchedule(double peakLr, long warmupSteps) {
    this(new Options(peakLr, warmupSteps, null, 0, 0));
  }

  /**
   * Warms up from 0 to {@code peakLr} over {@code warmupSteps}, then decays linearly to 0 at {@code
   * totalSteps}.
   */
  public LinearWarmupSchedule(double peakLr, long warmupSteps, long totalSteps) {
    this(new Options(peakLr, warmupSteps, totalSteps, 0, 0));
  }

  /** Returns the rate after {@code step} updates (formula in the class comment). */
  @Override
  public double lr(long step) {
    Checks.step(step);
    if (step < warmupSteps) {
      return startLr + (peakLr - startLr) * (double) step / (double) warmupSteps;
    }
    return totalSteps == null
        ? peakLr
        : Decay.LINEAR.at(step, warmupSteps, totalSteps, peakLr, finalLr);
  }

  @Override
  public long warmupSteps() {
    return warmupSteps;
  }

  @Override
  public String toString() {
    return "LinearWarmupSchedule(peak_lr="
        + Checks.num(peakLr)
        + ", warmup_steps="
        + warmupSteps
        + (totalSteps == null
            ? ""
            : ", total_steps=" + totalSteps + ", final_lr=" + Checks.num(finalLr))
        + (startLr == 0 ? "" : ", start_lr=" + Checks.num(startLr))
        + ")";
  }
}
