package dev.sonus.train.schedule;

import java.util.Locale;

/**
 * Argument checks and number formatting shared by the schedules; messages name the value and the
 * fix.
 */
final class Checks {
  private Checks() {}

  /** Returns {@code step}, or throws when it is negative. */
  static long step(long step) {
    if (step < 0) {
      throw new IllegalArgumentException(
          "step is " + step + "; steps count the optimiser updates already taken, " + "from 0");
    }
    return step;
  }

  /**
   * Returns {@code value}, or throws naming the key and an example when it was not given (null).
   */
  static <T> T required(T value, String name, String example) {
    if (value == null) {
      throw new IllegalArgumentException(
          name + " is not set; give it, e.g. " + name + ": " + example);
    }
    return value;
  }

  /** Returns {@code lr}, or throws unless it is finite and at least 0. */
  static double lr(double lr, String name) {
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException(
          name + " is " + lr + "; it must be a finite learning rate >= 0");
    }
    return lr;
  }

  /** Checks a learning rate that may be null (not given). */
  static void lr(Double lr, String name) {
    if (lr != null) {
      lr(lr.doubleValue(), name);
    }
  }

  /** Returns {@code lr}, or throws unless it is finite and above 0. */
  static double positiveLr(double lr, String name) {
    if (!(lr > 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException(
          name + " is " + lr + "; it must be a finite learning rate > 0");
    }
    return lr;
  }

  /** Returns {@code value}, or throws when it is negative. */
  static long nonNegative(long value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " is " + value + "; it must be >= 0");
    }
    return value;
  }

  /** Checks a count that may be null (not given). */
  static void nonNegative(Long value, String name) {
    if (value != null) {
      nonNegative(value.longValue(), name);
    }
  }

  /** Returns {@code value}, or throws unless it is at least 1. */
  static long positive(long value, String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " is " + value + "; it must be >= 1");
    }
    return value;
  }

  /** Checks a count that may be null (not given). */
  static void positive(Long value, String name) {
    if (value != null) {
      positive(value.longValue(), name);
    }
  }

  /** Returns {@code value}, or throws unless it is finite. */
  static double finite(double value, String name) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(name + " is " + value + "; it must be a finite number");
    }
    return value;
  }

  /** Throws unless {@code low <= high} (both learning rates), naming both. */
  static void notAbove(double low, String lowName, double high, String highName) {
    if (low > high) {
      throw new IllegalArgumentException(
          lowName
              + " is "
              + num(low)
              + " but "
              + highName
              + " is "
              + num(high)
              + "; "
              + lowName
              + " must not exceed "
              + highName);
    }
  }

  /**
   * A number as a recipe would write it: {@code 100}, {@code 0.5}, {@code 1e-4}, {@code 2.5e-5}
   * (shortest text that reads back to the same double).
   */
  static String num(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    String s = Double.toString(v);
    int e = s.indexOf('E');
    if (e < 0) {
      return s;
    }
    String mantissa = s.substring(0, e);
    if (mantissa.endsWith(".0")) {
      mantissa = mantissa.substring(0, mantissa.length() - 2);
    }
    return mantissa + "e" + s.substring(e + 1);
  }

  /** An enum constant as a recipe writes it: {@code inverse_sqrt}. */
  static String name(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
