package dev.sonus.train.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Multiplies the learning rate by {@code gamma} every {@code step_size} steps, or at each of a list
 * of milestone steps.
 *
 * <pre>
 *   every N steps:   lr = initial_lr * gamma^floor(step / step_size)
 *   at milestones:   lr = initial_lr * gamma^(number of milestones m with m &lt;= step)
 * </pre>
 *
 * These are PyTorch's {@code StepLR(step_size, gamma)} and {@code MultiStepLR(milestones, gamma)}
 * stepped once per update, step for step (PyTorch's {@code last_epoch} counts from 0 as here).
 * SpeechBrain's {@code StepScheduler} is the epoch-based relative: for {@code E}-epoch drops use
 * {@code step_size = E * steps per epoch}. Unlike {@code MultiStepLR}, milestones must be strictly
 * increasing (no repeated milestone for a double drop).
 *
 * <p>Recipe: {@code !new:train.schedule.StepDecaySchedule {initial_lr: 0.1, gamma: 0.1, milestones:
 * [30000, 60000]}}.
 */
public final class StepDecaySchedule implements LrSchedule {

  /**
   * Settings; keys in recipes are the snake_case names. Null means not given. Give exactly one of
   * {@code stepSize} and {@code milestones}.
   *
   * @param initialLr rate from step 0 to the first drop; required
   * @param gamma factor applied at each drop, in {@code (0, 1]} (PyTorch's default 0.1)
   * @param stepSize steps between drops, {@code >= 1}
   * @param milestones steps where the rate drops, strictly increasing, each {@code >= 1}
   */
  public record Options(Double initialLr, double gamma, Long stepSize, List<Long> milestones) {
    /**
     * Validates the values given (a missing {@code initialLr} is reported when the schedule is
     * built).
     */
    public Options {
      Checks.lr(initialLr, "initial_lr");
      if (!(gamma > 0 && gamma <= 1)) {
        throw new IllegalArgumentException(
            "gamma is "
                + gamma
                + "; it must be in (0, 1] (the rate is multiplied "
                + "by gamma at each drop)");
      }
      Checks.positive(stepSize, "step_size");
      if (milestones != null) {
        if (milestones.stream().anyMatch(Objects::isNull)) {
          throw new IllegalArgumentException(
              "milestones is " + milestones + "; it must hold step numbers");
        }
        milestones = List.copyOf(milestones);
        long previous = 0;
        for (long m : milestones) {
          if (m <= previous) {
            throw new IllegalArgumentException(
                "milestones is "
                    + milestones
                    + "; they must be steps >= 1 in "
                    + "strictly increasing order");
          }
          previous = m;
        }
      }
      if (stepSize != null && milestones != null) {
        throw new IllegalArgumentException(
            "step_size is "
                + stepSize
                + " and milestones is "
                + milestones
                + "; give one of them (regular drops or drops at listed steps)");
      }
    }

    /** The rate and the drops must be given; gamma 0.1 as PyTorch. */
    public static Options defaults() {
      return new Options(null, 0.1, null, null);
    }
  }

  private final double initialLr;
  private final double gamma;
  private final Long stepSize;
  private final long[] milestones;

  /** Creates the schedule from its settings. */
  public StepDecaySchedule(Options options) {
    this.initialLr = Checks.required(options.initialLr(), "initial_lr", "0.1");
    this.gamma = options.gamma();
    this.stepSize = options.stepSize();
    if (stepSize == null && options.milestones() == null) {
      throw new IllegalArgumentException(
          "neither step_size nor milestones is set; give step_size (e.g. "
              + "step_size: 10000 to drop every 10000 steps) or milestones (e.g. milestones: [30000, 60000])");
    }
    this.milestones =
        options.milestones() == null
            ? null
            : options.milestones().stream().mapToLong(Long::longValue).toArray();
  }

  /** Multiplies {@code initialLr} by {@code gamma} every {@code stepSize} steps. */
  public StepDecaySchedule(double initialLr, double gamma, long stepSize) {
    this(new Options(initialLr, gamma, stepSize, null));
  }

  /** Multiplies {@code initialLr} by {@code gamma} at each milestone step. */
  public StepDecaySchedule(double initialLr, double gamma, List<Long> milestones) {
    this(new Options(initialLr, gamma, null, milestones));
  }

  /** Returns the rate after {@code step} updates (formula in the class comment). */
  @Override
  public double lr(long step) {
    Checks.step(step);
    long drops;
    if (stepSize != null) {
      drops = step / stepSize;
    } else {
      drops = 0;
      while (drops < milestones.length && milestones[(int) drops] <= step) {
        drops++;
      }
    }
    return initialLr * Math.pow(gamma, (double) drops);
  }

  @Override
  public String toString() {
    List<Long> ms = new ArrayList<>();
    if (milestones != null) {
      for (long m : milestones) {
        ms.add(m);
      }
    }
    return "StepDecaySchedule(initial_lr="
        + Checks.num(initialLr)
        + ", gamma="
        + Checks.num(gamma)
        + (stepSize != null ? ", step_size=" + stepSize : ", milestones=" + ms)
        + ")";
  }
}
