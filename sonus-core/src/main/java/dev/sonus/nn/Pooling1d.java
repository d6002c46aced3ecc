package dev.sonus.nn;

import dev.sonus.tensor.Scopes;
import dev.sonus.tensor.Tensors;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Max pooling along one axis with stride equal to the kernel (the remainder is dropped).
 *
 * <p>Shapes: a 3-D or 4-D input, axis {@code poolAxis} shrinks from {@code n} to {@code floor(n /
 * kernelSize)}. Matches speechbrain.nnet.pooling.Pooling1d({@code pool_type="max"}); CRDNN uses
 * {@code poolAxis} 2 on {@code [B, T, F, C]} (frequency) and 1 (time). No parameters.
 */
public final class Pooling1d extends Module {
  private final long kernelSize;
  private final int poolAxis;

  /** Pools {@code kernelSize} neighbours on axis {@code poolAxis} (1 or more). */
  public Pooling1d(long kernelSize, int poolAxis) {
    super("Pooling1d");
    this.kernelSize = Checks.positive(kernelSize, "kernelSize");
    this.poolAxis = (int) Checks.positive(poolAxis, "poolAxis");
  }

  /** Returns the pooled {@code x}; the result is in the caller's scope. */
  public Tensor forward(Tensor x) {
    return Scopes.freeingTemporaries(() -> apply(x));
  }

  Tensor apply(Tensor x) {
    Checks.rank(x, this, "3 or 4 axes, e.g. [batch, time, freq, channels]", 3, 4);
    if (poolAxis >= x.dim() || x.size(poolAxis) < kernelSize) {
      throw new IllegalArgumentException(
          String.format(
              "%s: input shape %s has no axis %d of at least %d entries; pool a longer axis or use a smaller kernel.",
              this, Tensors.shapeString(x), poolAxis, kernelSize));
    }
    Tensor h = x.transpose(-1, poolAxis);
    h = torch.max_pool1d(h.reshape(-1, 1, h.size(-1)), kernelSize);
    long[] pooled = Tensors.shape(x.transpose(-1, poolAxis));
    pooled[pooled.length - 1] = h.size(-1);
    return h.reshape(pooled).transpose(-1, poolAxis);
  }

  @Override
  public String toString() {
    return "Pooling1d(max, kernel=" + kernelSize + ", axis=" + poolAxis + ")";
  }
}
