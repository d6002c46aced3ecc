package dev.sonus.util;

import java.util.Locale;

/**
 * Helpers shared by the readers' limits (audio, checkpoints, manifests, JSON): reading a limit's
 * default from a system property, and wording the error when a limit is hit.
 *
 * <p>Every reader of untrusted files takes a small limits record with documented defaults (for
 * example {@code TorchCheckpoint.Limits}, {@code AudioIO.ReadOptions}). Its {@code defaults()}
 * reads the system property {@code sonus.limits.<reader>.<limit>} when it is set, so that a command
 * line user can raise a limit without code: {@code SONUS_JAVA_OPTS=-Dsonus.limits.audio
 * .maxDecodedBytes=8g ./sonus ...}. Sizes accept a binary suffix {@code k}, {@code m}, {@code g} or
 * {@code t} (powers of 1024).
 */
public final class ReadLimits {
  /** Prefix of every limit's system property. */
  public static final String PROPERTY_PREFIX = "sonus.limits.";

  private ReadLimits() {}

  /**
   * The positive whole number in system property {@code name} (a size suffix {@code k/m/g/t} is
   * allowed), or {@code fallback} when it is unset or blank.
   *
   * @throws IllegalArgumentException naming the property and its value when it is not a positive
   *     whole number
   */
  public static long longProperty(String name, long fallback) {
    String text = System.getProperty(name);
    if (text == null || text.isBlank()) {
      return fallback;
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    long unit = 1;
    char last = t.charAt(t.length() - 1);
    int power = "kmgt".indexOf(last);
    if (power >= 0) {
      unit = 1L << (10 * (power + 1));
      t = t.substring(0, t.length() - 1).trim();
    }
    try {
      long v = Math.multiplyExact(Long.parseLong(t), unit);
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException | ArithmeticException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "system property "
            + name
            + " is '"
            + text
            + "'; expected a positive whole number, optionally with a binary suffix k, m, g or t"
            + " (e.g. 8g); unset it to use the default "
            + fallback);
  }

  /**
   * The positive number in system property {@code name} ({@code inf} or {@code Infinity} allowed),
   * or {@code fallback} when it is unset or blank.
   *
   * @throws IllegalArgumentException naming the property and its value when it is not a positive
   *     number
   */
  public static double doubleProperty(String name, double fallback) {
    String text = System.getProperty(name);
    if (text == null || text.isBlank()) {
      return fallback;
    }
    String t = text.trim();
    double v;
    try {
      v = t.equalsIgnoreCase("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(t);
    } catch (NumberFormatException e) {
      v = Double.NaN;
    }
    if (!(v > 0)) {
      throw new IllegalArgumentException(
          "system property "
              + name
              + " is '"
              + text
              + "'; expected a positive number (or inf); unset it to use the default "
              + fallback);
    }
    return v;
  }

  /**
   * Checks that a limit given in code is positive.
   *
   * @throws IllegalArgumentException naming the limit and the value
   */
  public static long positive(long value, String limit) {
    if (value <= 0) {
      throw new IllegalArgumentException(limit + " is " + value + "; limits must be positive");
    }
    return value;
  }

  /**
   * Checks that a factor given in code is positive (infinity allowed).
   *
   * @throws IllegalArgumentException naming the limit and the value
   */
  public static double positive(double value, String limit) {
    if (!(value > 0)) {
      throw new IllegalArgumentException(
          limit + " is " + value + "; limits must be positive (Double.POSITIVE_INFINITY for none)");
    }
    return value;
  }

  /** {@code a * b} for a non-negative size and factor, saturating at {@link Long#MAX_VALUE}. */
  public static long times(long size, double factor) {
    double v = size * factor;
    return v >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.ceil(v);
  }

  /** A byte count for messages: {@code "1073741824 bytes (1.0 GiB)"}. */
  public static String bytes(long n) {
    if (n < 1024) {
      return n + " bytes";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%d bytes (%.1f %s)", n, v, units[u]);
  }
}
