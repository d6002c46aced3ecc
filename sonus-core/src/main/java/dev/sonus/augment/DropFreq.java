package dev.sonus.augment;

import java.util.SplittableRandom;

/**
 * Drops random frequency bands, SpeechBrain's {@code DropFreq}: between {@code drop_freq_count_low}
 * and {@code drop_freq_count_high} notch filters (101 taps, Blackman windowed, width {@code
 * drop_freq_width}) at frequencies drawn in [{@code drop_freq_low}, {@code drop_freq_high}]
 * (fractions of the Nyquist rate), combined into one filter applied to every channel.
 */
public final class DropFreq implements WaveformAugmentation {
  private static final int FILTER_LENGTH = 101;

  /**
   * The options, with SpeechBrain's names and defaults.
   *
   * @param dropFreqLow lowest notch frequency, fraction of Nyquist (default 1e-14)
   * @param dropFreqHigh highest notch frequency (default 1)
   * @param dropFreqCountLow fewest notches (default 1)
   * @param dropFreqCountHigh most notches (default 3)
   * @param dropFreqWidth notch width (default 0.05)
   */
  public record Options(
      double dropFreqLow,
      double dropFreqHigh,
      int dropFreqCountLow,
      int dropFreqCountHigh,
      double dropFreqWidth) {
    /** SpeechBrain's defaults. */
    public static Options defaults() {
      return new Options(1e-14, 1, 1, 3, 0.05);
    }
  }

  private final Options options;

  /** Builds it from its options. */
  public DropFreq(Options options) {
    if (options.dropFreqLow() < 0
        || options.dropFreqHigh() > 1
        || options.dropFreqLow() > options.dropFreqHigh()) {
      throw new IllegalArgumentException(
          "drop_freq_low ("
              + options.dropFreqLow()
              + ") and drop_freq_high ("
              + options.dropFreqHigh()
              + ") must satisfy 0 <= low <= high <= 1 (fractions of the Nyquist rate)");
    }
    if (options.dropFreqCountLow() < 0
        || options.dropFreqCountLow() > options.dropFreqCountHigh()) {
      throw new IllegalArgumentException(
          "drop_freq_count_low ("
              + options.dropFreqCountLow()
              + ") and drop_freq_count_high ("
              + options.dropFreqCountHigh()
              + ") must satisfy 0 <= low <= high");
    }
    this.options = options;
  }

  @Override
  public float[][] apply(float[][] channels, int sampleRate, SplittableRandom random) {
    int count = random.nextInt(options.dropFreqCountLow(), options.dropFreqCountHigh() + 1);
    int pad = FILTER_LENGTH / 2;
    double[] filter = new double[FILTER_LENGTH];
    filter[pad] = 1;
    for (int i = 0; i < count; i++) {
      double f =
          random.nextDouble() * (options.dropFreqHigh() - options.dropFreqLow())
              + options.dropFreqLow();
      f = Math.max(f, 1e-14);
      filter =
          Signals.correlate(
              filter, Signals.notchFilter(f, FILTER_LENGTH, options.dropFreqWidth()), pad);
    }
    float[][] out = new float[channels.length][];
    for (int c = 0; c < channels.length; c++) {
      out[c] = Signals.filter(channels[c], filter);
    }
    return out;
  }

  @Override
  public String toString() {
    return "DropFreq(" + options + ")";
  }
}
