package dev.sonus.nn;

import dev.sonus.tensor.Scopes;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Relative sinusoidal positions for {@link RelPosMhaXl} ({@code
 * speechbrain.nnet.attention.RelPosEncXL}): buffer {@code inv_freq} {@code [d/2]}; for a sequence
 * of {@code L} frames, {@code [1, 2L - 1, d]} encodings of the relative distances {@code L - 1}
 * down to {@code -(L - 1)}.
 */
public final class RelPosEncXl extends Module {
  private final long embDim;
  private final Tensor invFreq;

  /** Relative positions of {@code embDim} (even) features. */
  public RelPosEncXl(long embDim) {
    super("RelPosEncXL");
    this.embDim = Checks.positive(embDim, "emb_dim");
    if (embDim % 2 != 0) {
      throw new IllegalArgumentException(
          "emb_dim is " + embDim + "; sinusoidal positions need an even number of features");
    }
    try (PointerScope scope = new PointerScope()) {
      this.invFreq =
          torch
              .arange(new Scalar(0), new Scalar(embDim), new Scalar(2))
              .to(torch.ScalarType.Float)
              .mul(new Scalar(-Math.log(10000.0) / embDim))
              .exp()
              .retainReference();
      register_buffer("inv_freq", invFreq);
    }
  }

  /** {@code [1, 2 · length - 1, d]} encodings (caller's scope). */
  public Tensor forward(long length) {
    return Scopes.freeingTemporaries(
        () -> {
          Tensor positions =
              torch.arange(new Scalar(length)).to(torch.ScalarType.Float).unsqueeze(1);
          Tensor angles = positions.mul(invFreq.unsqueeze(0));
          // [L, d], sin on even features and cos on odd ones; past and future agree (cos is even)
          Tensor table =
              torch.stack(new TensorVector(angles.sin(), angles.cos()), 2).reshape(length, embDim);
          Tensor past = torch.flip(table, 0);
          Tensor future = table.narrow(0, 1, length - 1);
          return torch.cat(new TensorVector(past, future), 0).unsqueeze(0);
        });
  }

  @Override
  public String toString() {
    return "RelPosEncXL(d=" + embDim + ")";
  }
}
