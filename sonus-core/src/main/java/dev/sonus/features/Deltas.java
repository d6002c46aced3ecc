package dev.sonus.features;

import dev.sonus.tensor.Scopes;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Time derivatives of features by linear regression over {@code windowLength} frames, as {@code
 * speechbrain.processing.features.Deltas}.
 *
 * <p>Shapes: {@code [batch, frames, features] -> [batch, frames, features]}. With {@code n =
 * (windowLength-1)/2}, {@code d[t] = Σ_k k·x[t+k] / (2·Σ_k k²)} for {@code k = -n..n}, the edges
 * padded by repeating the first and last frames.
 */
public final class Deltas {
  private final int windowLength;
  private final int n;
  private final double denominator;

  /** Creates a delta computer; SpeechBrain's default window is 5 frames. */
  public Deltas(int windowLength) {
    if (windowLength < 3 || windowLength % 2 == 0) {
      throw new IllegalArgumentException(
          "deltas window_length is "
              + windowLength
              + "; it must be odd and at least 3 (SpeechBrain's default is 5)");
    }
    this.windowLength = windowLength;
    this.n = (windowLength - 1) / 2;
    this.denominator = n * (n + 1) * (2.0 * n + 1) / 3.0;
  }

  /** Returns the deltas of {@code x} ({@code [B, T, F]}); the result is in the caller's scope. */
  public Tensor forward(Tensor x) {
    FeatureChecks.featureBatch(x, -1, this);
    return Scopes.freeingTemporaries(() -> compute(x));
  }

  /** {@link #forward} without checks; the result belongs to the caller's scope. */
  Tensor compute(Tensor x) {
    long features = x.size(2);
    float[] taps = new float[windowLength];
    for (int k = -n; k <= n; k++) {
      taps[k + n] = k;
    }
    Tensor kernel =
        dev.sonus.tensor.Tensors.fromFloats(taps, 1, 1, windowLength)
            .to(x.scalar_type())
            .expand(features, 1, windowLength);
    Tensor channelsFirst = x.transpose(1, 2); // [B, F, T]
    Tensor padded = torch.replication_pad1d(channelsFirst, n, n);
    Tensor d =
        torch.conv1d(
            padded,
            kernel,
            new TensorOptional(),
            new long[] {1},
            new long[] {0},
            new long[] {1},
            features);
    return d.div_(new Scalar(denominator)).transpose(1, 2);
  }

  @Override
  public String toString() {
    return "Deltas(window_length=" + windowLength + ")";
  }
}
