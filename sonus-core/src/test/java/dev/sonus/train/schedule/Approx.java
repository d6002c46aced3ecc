package dev.sonus.train.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Assertions for learning rates computed by hand: equal within a relative 1e-12 (floating-point
 * order only).
 */
final class Approx {
  private Approx() {}

  /** Asserts {@code schedule.lr(step)} equals {@code expected} within a relative 1e-12. */
  static void lr(double expected, LrSchedule schedule, long step) {
    double actual = schedule.lr(step);
    assertEquals(
        expected,
        actual,
        1e-12 * Math.max(Math.abs(expected), 1e-12),
        () -> schedule + " at step " + step + ": expected " + expected + ", got " + actual);
  }
}
