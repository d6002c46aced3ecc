package dev.sonus.features;

import dev.sonus.tensor.Scopes;
import dev.sonus.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Type-II discrete cosine transform over the last axis, as {@code
 * speechbrain.processing.features.DCT}.
 *
 * <p>Shapes: {@code [..., inputSize] -> [..., nOut]}. With {@code ortho} the basis is orthonormal
 * (SpeechBrain's default); without it, the first coefficient is doubled (no normalisation), as
 * SpeechBrain does.
 */
public final class Dct implements AutoCloseable {
  private final int inputSize;
  private final int nOut;
  private final Tensor basis;

  /** Creates a DCT keeping the first {@code nOut} of {@code inputSize} coefficients. */
  public Dct(int inputSize, int nOut, boolean ortho) {
    this.inputSize = FeatureChecks.positive(inputSize, "input_size");
    this.nOut = FeatureChecks.positive(nOut, "n_out");
    if (nOut > inputSize) {
      throw new IllegalArgumentException(
          "n_out (n_mfcc) is "
              + nOut
              + " but the input has only "
              + inputSize
              + " values (n_mels); n_mfcc must be at most n_mels");
    }
    float[] m = new float[inputSize * nOut]; // [inputSize, nOut], i.e. SpeechBrain's dct_mat
    for (int k = 0; k < nOut; k++) {
      double rowScale =
          ortho
              ? Math.sqrt(2.0 / inputSize) * (k == 0 ? 1 / Math.sqrt(2.0) : 1.0)
              : (k == 0 ? 2.0 : 1.0);
      for (int i = 0; i < inputSize; i++) {
        m[i * nOut + k] = (float) (Math.cos(Math.PI / inputSize * (i + 0.5) * k) * rowScale);
      }
    }
    try (PointerScope scope = new PointerScope()) {
      this.basis = Tensors.fromFloats(m, inputSize, nOut).retainReference();
    }
  }

  /** Returns the coefficients; the result is in the caller's scope. */
  public Tensor forward(Tensor x) {
    if (x.dim() < 1 || x.size(-1) != inputSize) {
      throw new IllegalArgumentException(
          String.format(
              "%s: input shape %s, expected a last axis of %d (n_mels)",
              this, Tensors.shapeString(x), inputSize));
    }
    return Scopes.freeingTemporaries(() -> compute(x));
  }

  /** {@link #forward} without checks; the result belongs to the caller's scope. */
  Tensor compute(Tensor x) {
    return x.matmul(basis);
  }

  @Override
  public void close() {
    basis.close();
  }

  @Override
  public String toString() {
    return "Dct(input_size=" + inputSize + ", n_out=" + nOut + ")";
  }
}
