package dev.sonus.nn;

import dev.sonus.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;

/** Relative lengths turned into frame counts and the frame indices length-aware layers gather with. */
public final class Lengths {
  private Lengths() {}

  /**
   * Valid frames of each utterance: {@code round(rel · padded)}, at least 1 and at most {@code padded}.
   *
   * @param relLengths {@code [B]} fraction of the padded length that is valid
   */
  public static long[] frames(Tensor relLengths, long padded) {
    Checks.rank(relLengths, "relative lengths", "[batch]", 1);
    double[] rel = Tensors.toDoubles(relLengths);
    long[] out = new long[rel.length];
    for (int b = 0; b < rel.length; b++) {
      out[b] = Math.max(1, Math.min(padded, Math.round(rel[b] * padded)));
    }
    return out;
  }

  /**
   * {@code [B, padded]} source frame of every frame for a convolution that must not see padding: itself when
   * valid, else its mirror image about the last valid frame ({@code 2(L - 1) - t}, clamped to {@code [0, L - 1]}),
   * i.e. what the convolution's reflect padding shows it at the end of the unpadded utterance.
   */
  public static Tensor reflectIndex(long[] lengths, long padded) {
    long[] index = new long[(int) (lengths.length * padded)];
    for (int b = 0; b < lengths.length; b++) {
      long valid = lengths[b];
      for (long t = 0; t < padded; t++) {
        index[(int) (b * padded + t)] = t < valid ? t : Math.max(0, Math.min(valid - 1, 2 * (valid - 1) - t));
      }
    }
    return Tensors.fromLongs(index, lengths.length, padded);
  }
}
