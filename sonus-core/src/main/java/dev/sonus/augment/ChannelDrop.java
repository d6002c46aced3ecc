package dev.sonus.augment;

import java.util.SplittableRandom;

/**
 * Silences random channels of a multichannel signal, SpeechBrain's {@code ChannelDrop}: each
 * channel is zeroed with probability {@code drop_rate}.
 */
public final class ChannelDrop implements WaveformAugmentation {
  private final double dropRate;

  /**
   * Creates it.
   *
   * @param dropRate probability that a channel is zeroed (default 0.1)
   */
  public ChannelDrop(double dropRate) {
    if (dropRate < 0 || dropRate > 1) {
      throw new IllegalArgumentException(
          "drop_rate is " + dropRate + "; it must be between 0 and 1");
    }
    this.dropRate = dropRate;
  }

  /** SpeechBrain's default rate, 0.1. */
  public ChannelDrop() {
    this(0.1);
  }

  @Override
  public float[][] apply(float[][] channels, int sampleRate, SplittableRandom random) {
    float[][] out = new float[channels.length][];
    for (int c = 0; c < channels.length; c++) {
      boolean keep = random.nextDouble() >= dropRate;
      out[c] = keep ? channels[c].clone() : new float[channels[c].length];
    }
    return out;
  }

  @Override
  public String toString() {
    return "ChannelDrop(" + dropRate + ")";
  }
}
