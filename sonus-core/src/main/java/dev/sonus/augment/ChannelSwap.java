package dev.sonus.augment;

import java.util.SplittableRandom;

/**
 * Swaps random pairs of channels, SpeechBrain's {@code ChannelSwap}: between {@code min_swap} and
 * {@code max_swap} swaps along two random permutations; as many swaps as channels or more permutes
 * the channels at random.
 */
public final class ChannelSwap implements WaveformAugmentation {
  private final int minSwap;
  private final int maxSwap;

  /**
   * Creates it.
   *
   * @param minSwap fewest swaps (default 0)
   * @param maxSwap most swaps (default 0)
   */
  public ChannelSwap(int minSwap, int maxSwap) {
    if (minSwap < 0 || maxSwap < minSwap) {
      throw new IllegalArgumentException(
          "min_swap (" + minSwap + ") and max_swap (" + maxSwap + ") must satisfy 0 <= min <= max");
    }
    this.minSwap = minSwap;
    this.maxSwap = maxSwap;
  }

  /** No swaps, SpeechBrain's defaults. */
  public ChannelSwap() {
    this(0, 0);
  }

  @Override
  public float[][] apply(float[][] channels, int sampleRate, SplittableRandom random) {
    int n = channels.length;
    int[] p1 = permutation(n, random);
    int[] p2 = permutation(n, random);
    int swaps = random.nextInt(minSwap, maxSwap + 1);
    float[][] out = new float[n][];
    for (int c = 0; c < n; c++) {
      out[c] = channels[c].clone();
    }
    if (swaps < n) {
      for (int i = 0; i < swaps; i++) {
        float[] keep = out[p2[i]];
        out[p2[i]] = out[p1[i]];
        out[p1[i]] = keep;
      }
      return out;
    }
    float[][] permuted = new float[n][];
    for (int c = 0; c < n; c++) {
      permuted[c] = out[p1[c]];
    }
    return permuted;
  }

  private static int[] permutation(int n, SplittableRandom random) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  @Override
  public String toString() {
    return "ChannelSwap(" + minSwap + ".." + maxSwap + ")";
  }
}
