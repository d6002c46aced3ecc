package dev.sonus.augment;

import java.util.SplittableRandom;

/**
 * Zeroes random chunks of the signal, SpeechBrain's {@code DropChunk}: between {@code
 * drop_count_low} and {@code drop_count_high} chunks of {@code drop_length_low} to {@code
 * drop_length_high} samples, starting between {@code drop_start} and {@code drop_end} (negative
 * values count from the end); with {@code noise_factor} the chunks are filled with uniform noise
 * scaled to the signal's mean amplitude instead.
 */
public final class DropChunk implements WaveformAugmentation {

  /**
   * The options, with SpeechBrain's names and defaults.
   *
   * @param dropLengthLow shortest chunk, samples (default 100)
   * @param dropLengthHigh longest chunk, samples (default 1000)
   * @param dropCountLow fewest chunks (default 1)
   * @param dropCountHigh most chunks (default 3)
   * @param dropStart first sample a chunk may start at (default 0; negative: from the end)
   * @param dropEnd last start (null: the end; negative: from the end)
   * @param noiseFactor 0 zeroes the chunks; above, fills them with noise of this relative size
   */
  public record Options(
      int dropLengthLow,
      int dropLengthHigh,
      int dropCountLow,
      int dropCountHigh,
      int dropStart,
      Integer dropEnd,
      double noiseFactor) {
    /** SpeechBrain's defaults. */
    public static Options defaults() {
      return new Options(100, 1000, 1, 3, 0, null, 0.0);
    }
  }

  private final Options options;
  private final int lengthLow;
  private final int lengthHigh;

  /** Builds it from its options. */
  public DropChunk(Options options) {
    Signals.range(options.dropLengthLow(), options.dropLengthHigh(), "drop_length");
    Signals.range(options.dropCountLow(), options.dropCountHigh(), "drop_count");
    int low = options.dropLengthLow();
    int high = options.dropLengthHigh();
    if (options.dropEnd() != null && options.dropEnd() >= 0) {
      if (options.dropStart() > options.dropEnd()) {
        throw new IllegalArgumentException(
            "drop_start ("
                + options.dropStart()
                + ") is after drop_end ("
                + options.dropEnd()
                + ")");
      }
      int range = options.dropEnd() - options.dropStart();
      low = Math.min(low, range);
      high = Math.min(high, range);
    }
    this.options = options;
    this.lengthLow = low;
    this.lengthHigh = high;
  }

  @Override
  public float[][] apply(float[][] channels, int sampleRate, SplittableRandom random) {
    float[][] out = Signals.copy(channels);
    int len = channels.length == 0 ? 0 : channels[0].length;
    int times = random.nextInt(options.dropCountLow(), options.dropCountHigh() + 1);
    if (times == 0 || len == 0) {
      return out;
    }
    int[] length = new int[times];
    int maxLength = 0;
    for (int j = 0; j < times; j++) {
      length[j] = random.nextInt(lengthLow, lengthHigh + 1);
      maxLength = Math.max(maxLength, length[j]);
    }
    int startMin = options.dropStart() < 0 ? options.dropStart() + len : options.dropStart();
    int startMax = options.dropEnd() == null ? len : options.dropEnd();
    if (startMax < 0) {
      startMax += len;
    }
    startMax = Math.max(0, startMax - maxLength);
    startMin = Math.max(0, Math.min(startMin, startMax));
    // one set of chunk positions for all channels, as SpeechBrain drops [i, start:end, ...]
    int[] start = new int[times];
    for (int j = 0; j < times; j++) {
      start[j] = random.nextInt(startMin, startMax + 1);
    }
    double[] noiseMax = new double[out.length];
    for (int c = 0; c < out.length; c++) {
      noiseMax[c] =
          2 * Signals.amplitude(channels[c], len, len, Signals.Amp.AVG) * options.noiseFactor();
    }
    for (int j = 0; j < times; j++) {
      int from = Math.min(start[j], len);
      int to = Math.min(start[j] + length[j], len);
      for (int i = from; i < to; i++) {
        double u = options.noiseFactor() == 0 ? 0 : random.nextDouble();
        for (int c = 0; c < out.length; c++) {
          out[c][i] = options.noiseFactor() == 0 ? 0f : (float) (2 * noiseMax[c] * u - noiseMax[c]);
        }
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "DropChunk(" + options + ")";
  }
}
