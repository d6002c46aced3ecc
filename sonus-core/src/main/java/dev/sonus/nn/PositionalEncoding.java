package dev.sonus.nn;

import dev.sonus.tensor.Scopes;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Fixed absolute sinusoidal positions ({@code speechbrain.lobes.models.transformer.Transformer
 * .PositionalEncoding}): buffer {@code pe} {@code [1, maxLen, d]}, {@code sin} on even features and
 * {@code cos} on odd ones, of {@code position · 10000^(-2i/d)}.
 */
public final class PositionalEncoding extends Module {
  private final long dModel;
  private final long maxLen;
  private final Tensor pe;

  /** Encodings of {@code maxLen} positions of {@code dModel} (even) features. */
  public PositionalEncoding(long dModel, long maxLen) {
    super("PositionalEncoding");
    this.dModel = Checks.positive(dModel, "input_size");
    this.maxLen = Checks.positive(maxLen, "max_len");
    if (dModel % 2 != 0) {
      throw new IllegalArgumentException(
          "input_size is " + dModel + "; sinusoidal positions need an even number of features");
    }
    try (PointerScope scope = new PointerScope()) {
      Tensor positions = torch.arange(new Scalar(maxLen)).to(torch.ScalarType.Float).unsqueeze(1);
      Tensor denominator =
          torch
              .arange(new Scalar(0), new Scalar(dModel), new Scalar(2))
              .to(torch.ScalarType.Float)
              .mul(new Scalar(-Math.log(10000.0) / dModel))
              .exp();
      Tensor angles = positions.mul(denominator);
      // interleave: [sin, cos] per frequency -> features 0::2 and 1::2
      Tensor table =
          torch.stack(new TensorVector(angles.sin(), angles.cos()), 2).reshape(maxLen, dModel);
      this.pe = table.unsqueeze(0).contiguous().retainReference();
      register_buffer("pe", pe);
    }
  }

  /** {@code [1, length, d]} encodings of the first {@code length} positions (caller's scope). */
  public Tensor forward(long length) {
    if (length > maxLen) {
      throw new IllegalArgumentException(
          "a sequence of "
              + length
              + " positions is longer than this encoding's max_length "
              + maxLen
              + "; build the model with a larger max_length");
    }
    return Scopes.freeingTemporaries(() -> pe.narrow(1, 0, length).clone());
  }

  @Override
  public String toString() {
    return "PositionalEncoding(d=" + dModel + ", max_len=" + maxLen + ")";
  }
}
