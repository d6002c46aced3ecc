package dev.sonus.nn;

import dev.sonus.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

/** Argument and shape checks shared by the layers; every message names the value and a fix. */
public final class Checks {
  private Checks() {}

  /** Returns {@code value} if it is at least 1, else throws naming it. */
  public static long positive(long value, String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " is " + value + "; expected a positive number");
    }
    return value;
  }

  /** Returns {@code p} if it is a probability in [0, 1), else throws naming it. */
  public static double dropRate(double p, String name) {
    if (!(p >= 0 && p < 1)) {
      throw new IllegalArgumentException(name + " is " + p + "; expected a drop rate in [0, 1)");
    }
    return p;
  }

  /** Throws unless {@code x} has one of the given numbers of axes. */
  public static void rank(Tensor x, Object where, String layout, int... ranks) {
    for (int r : ranks) {
      if (x.dim() == r) {
        return;
      }
    }
    throw new IllegalArgumentException(
        String.format(
            "%s: input has %d axes (shape %s), expected %s. Reshape the input to that layout.",
            where, x.dim(), Tensors.shapeString(x), layout));
  }

  /** Throws unless the last axis of {@code x} has {@code expected} entries. */
  public static void lastDim(Tensor x, long expected, Object where) {
    long actual = x.size(x.dim() - 1);
    if (actual != expected) {
      throw new IllegalArgumentException(
          String.format(
              "%s: input has %d features on its last axis (shape %s), expected %d. "
                  + "Check that the feature size (e.g. n_mels) matches the layer's input size.",
              where, actual, Tensors.shapeString(x), expected));
    }
  }
}
