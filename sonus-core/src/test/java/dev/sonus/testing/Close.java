package dev.sonus.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;

/** Numeric comparisons that report the largest difference and where it is. */
public final class Close {
  private Close() {}

  /** Differences between two arrays of equal length. */
  public record Diff(double maxAbs, int at, double meanAbs, double expectedAt, double actualAt) {
    @Override
    public String toString() {
      return String.format(
          "max |diff| %.3g at flat index %d (expected %.7g, got %.7g), mean |diff| %.3g",
          maxAbs, at, expectedAt, actualAt, meanAbs);
    }
  }

  /** Computes max and mean absolute difference. */
  public static Diff diff(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length, "array lengths differ");
    double max = -1;
    int at = 0;
    double sum = 0;
    for (int i = 0; i < expected.length; i++) {
      double d = Math.abs((double) expected[i] - actual[i]);
      if (Double.isNaN(d)) {
        fail("NaN at index " + i + ": expected " + expected[i] + ", got " + actual[i]);
      }
      sum += d;
      if (d > max) {
        max = d;
        at = i;
      }
    }
    return new Diff(
        max,
        at,
        expected.length == 0 ? 0 : sum / expected.length,
        expected.length == 0 ? 0 : expected[at],
        actual.length == 0 ? 0 : actual[at]);
  }

  /**
   * Asserts {@code |expected - actual| <= atol + rtol·|expected|} element-wise; the message gives
   * the worst element. Returns the differences so a test can print or check them further.
   */
  public static Diff assertClose(
      String what, float[] expected, float[] actual, double atol, double rtol) {
    Diff d = diff(expected, actual);
    for (int i = 0; i < expected.length; i++) {
      double limit = atol + rtol * Math.abs(expected[i]);
      if (Math.abs((double) expected[i] - actual[i]) > limit) {
        fail(
            String.format(
                "%s: element %d differs: expected %.7g, got %.7g (tolerance %.3g); overall %s",
                what, i, expected[i], actual[i], limit, d));
      }
    }
    System.out.println(what + ": " + d);
    return d;
  }

  /** Asserts equal shapes with a readable message. */
  public static void assertShape(long[] expected, long[] actual, String what) {
    assertArrayEquals(
        expected,
        actual,
        () ->
            what
                + ": shape "
                + Arrays.toString(actual)
                + ", expected "
                + Arrays.toString(expected));
  }
}
