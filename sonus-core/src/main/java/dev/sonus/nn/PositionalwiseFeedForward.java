package dev.sonus.nn;

import dev.sonus.tensor.Scopes;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LinearOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The position-wise feed-forward block of a Transformer layer ({@code
 * speechbrain.nnet.attention.PositionalwiseFeedForward}): linear to {@code dFfn}, activation,
 * dropout, linear back. Parameters {@code ffn.0.weight}, {@code ffn.0.bias}, {@code ffn.3.weight},
 * {@code ffn.3.bias}. Shapes {@code [..., d]} unchanged.
 */
public final class PositionalwiseFeedForward extends Module {
  private final long inputSize;
  private final long dFfn;
  private final Activation activation;
  private final double dropout;
  private final Module ffn;
  private final LinearImpl first;
  private final LinearImpl second;

  /** A block {@code inputSize -> dFfn -> inputSize}. */
  public PositionalwiseFeedForward(
      long dFfn, long inputSize, double dropout, Activation activation) {
    super("PositionalwiseFeedForward");
    this.dFfn = Checks.positive(dFfn, "d_ffn");
    this.inputSize = Checks.positive(inputSize, "input_size");
    this.dropout = Checks.dropRate(dropout, "dropout");
    if (activation == null) {
      throw new IllegalArgumentException(
          "activation is null; expected one of " + java.util.Arrays.toString(Activation.values()));
    }
    this.activation = activation;
    this.ffn = register_module("ffn", new Module("Sequential"));
    this.first = ffn.register_module("0", new LinearImpl(new LinearOptions(inputSize, dFfn)));
    this.second = ffn.register_module("3", new LinearImpl(new LinearOptions(dFfn, inputSize)));
  }

  /** The block applied to {@code x} (caller's scope). */
  public Tensor forward(Tensor x) {
    return Scopes.freeingTemporaries(() -> apply(x));
  }

  Tensor apply(Tensor x) {
    Checks.lastDim(x, inputSize, this);
    Tensor h = activation.apply(first.forward(x));
    h = torch.dropout(h, dropout, is_training());
    return second.forward(h);
  }

  @Override
  public String toString() {
    return "PositionalwiseFeedForward(" + inputSize + " -> " + dFfn + ", " + activation + ")";
  }
}
