package dev.sonus.features;

import dev.sonus.tensor.Scopes;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Stacks each frame with its neighbours, as {@code speechbrain.processing.features.ContextWindow}.
 *
 * <p>Shapes: {@code [batch, frames, F] -> [batch, frames, F·(left + right + 1)]}, feature-major:
 * {@code out[t, f·W + j] = in[t + j - left, f]} for {@code j = 0..W-1}, zero outside the sequence.
 */
public final class ContextWindow {
  private final int left;
  private final int right;

  /**
   * Creates a window of {@code left} past and {@code right} future frames (SpeechBrain: 5 and 5).
   */
  public ContextWindow(int left, int right) {
    this.left = FeatureChecks.nonNegative(left, "left_frames");
    this.right = FeatureChecks.nonNegative(right, "right_frames");
  }

  /** Frames per window, {@code left + right + 1}. */
  public int width() {
    return left + right + 1;
  }

  /** Returns the stacked features; the result is in the caller's scope. */
  public Tensor forward(Tensor x) {
    FeatureChecks.featureBatch(x, -1, this);
    return Scopes.freeingTemporaries(() -> compute(x));
  }

  /** {@link #forward} without checks; the result belongs to the caller's scope. */
  Tensor compute(Tensor x) {
    if (left == 0 && right == 0) {
      return x.clone();
    }
    long batch = x.size(0);
    long frames = x.size(1);
    long features = x.size(2);
    // Pad time with zeros, then take a sliding window of width W along it: [B, T, F, W].
    Tensor padded = torch.constant_pad_nd(x, 0, 0, left, right);
    Tensor windows = padded.unfold(1, width(), 1);
    return windows.reshape(batch, frames, features * width());
  }

  @Override
  public String toString() {
    return "ContextWindow(left=" + left + ", right=" + right + ")";
  }
}
