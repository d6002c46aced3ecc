package dev.sonus.cli;

import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Range checks of numeric options, made before a command starts any work: a value out of range is a
 * usage error (exit status 2) that names the option, the value and the allowed range.
 */
final class OptionChecks {
  private OptionChecks() {}

  /** Highest sample rate an option accepts, Hz: above any audio interface's (768 kHz). */
  static final int MAX_SAMPLE_RATE = 768_000;

  /** Largest FFT size an option accepts: 2^16 samples, 4 s at 16 kHz. */
  static final int MAX_N_FFT = 65_536;

  /**
   * Checks that {@code min <= value <= max}.
   *
   * @param what what the option is, e.g. "the FFT size in samples"
   */
  static int intIn(CommandSpec spec, String option, long value, long min, long max, String what) {
    if (value < min || value > max) {
      throw usage(
          spec,
          String.format(
              Locale.ROOT, "%s is %d; it must be in %d..%d (%s)", option, value, min, max, what));
    }
    return (int) value;
  }

  /** Checks that {@code min <= value <= max}, for a {@code long} option. */
  static long longIn(CommandSpec spec, String option, long value, long min, long max, String what) {
    if (value < min || value > max) {
      throw usage(
          spec,
          String.format(
              Locale.ROOT, "%s is %d; it must be in %d..%d (%s)", option, value, min, max, what));
    }
    return value;
  }

  /** Checks that {@code value} is finite and {@code min <= value <= max}. */
  static double finiteIn(
      CommandSpec spec, String option, double value, double min, double max, String what) {
    if (!(value >= min && value <= max)) {
      throw usage(
          spec,
          String.format(
              Locale.ROOT,
              "%s is %s; it must be a finite number in [%s, %s] (%s)",
              option,
              number(value),
              number(min),
              number(max),
              what));
    }
    return value;
  }

  /** Checks that {@code value} is finite and {@code min < value <= max}. */
  static double finiteAbove(
      CommandSpec spec, String option, double value, double min, double max, String what) {
    if (!(value > min && value <= max)) {
      throw usage(
          spec,
          String.format(
              Locale.ROOT,
              "%s is %s; it must be a finite number in (%s, %s] (%s)",
              option,
              number(value),
              number(min),
              number(max),
              what));
    }
    return value;
  }

  /** Checks a sample rate: 1 to {@link #MAX_SAMPLE_RATE} Hz. */
  static int sampleRate(CommandSpec spec, String option, long hz) {
    return intIn(spec, option, hz, 1, MAX_SAMPLE_RATE, "a sample rate in Hz");
  }

  /** A usage error of this command. */
  static ParameterException usage(CommandSpec spec, String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** {@code 0.5}, {@code 1e+300}, {@code NaN}: short and exact enough to recognise. */
  private static String number(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return String.valueOf(v);
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.valueOf((long) v);
    }
    return String.format(Locale.ROOT, "%.6g", v).replaceAll("\\.?0+(?=e|$)", "");
  }
}
