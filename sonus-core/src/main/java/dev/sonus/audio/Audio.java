package dev.sonus.audio;

import java.util.Arrays;
import java.util.Objects;

/**
 * Decoded audio: samples in {@code [-1, 1)} per channel plus the sample rate in Hz.
 *
 * <p>Layout is channel-first, {@code samples[channel][frame]}, like the {@code [C, T]} tensor that
 * {@code torchaudio.load} returns. Integer PCM is scaled by {@code 1 / 2^(bits-1)} (16-bit: {@code
 * x / 32768}), which is what SpeechBrain's {@code read_audio} and soundfile produce, so decoded
 * values match bit for bit.
 *
 * <p>The arrays are owned by this record: callers must not modify them after construction.
 */
public record Audio(float[][] samples, int sampleRate) {

  /**
   * Validates that there is at least one channel, all channels have equal length, and the rate is
   * positive.
   */
  public Audio {
    Objects.requireNonNull(samples, "samples");
    if (samples.length == 0) {
      throw new IllegalArgumentException("audio has 0 channels; expected at least 1");
    }
    if (sampleRate <= 0) {
      throw new IllegalArgumentException(
          "sample rate is " + sampleRate + " Hz; expected a positive rate");
    }
    int frames = samples[0].length;
    for (int c = 1; c < samples.length; c++) {
      if (samples[c].length != frames) {
        throw new IllegalArgumentException(
            String.format(
                "channel %d has %d samples but channel 0 has %d; all channels must have the same length",
                c, samples[c].length, frames));
      }
    }
  }

  /** Wraps a mono signal. */
  public static Audio mono(float[] samples, int sampleRate) {
    return new Audio(new float[][] {samples}, sampleRate);
  }

  /** Number of channels. */
  public int numChannels() {
    return samples.length;
  }

  /** Number of samples per channel. */
  public int numFrames() {
    return samples[0].length;
  }

  /** Duration in seconds. */
  public double durationSeconds() {
    return (double) numFrames() / sampleRate;
  }

  /** Samples of one channel (the array itself, not a copy). */
  public float[] channel(int index) {
    if (index < 0 || index >= samples.length) {
      throw new IndexOutOfBoundsException(
          "channel " + index + " requested but the audio has " + samples.length + " channel(s)");
    }
    return samples[index];
  }

  /**
   * Returns a single-channel signal: the channel itself when mono, else the mean over channels (as
   * {@code torch.mean(x, dim=0)} on a {@code [C, T]} tensor).
   */
  public float[] downmix() {
    if (samples.length == 1) {
      return samples[0];
    }
    int frames = numFrames();
    float[] out = new float[frames];
    double scale = 1.0 / samples.length;
    for (int t = 0; t < frames; t++) {
      double sum = 0;
      for (float[] channel : samples) {
        sum += channel[t];
      }
      out[t] = (float) (sum * scale);
    }
    return out;
  }

  /** Returns this audio reduced to one channel by {@link #downmix()}. */
  public Audio toMono() {
    return samples.length == 1 ? this : mono(downmix(), sampleRate);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Audio other
        && sampleRate == other.sampleRate
        && Arrays.deepEquals(samples, other.samples);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.deepHashCode(samples) + sampleRate;
  }

  @Override
  public String toString() {
    return String.format(
        "Audio(%d ch, %d frames, %d Hz, %.3f s)",
        numChannels(), numFrames(), sampleRate, durationSeconds());
  }
}
