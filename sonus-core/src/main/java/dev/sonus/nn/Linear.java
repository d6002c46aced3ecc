package dev.sonus.nn;

import dev.sonus.tensor.Scopes;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LinearOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Linear projection over the last axis, {@code y = x W^T + b}.
 *
 * <p>Shapes: {@code [..., inFeatures] -> [..., outFeatures]}. Initialised like {@code
 * torch.nn.Linear}; parameter names ({@code w.weight}, {@code w.bias}) match
 * speechbrain.nnet.linear.Linear.
 */
public final class Linear extends Module {
  private final long inFeatures;
  private final long outFeatures;
  private final boolean bias;
  private final LinearImpl w;

  /** A projection from {@code inFeatures} to {@code outFeatures}, with a bias if {@code bias}. */
  public Linear(long inFeatures, long outFeatures, boolean bias) {
    super("Linear");
    this.inFeatures = Checks.positive(inFeatures, "inFeatures");
    this.outFeatures = Checks.positive(outFeatures, "outFeatures");
    this.bias = bias;
    LinearOptions options = new LinearOptions(inFeatures, outFeatures);
    options.bias().put(bias);
    this.w = register_module("w", new LinearImpl(options));
  }

  /**
   * Returns {@code x W^T + b} for {@code x} of shape {@code [..., inFeatures]}; the result is in
   * the caller's scope.
   */
  public Tensor forward(Tensor x) {
    return Scopes.freeingTemporaries(() -> apply(x));
  }

  Tensor apply(Tensor x) {
    Checks.lastDim(x, inFeatures, this);
    return w.forward(x);
  }

  /** Number of input features. */
  public long inFeatures() {
    return inFeatures;
  }

  /** Number of output features. */
  public long outFeatures() {
    return outFeatures;
  }

  @Override
  public String toString() {
    return "Linear(in=" + inFeatures + ", out=" + outFeatures + ", bias=" + bias + ")";
  }
}
