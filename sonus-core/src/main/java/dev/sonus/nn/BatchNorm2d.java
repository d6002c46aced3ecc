package dev.sonus.nn;

import dev.sonus.tensor.Scopes;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.BatchNormOptions;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Batch normalisation of the last (channel) axis of a 2-D feature map, statistics taken over batch,
 * time and frequency.
 *
 * <p>Shapes: {@code [batch, time, freq, channels]}, unchanged. Matches
 * speechbrain.nnet.normalization.BatchNorm2d (which swaps the channel axis with axis 1 for {@code
 * torch.nn.BatchNorm2d} and back): eps 1e-5, momentum 0.1, affine, running statistics; keys {@code
 * norm.weight}, {@code norm.bias}, {@code norm.running_mean}, {@code norm.running_var}, {@code
 * norm.num_batches_tracked}. Uses batch statistics in training mode and running statistics in eval
 * mode.
 */
public final class BatchNorm2d extends Module {
  private final long channels;
  private final BatchNorm2dImpl norm;

  /** Normalises {@code channels} channels. */
  public BatchNorm2d(long channels) {
    super("BatchNorm2d");
    this.channels = Checks.positive(channels, "channels");
    BatchNormOptions options = new BatchNormOptions(channels);
    options.eps().put(1e-5);
    options.momentum().put(new DoubleOptional(0.1));
    options.affine().put(true);
    options.track_running_stats().put(true);
    this.norm = register_module("norm", new BatchNorm2dImpl(options));
  }

  /**
   * Returns the normalised {@code x} ({@code [B, T, F, C]}); the result is in the caller's scope.
   */
  public Tensor forward(Tensor x) {
    return Scopes.freeingTemporaries(() -> apply(x));
  }

  Tensor apply(Tensor x) {
    Checks.rank(x, this, "[batch, time, freq, channels]", 4);
    Checks.lastDim(x, channels, this);
    return norm.forward(x.transpose(1, 3)).transpose(1, 3);
  }

  @Override
  public String toString() {
    return "BatchNorm2d(" + channels + ")";
  }
}
