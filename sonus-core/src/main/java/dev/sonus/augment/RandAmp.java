package dev.sonus.augment;

import java.util.SplittableRandom;

/**
 * Random gain, SpeechBrain's {@code RandAmp}: each channel is scaled to peak 1, then by a factor
 * drawn in [{@code amp_low}, {@code amp_high}].
 */
public final class RandAmp implements WaveformAugmentation {
  private final double ampLow;
  private final double ampHigh;

  /**
   * Creates it.
   *
   * @param ampLow lowest peak (default 0.5)
   * @param ampHigh highest peak (default 1.5)
   */
  public RandAmp(double ampLow, double ampHigh) {
    if (ampLow < 0 || ampLow > ampHigh) {
      throw new IllegalArgumentException(
          "amp_low (" + ampLow + ") and amp_high (" + ampHigh + ") must satisfy 0 <= low <= high");
    }
    this.ampLow = ampLow;
    this.ampHigh = ampHigh;
  }

  /** SpeechBrain's defaults, 0.5 to 1.5. */
  public RandAmp() {
    this(0.5, 1.5);
  }

  @Override
  public float[][] apply(float[][] channels, int sampleRate, SplittableRandom random) {
    float amp = (float) (random.nextDouble() * (ampHigh - ampLow) + ampLow);
    return Signals.perPeak(channels, (v, peak) -> v * amp);
  }

  @Override
  public String toString() {
    return "RandAmp(" + ampLow + ".." + ampHigh + ")";
  }
}
