package dev.sonus.augment;

import java.util.SplittableRandom;

/**
 * Clips the signal, SpeechBrain's {@code DoClip}: each channel is scaled to peak 1, clamped to
 * ±{@code c} with {@code c} drawn in [{@code clip_low}, {@code clip_high}], and scaled back to its
 * original peak.
 */
public final class DoClip implements WaveformAugmentation {
  private final double clipLow;
  private final double clipHigh;

  /**
   * Creates it.
   *
   * @param clipLow lowest clipping level, fraction of the peak (default 0.5)
   * @param clipHigh highest clipping level (default 0.5)
   */
  public DoClip(double clipLow, double clipHigh) {
    if (!(clipLow > 0) || clipLow > clipHigh) {
      throw new IllegalArgumentException(
          "clip_low ("
              + clipLow
              + ") and clip_high ("
              + clipHigh
              + ") must satisfy 0 < low <= high");
    }
    this.clipLow = clipLow;
    this.clipHigh = clipHigh;
  }

  /** SpeechBrain's defaults, 0.5 and 0.5. */
  public DoClip() {
    this(0.5, 0.5);
  }

  @Override
  public float[][] apply(float[][] channels, int sampleRate, SplittableRandom random) {
    float clip = (float) (random.nextDouble() * (clipHigh - clipLow) + clipLow);
    return Signals.perPeak(channels, (v, peak) -> Math.max(-clip, Math.min(clip, v)) * peak / clip);
  }

  @Override
  public String toString() {
    return "DoClip(" + clipLow + ".." + clipHigh + ")";
  }
}
