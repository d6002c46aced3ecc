package dev.sonus.nn;

import dev.sonus.tensor.Scopes;
import org.bytedeco.pytorch.BatchNorm1dImpl;
import org.bytedeco.pytorch.BatchNormOptions;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Batch normalisation of the last (feature) axis, statistics taken over batch and time.
 *
 * <p>Shapes: {@code [batch, features]} or {@code [batch, time, features]}, unchanged. Matches
 * speechbrain.nnet.normalization.BatchNorm1d (which moves features to axis 1 for {@code
 * torch.nn.BatchNorm1d}): eps 1e-5, momentum 0.1; keys {@code norm.weight}, {@code norm.bias},
 * {@code norm.running_mean}, {@code norm.running_var}, {@code norm.num_batches_tracked}. Uses batch
 * statistics in training mode and running statistics in eval mode.
 */
public final class BatchNorm1d extends Module {
  private final long features;
  private final BatchNorm1dImpl norm;

  /** Normalises {@code features} features. */
  public BatchNorm1d(long features) {
    super("BatchNorm1d");
    this.features = Checks.positive(features, "features");
    BatchNormOptions options = new BatchNormOptions(features);
    options.eps().put(1e-5);
    options.momentum().put(new DoubleOptional(0.1));
    options.affine().put(true);
    options.track_running_stats().put(true);
    this.norm = register_module("norm", new BatchNorm1dImpl(options));
  }

  /**
   * Returns the normalised {@code x} ({@code [B, F]} or {@code [B, T, F]}); the result is in the
   * caller's scope.
   */
  public Tensor forward(Tensor x) {
    return Scopes.freeingTemporaries(() -> apply(x));
  }

  /**
   * Normalises channels-first {@code x} ({@code [B, C, T]}, torch's layout; SpeechBrain's {@code
   * skip_transpose=True}); the result is in the caller's scope.
   */
  public Tensor forwardChannelsFirst(Tensor x) {
    Checks.rank(x, this, "[batch, features, time]", 3);
    if (x.size(1) != features) {
      throw new IllegalArgumentException(
          String.format(
              "%s: input shape %s has %d channels on axis 1, expected %d",
              this, dev.sonus.tensor.Tensors.shapeString(x), x.size(1), features));
    }
    return Scopes.freeingTemporaries(() -> norm.forward(x));
  }

  Tensor apply(Tensor x) {
    Checks.rank(x, this, "[batch, features] or [batch, time, features]", 2, 3);
    Checks.lastDim(x, features, this);
    if (x.dim() == 2) {
      return norm.forward(x);
    }
    return norm.forward(x.transpose(1, 2)).transpose(1, 2);
  }

  @Override
  public String toString() {
    return "BatchNorm1d(" + features + ")";
  }
}
