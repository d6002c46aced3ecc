package dev.sonus.augment;

import java.util.SplittableRandom;

/**
 * Resamples from {@code orig_freq} to {@code new_freq}, SpeechBrain's augmentation {@code Resample}
 * (torchaudio's band-limited resampler); the samples are read at the original rate afterwards, so
 * it also changes speed and pitch.
 */
public final class Resample implements WaveformAugmentation {
  private final int origFreq;
  private final int newFreq;

  /**
   * Creates it.
   *
   * @param origFreq input rate, Hz ({@code orig_freq}, default 16000)
   * @param newFreq output rate, Hz ({@code new_freq}, default 16000)
   */
  public Resample(int origFreq, int newFreq) {
    if (origFreq <= 0 || newFreq <= 0) {
      throw new IllegalArgumentException(
          "orig_freq and new_freq must be positive rates in Hz (got "
              + origFreq
              + ", "
              + newFreq
              + ")");
    }
    this.origFreq = origFreq;
    this.newFreq = newFreq;
  }

  /** 16 kHz to 16 kHz: no change, SpeechBrain's defaults. */
  public Resample() {
    this(16000, 16000);
  }

  @Override
  public float[][] apply(float[][] channels, int sampleRate, SplittableRandom random) {
    return SpeedPerturb.resampleAll(channels, origFreq, newFreq);
  }

  @Override
  public String toString() {
    return "Resample(" + origFreq + " -> " + newFreq + ")";
  }
}
