package dev.sonus.augment;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Changes the speed (and pitch) of the signal, SpeechBrain's {@code SpeedPerturb}: one of {@code
 * speeds} (percent) is drawn and the signal resampled from {@code orig_freq} to {@code orig_freq ·
 * speed / 100} with torchaudio's band-limited resampler, then read as {@code orig_freq} again: 90
 * makes it 10% longer and lower, 110 shorter and higher.
 */
public final class SpeedPerturb implements WaveformAugmentation {
  private final int origFreq;
  private final List<Integer> speeds;

  /**
   * Creates it.
   *
   * @param origFreq the signal's rate, Hz ({@code orig_freq})
   * @param speeds the speeds to draw from, percent ({@code speeds}, SpeechBrain's default [90, 100,
   *     110])
   */
  public SpeedPerturb(int origFreq, List<Integer> speeds) {
    if (origFreq <= 0) {
      throw new IllegalArgumentException("orig_freq is " + origFreq + "; expected a rate in Hz");
    }
    if (speeds == null || speeds.isEmpty()) {
      throw new IllegalArgumentException("speeds is empty; give percentages, e.g. [90, 100, 110]");
    }
    for (Integer s : speeds) {
      if (s == null || s <= 0) {
        throw new IllegalArgumentException(
            "speeds has " + s + "; each speed must be a positive percentage");
      }
    }
    this.origFreq = origFreq;
    this.speeds = List.copyOf(speeds);
  }

  /** SpeechBrain's default speeds, 90, 100 and 110. */
  public SpeedPerturb(int origFreq) {
    this(origFreq, List.of(90, 100, 110));
  }

  @Override
  public float[][] apply(float[][] channels, int sampleRate, SplittableRandom random) {
    if (sampleRate != origFreq) {
      throw new IllegalArgumentException(
          "SpeedPerturb has orig_freq "
              + origFreq
              + " but the signal is at "
              + sampleRate
              + " Hz; set orig_freq: !ref <sample_rate>");
    }
    int speed = speeds.get(speeds.size() == 1 ? 0 : random.nextInt(speeds.size()));
    int target = origFreq * speed / 100;
    return resampleAll(channels, origFreq, target);
  }

  static float[][] resampleAll(float[][] channels, int from, int to) {
    if (from == to) {
      return Signals.copy(channels);
    }
    float[][] out = new float[channels.length][];
    for (int c = 0; c < channels.length; c++) {
      out[c] = dev.sonus.audio.Resample.resample(channels[c], from, to);
    }
    return out;
  }

  @Override
  public String toString() {
    return "SpeedPerturb(orig_freq=" + origFreq + ", speeds=" + speeds + ")";
  }
}
