package dev.sonus.train;

import java.lang.reflect.Method;
import java.util.function.LongToDoubleFunction;

/** Adapts a recipe's learning-rate schedule object to the loop's step → LR function. */
public final class Schedules {
  private Schedules() {}

  /**
   * Returns a step → LR function for {@code schedule}: a {@link LongToDoubleFunction}, or any
   * object with a public {@code double lr(long step)} method.
   *
   * @throws IllegalArgumentException naming the object's class when it is neither
   */
  public static LongToDoubleFunction of(Object schedule, String key) {
    if (schedule == null) {
      return null;
    }
    if (schedule instanceof LongToDoubleFunction f) {
      return f;
    }
    try {
      Method m = schedule.getClass().getMethod("lr", long.class);
      return step -> {
        try {
          return ((Number) m.invoke(schedule, step)).doubleValue();
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(
              key + ": " + schedule + ".lr(" + step + ") failed: " + e.getCause(), e);
        }
      };
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(
          key
              + " is a "
              + schedule.getClass().getName()
              + ", which has no "
              + "lr(long step) method; use a schedule from dev.sonus.train.schedule",
          e);
    }
  }
}
