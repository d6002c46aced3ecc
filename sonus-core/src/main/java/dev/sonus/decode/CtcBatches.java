package dev.sonus.decode;

import dev.sonus.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

/**
 * Copies batched CTC outputs {@code [batch, time, vocab]} and relative lengths {@code [batch]} into
 * Java arrays.
 */
final class CtcBatches {
  private CtcBatches() {}

  static float[][][] toArrays(Tensor logProbs, String where) {
    long[] shape = Tensors.shape(logProbs);
    if (shape.length != 3) {
      throw new IllegalArgumentException(
          String.format(
              "%s: logProbs has shape %s; expected [batch, time, vocab] (3 axes)",
              where, java.util.Arrays.toString(shape)));
    }
    int batch = Math.toIntExact(shape[0]);
    int time = Math.toIntExact(shape[1]);
    int vocab = Math.toIntExact(shape[2]);
    float[] flat = Tensors.toFloats(logProbs);
    float[][][] out = new float[batch][time][vocab];
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < time; t++) {
        System.arraycopy(flat, (b * time + t) * vocab, out[b][t], 0, vocab);
      }
    }
    return out;
  }

  static float[] relLengths(Tensor relLengths, int batch, String where) {
    float[] rel = Tensors.toFloats(relLengths);
    if (rel.length != batch) {
      throw new IllegalArgumentException(
          String.format(
              "%s: relLengths has %d values, expected %d (one per utterance in the batch)",
              where, rel.length, batch));
    }
    for (float r : rel) {
      if (!(r >= 0f && r <= 1f)) {
        throw new IllegalArgumentException(
            String.format(
                "%s: a relative length is %s; expected a fraction of the padded length in [0, 1]",
                where, r));
      }
    }
    return rel;
  }
}
