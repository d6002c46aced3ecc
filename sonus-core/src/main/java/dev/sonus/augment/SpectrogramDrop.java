package dev.sonus.augment;

import dev.sonus.tensor.Tensors;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Masks random stretches of time ({@code dim: 1}) or frequency ({@code dim: 2}), SpeechBrain's
 * {@code SpectrogramDrop} (SpecAugment): between {@code drop_count_low} and {@code drop_count_high}
 * masks of {@code drop_length_low} to {@code drop_length_high - 1} frames or bins per item, filled
 * per {@code replace}: {@code zeros}, {@code mean} (the item's mean), {@code rand} (uniform between
 * the item's minimum and maximum), {@code cutcat} (the previous item of the batch), {@code swap}
 * (the same item rolled in time), or {@code random_selection} (one of these, drawn per item).
 *
 * <p>Unlike SpeechBrain, which draws one mask count per batch and places time masks over the padded
 * length, each item draws its own masks within its own valid frames, so an item's augmentation does
 * not depend on the items it is batched with (except {@code cutcat}, which takes them as filler).
 */
public final class SpectrogramDrop implements FeatureAugmentation {
  private static final List<String> REPLACE =
      List.of("zeros", "mean", "rand", "cutcat", "swap", "random_selection");

  /**
   * The options, with SpeechBrain's names and defaults.
   *
   * @param dropLengthLow shortest mask (default 5)
   * @param dropLengthHigh masks are shorter than this (default 15)
   * @param dropCountLow fewest masks (default 1)
   * @param dropCountHigh most masks (default 3)
   * @param replace what fills the masks (default zeros)
   * @param dim 1 masks time, 2 masks frequency
   */
  public record Options(
      int dropLengthLow,
      int dropLengthHigh,
      int dropCountLow,
      int dropCountHigh,
      String replace,
      int dim) {
    /** SpeechBrain's defaults. */
    public static Options defaults() {
      return new Options(5, 15, 1, 3, "zeros", 1);
    }
  }

  private final Options options;
  private final String replace;

  /** Builds it from its options. */
  public SpectrogramDrop(Options options) {
    Signals.range(options.dropLengthLow(), options.dropLengthHigh(), "drop_length");
    Signals.range(options.dropCountLow(), options.dropCountHigh(), "drop_count");
    String r = options.replace() == null ? "zeros" : options.replace().toLowerCase(Locale.ROOT);
    if (!REPLACE.contains(r)) {
      throw new IllegalArgumentException(
          "replace is '" + options.replace() + "'; expected one of " + String.join(", ", REPLACE));
    }
    if (options.dim() != 1 && options.dim() != 2) {
      throw new IllegalArgumentException(
          "dim is " + options.dim() + "; expected 1 (time masking) or 2 (frequency masking)");
    }
    this.options = options;
    this.replace = r;
  }

  @Override
  public Tensor apply(Tensor feats, long[] lengths, List<SplittableRandom> random) {
    int b = (int) feats.size(0);
    int t = (int) feats.size(1);
    int f = (int) feats.size(2);
    float[] x = Tensors.toFloats(feats.detach().to(torch.ScalarType.Float).contiguous());
    float[] mask = new float[b * t * f];
    float[] fill = new float[b * t * f];
    boolean needRoll = false;
    int[] shifts = new int[b];
    String[] kinds = new String[b];
    for (int i = 0; i < b; i++) {
      SplittableRandom r = random.get(i);
      int valid = (int) Math.min(t, Math.max(1, lengths[i]));
      int d = options.dim() == 1 ? valid : f;
      int n = r.nextInt(options.dropCountLow(), options.dropCountHigh() + 1);
      boolean[] drop = new boolean[d];
      for (int m = 0; m < n; m++) {
        int len =
            options.dropLengthHigh() > options.dropLengthLow()
                ? r.nextInt(options.dropLengthLow(), options.dropLengthHigh())
                : options.dropLengthLow();
        int pos = r.nextInt(Math.max(1, d));
        for (int k = pos; k < Math.min(d, pos + len); k++) {
          drop[k] = true;
        }
      }
      String kind =
          replace.equals("random_selection") ? REPLACE.get(r.nextInt(REPLACE.size() - 1)) : replace;
      kinds[i] = kind;
      float mean = 0;
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      for (int tt = 0; tt < valid; tt++) {
        for (int ff = 0; ff < f; ff++) {
          float v = x[(i * t + tt) * f + ff];
          mean += v;
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
      mean /= (float) valid * f;
      if (kind.equals("swap")) {
        shifts[i] = t > 1 ? r.nextInt(1, t) : 0;
        needRoll = true;
      }
      if (kind.equals("cutcat")) {
        needRoll = true;
      }
      for (int tt = 0; tt < t; tt++) {
        for (int ff = 0; ff < f; ff++) {
          int k = options.dim() == 1 ? tt : ff;
          if (k < d && drop[k] && tt < valid) {
            int at = (i * t + tt) * f + ff;
            mask[at] = 1;
            fill[at] =
                switch (kind) {
                  case "mean" -> mean;
                  case "rand" -> (float) (r.nextDouble() * (max - min) + min);
                  default -> 0f;
                };
          }
        }
      }
    }
    Tensor m = Tensors.fromFloats(mask, b, t, f).to(feats.scalar_type());
    Tensor filler = Tensors.fromFloats(fill, b, t, f).to(feats.scalar_type());
    if (needRoll) {
      Tensor rolledBatch = torch.roll(feats, new long[] {1}, new long[] {0});
      for (int i = 0; i < b; i++) {
        if (kinds[i].equals("cutcat") || kinds[i].equals("swap")) {
          Tensor src =
              kinds[i].equals("cutcat")
                  ? rolledBatch.select(0, i)
                  : torch.roll(feats.select(0, i), new long[] {shifts[i]}, new long[] {0});
          filler.select(0, i).copy_(src.detach());
        }
      }
    }
    Tensor keep = torch.ones_like(m).sub(m);
    return feats.mul(keep).add(filler.mul(m));
  }

  @Override
  public String toString() {
    return "SpectrogramDrop(" + options + ")";
  }
}
