package dev.sonus.nn;

import dev.sonus.tensor.Scopes;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Drops whole frequency bins of a {@code [batch, time, freq, channels]} input in training mode.
 *
 * <p>Matches speechbrain.nnet.dropout.Dropout2d, which moves frequency into {@code
 * torch.nn.Dropout2d}'s channel axis: each (example, frequency bin) is zeroed across all frames and
 * channels with probability {@code dropRate}, survivors scaled by {@code 1 / (1 - dropRate)}.
 * Identity in eval mode. No parameters.
 */
public final class Dropout2d extends Module {
  private final double dropRate;

  /** Dropout with probability {@code dropRate} in [0, 1). */
  public Dropout2d(double dropRate) {
    super("Dropout2d");
    this.dropRate = Checks.dropRate(dropRate, "dropRate");
  }

  /**
   * Returns {@code x} ({@code [B, T, F, C]}) with bins dropped when training; the result is in the
   * caller's scope.
   */
  public Tensor forward(Tensor x) {
    return Scopes.freeingTemporaries(() -> apply(x));
  }

  Tensor apply(Tensor x) {
    Checks.rank(x, this, "[batch, time, freq, channels]", 4);
    if (!is_training() || dropRate == 0) {
      return x.alias();
    }
    Tensor keep =
        torch.bernoulli(torch.empty_like(x.narrow(1, 0, 1).narrow(3, 0, 1)), 1 - dropRate);
    return x.mul(keep.div_(new org.bytedeco.pytorch.Scalar(1 - dropRate)));
  }

  @Override
  public String toString() {
    return "Dropout2d(p=" + dropRate + ")";
  }
}
