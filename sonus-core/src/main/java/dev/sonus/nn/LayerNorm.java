package dev.sonus.nn;

import dev.sonus.tensor.Scopes;
import java.util.Arrays;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LayerNormOptions;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Layer normalisation over the trailing axes given by {@code normalizedShape}, with a learnt
 * elementwise affine.
 *
 * <p>Shapes: {@code [..., *normalizedShape]} unchanged. Matches
 * speechbrain.nnet.normalization.LayerNorm, which normalises over {@code input_shape[2:]} (so
 * {@code [freq, channels]} after a CNN); parameters {@code norm.weight}, {@code norm.bias}; eps
 * 1e-5 unless given (SpeechBrain's Transformer layers use 1e-6).
 */
public final class LayerNorm extends Module {
  private final long[] normalizedShape;
  private final LayerNormImpl norm;

  /** Normalises over the last {@code normalizedShape.length} axes, which must have these sizes. */
  public LayerNorm(long... normalizedShape) {
    this(1e-5, normalizedShape);
  }

  /** As {@link #LayerNorm(long...)}, with {@code eps} added to the variance. */
  public LayerNorm(double eps, long... normalizedShape) {
    super("LayerNorm");
    if (!(eps > 0) || !Double.isFinite(eps)) {
      throw new IllegalArgumentException(
          "eps is " + eps + "; expected a small positive number, e.g. 1e-5");
    }
    if (normalizedShape.length == 0) {
      throw new IllegalArgumentException(
          "normalizedShape is empty; give the sizes of the trailing axes to "
              + "normalise, e.g. [freq, channels]");
    }
    for (int i = 0; i < normalizedShape.length; i++) {
      Checks.positive(normalizedShape[i], "normalizedShape[" + i + "]");
    }
    this.normalizedShape = normalizedShape.clone();
    LayerNormOptions options = new LayerNormOptions(new LongVector(normalizedShape));
    options.eps().put(eps);
    options.elementwise_affine().put(true);
    this.norm = register_module("norm", new LayerNormImpl(options));
  }

  /** Returns the normalised {@code x}; the result is in the caller's scope. */
  public Tensor forward(Tensor x) {
    return Scopes.freeingTemporaries(() -> apply(x));
  }

  Tensor apply(Tensor x) {
    int n = normalizedShape.length;
    boolean ok = x.dim() > n;
    for (int i = 0; ok && i < n; i++) {
      ok = x.size(x.dim() - n + i) == normalizedShape[i];
    }
    if (!ok) {
      throw new IllegalArgumentException(
          String.format(
              "%s: input shape %s does not end with %s. Build the LayerNorm with the input's trailing sizes.",
              this, dev.sonus.tensor.Tensors.shapeString(x), Arrays.toString(normalizedShape)));
    }
    return norm.forward(x);
  }

  @Override
  public String toString() {
    return "LayerNorm(" + Arrays.toString(normalizedShape) + ")";
  }
}
