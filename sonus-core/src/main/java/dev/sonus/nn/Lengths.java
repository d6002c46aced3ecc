package dev.sonus.nn;

import dev.sonus.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Relative lengths turned into frame counts, padding masks, and the frame indices length-aware
 * layers gather with: the one place for this arithmetic, so that every layer counts the same valid
 * frames.
 */
public final class Lengths {
  private Lengths() {}

  /**
   * Valid frames of each utterance: {@code round(rel · padded)}, at least 1 and at most {@code
   * padded}.
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
   * {@code [B, padded]} source frame of every frame for a convolution that must not see padding:
   * itself when valid, else its mirror image about the last valid frame ({@code 2(L - 1) - t},
   * clamped to {@code [0, L - 1]}), i.e. what the convolution's reflect padding shows it at the end
   * of the unpadded utterance.
   */
  public static Tensor reflectIndex(long[] lengths, long padded) {
    long[] index = new long[(int) (lengths.length * padded)];
    for (int b = 0; b < lengths.length; b++) {
      long valid = lengths[b];
      for (long t = 0; t < padded; t++) {
        index[(int) (b * padded + t)] =
            t < valid ? t : Math.max(0, Math.min(valid - 1, 2 * (valid - 1) - t));
      }
    }
    return Tensors.fromLongs(index, lengths.length, padded);
  }

  /**
   * {@code [B, frames]} float mask, 1 where {@code t < rel · frames} (float32 product, unrounded),
   * as SpeechBrain's {@code length_to_mask} counts the valid frames.
   */
  public static Tensor mask(Tensor relLengths, long frames) {
    Checks.rank(relLengths, "relative lengths", "[batch]", 1);
    Tensor limit = relLengths.to(torch.ScalarType.Float).mul(new Scalar((double) frames));
    return torch
        .arange(new Scalar(frames))
        .unsqueeze(0)
        .lt(limit.unsqueeze(1))
        .to(torch.ScalarType.Float);
  }

  /**
   * {@code [B, frames]} float mask, 1 where {@code t < round(rel · frames)}: the length each
   * utterance had before padding (what {@link #frames} counts, except that an empty utterance stays
   * empty here).
   */
  public static Tensor roundedMask(Tensor relLengths, long frames) {
    Checks.rank(relLengths, "relative lengths", "[batch]", 1);
    Tensor valid = relLengths.to(torch.ScalarType.Float).mul(new Scalar((double) frames)).round();
    return torch
        .arange(new Scalar(frames))
        .unsqueeze(0)
        .lt(valid.unsqueeze(1))
        .to(torch.ScalarType.Float);
  }

  /**
   * {@code x} with the frames along {@code timeAxis} taken from {@code reflect} ({@code [B, T]},
   * from {@link #reflectIndex}), so a convolution sees the reflection of each utterance's last
   * valid frames where its padding was; {@code x} itself when {@code reflect} is null. Axis 0 of
   * {@code x} is the batch.
   */
  public static Tensor refill(Tensor x, Tensor reflect, int timeAxis) {
    if (reflect == null) {
      return x;
    }
    long[] shape = new long[(int) x.dim()];
    java.util.Arrays.fill(shape, 1);
    shape[0] = reflect.size(0);
    shape[timeAxis] = reflect.size(1);
    return x.gather(timeAxis, reflect.view(shape).expand(x.sizes()));
  }
}
