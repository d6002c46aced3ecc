package dev.sonus.nn;

import dev.sonus.tensor.Scopes;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Elementwise dropout in training mode, identity in eval mode, as {@code torch.nn.Dropout}. Any
 * shape.
 */
public final class Dropout extends Module {
  private final double dropRate;

  /** Dropout with probability {@code dropRate} in [0, 1). */
  public Dropout(double dropRate) {
    super("Dropout");
    this.dropRate = Checks.dropRate(dropRate, "dropRate");
  }

  /** Returns {@code x} with elements dropped when training; the result is in the caller's scope. */
  public Tensor forward(Tensor x) {
    return Scopes.freeingTemporaries(() -> apply(x));
  }

  Tensor apply(Tensor x) {
    return torch.dropout(x, dropRate, is_training());
  }

  @Override
  public String toString() {
    return "Dropout(p=" + dropRate + ")";
  }
}
