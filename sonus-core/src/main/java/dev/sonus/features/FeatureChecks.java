package dev.sonus.features;

import dev.sonus.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

/** Argument checks shared by the feature extractors; messages name the setting and the fix. */
final class FeatureChecks {
  private FeatureChecks() {}

  static int positive(int value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " is " + value + "; it must be positive");
    }
    return value;
  }

  static double positive(double value, String name) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          name + " is " + value + "; it must be a positive finite number");
    }
    return value;
  }

  static int nonNegative(int value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " is " + value + "; it must be zero or positive");
    }
    return value;
  }

  /** Checks a {@code [batch, time]} floating-point waveform batch. */
  static void waveformBatch(Tensor wav, Object where) {
    if (wav.dim() != 2) {
      throw new IllegalArgumentException(
          String.format(
              "%s: expected waveforms of shape [batch, time], got %s; add a batch axis with unsqueeze(0) "
                  + "for a single signal",
              where, Tensors.shapeString(wav)));
    }
    if (!wav.is_floating_point()) {
      throw new IllegalArgumentException(
          where + ": expected floating-point samples, got " + Tensors.describe(wav));
    }
  }

  /** Checks a {@code [batch, frames, features]} tensor with the expected feature count. */
  static void featureBatch(Tensor x, long features, Object where) {
    if (x.dim() != 3) {
      throw new IllegalArgumentException(
          String.format(
              "%s: expected features of shape [batch, frames, features], got %s",
              where, Tensors.shapeString(x)));
    }
    if (features > 0 && x.size(2) != features) {
      throw new IllegalArgumentException(
          String.format(
              "%s: input has %d features on its last axis (shape %s), expected %d",
              where, x.size(2), Tensors.shapeString(x), features));
    }
  }
}
