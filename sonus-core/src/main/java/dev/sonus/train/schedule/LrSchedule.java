package dev.sonus.train.schedule;

import java.util.function.LongToDoubleFunction;

/**
 * A learning rate as a pure function of the optimiser step: the same step always gives the same
 * rate, and the schedule keeps no state, so a resumed run needs only its step count.
 *
 * <p>Step indexing: {@code step} is the number of optimiser updates already taken, so {@code lr(0)}
 * is the rate of the first update and {@code lr(s)} the rate of update {@code s + 1}. This is
 * PyTorch's {@code LambdaLR} / Hugging Face's {@code current_step}, fairseq's {@code num_updates}
 * and SpeechBrain's step counters, and it is what {@code Brain} passes ({@code optimizer.steps()}
 * before each update). A schedule that warms up from 0 therefore gives 0 at step 0, as Hugging
 * Face's do.
 *
 * <p>It is a {@link LongToDoubleFunction}, so it can be handed to {@code dev.sonus.train.Brain} as
 * is.
 */
public interface LrSchedule extends LongToDoubleFunction {

  /**
   * Largest {@code lastStep} that {@link #evaluate} accepts (80 MB of doubles); beyond it, loop
   * over {@link #lr}.
   */
  long MAX_EVALUATED_STEP = 10_000_000L;

  /**
   * Returns the learning rate for the update taken after {@code step} updates.
   *
   * @throws IllegalArgumentException when {@code step} is negative
   */
  double lr(long step);

  /**
   * The step at which warm-up ends (the rate first reaches its peak); 0 for a schedule without
   * warm-up.
   */
  default long warmupSteps() {
    return 0;
  }

  /** Same as {@link #lr(long)}, so that a schedule is a {@link LongToDoubleFunction}. */
  @Override
  default double applyAsDouble(long step) {
    return lr(step);
  }

  /**
   * Returns the rates for steps {@code 0..lastStep} (both included; {@code lastStep + 1} values).
   *
   * @throws IllegalArgumentException when {@code lastStep} is negative or above {@link
   *     #MAX_EVALUATED_STEP}
   */
  default double[] evaluate(long lastStep) {
    if (lastStep < 0 || lastStep > MAX_EVALUATED_STEP) {
      throw new IllegalArgumentException(
          "lastStep is "
              + lastStep
              + "; it must be in 0.."
              + MAX_EVALUATED_STEP
              + " (evaluate larger ranges step by step with lr(step))");
    }
    double[] out = new double[Math.toIntExact(lastStep + 1)];
    for (int s = 0; s < out.length; s++) {
      out[s] = lr(s);
    }
    return out;
  }
}
