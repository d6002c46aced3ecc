package dev.sonus.augment;

import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Adds noise at a random signal-to-noise ratio, SpeechBrain's {@code AddNoise}: a recording drawn
 * from a manifest or folder ({@code csv_file}), or white or pink noise when none is given. The SNR
 * is drawn uniformly in [{@code snr_low}, {@code snr_high}] dB; the clean signal is scaled by
 * {@code 1 - a} and the noise to {@code a} times the clean RMS, {@code a = 1 / (10^(snr/20) + 1)}.
 * A noise shorter than the signal is zero-padded, or with {@code pad_noise} repeated; a longer one
 * is read from a random offset ({@code start_index} fixes it). With {@code normalize} the result is
 * scaled down when its peak passes 1.
 *
 * <p>Noise files are read at their own rate and resampled to the signal's; {@code
 * noise_sample_rate} and {@code clean_sample_rate} are accepted for SpeechBrain recipes and checked
 * to be positive. SpeechBrain's {@code noise_funct} is {@code noise_type} here: {@code white}
 * ({@code torch.randn_like}) or {@code pink} ({@code pink_noise_like}).
 */
public final class AddNoise implements WaveformAugmentation {

  /**
   * The options, with SpeechBrain's names.
   *
   * @param csvFile manifest ({@code wav} column) or folder of noise recordings; null: generated
   *     noise
   * @param csvKeys the manifest column holding the audio path (its first entry; null: {@code wav})
   * @param sorting random | original | ascending | descending; orders the list (the recording is
   *     drawn per item)
   * @param numWorkers accepted for SpeechBrain recipes; the noise is read in the loader threads
   * @param snrLow lowest SNR, dB
   * @param snrHigh highest SNR, dB
   * @param padNoise repeat a short noise to the signal's length instead of zero-padding it
   * @param startIndex fixed offset into the noise (null: random)
   * @param normalize scale the result down when its peak passes 1
   * @param noiseType without {@code csv_file}: white | pink
   * @param replacements values of the manifest's {@code $placeholders}
   * @param noiseSampleRate SpeechBrain's noise rate (files are resampled from their own rate)
   * @param cleanSampleRate SpeechBrain's signal rate
   */
  public record Options(
      String csvFile,
      java.util.List<String> csvKeys,
      String sorting,
      int numWorkers,
      double snrLow,
      double snrHigh,
      boolean padNoise,
      Integer startIndex,
      boolean normalize,
      String noiseType,
      Map<String, String> replacements,
      int noiseSampleRate,
      int cleanSampleRate) {
    /** SpeechBrain's defaults: white noise at 0 dB SNR. */
    public static Options defaults() {
      return new Options(
          null, null, "random", 0, 0, 0, false, null, false, "white", Map.of(), 16000, 16000);
    }
  }

  private final Options options;
  private final AudioSource noises;
  private final boolean pink;

  /** Builds it from its options. */
  public AddNoise(Options options) {
    this.options = options;
    if (options.snrLow() > options.snrHigh()) {
      throw new IllegalArgumentException(
          "snr_low ("
              + options.snrLow()
              + ") is above snr_high ("
              + options.snrHigh()
              + "); give snr_low <= snr_high");
    }
    if (options.noiseSampleRate() <= 0 || options.cleanSampleRate() <= 0) {
      throw new IllegalArgumentException(
          "noise_sample_rate and clean_sample_rate must be positive");
    }
    if (options.startIndex() != null && options.startIndex() < 0) {
      throw new IllegalArgumentException(
          "start_index is " + options.startIndex() + "; it must be 0 or more (or null: random)");
    }
    String type =
        options.noiseType() == null ? "white" : options.noiseType().toLowerCase(Locale.ROOT);
    if (!type.equals("white") && !type.equals("pink")) {
      throw new IllegalArgumentException(
          "noise_type is '" + options.noiseType() + "'; expected white or pink");
    }
    this.pink = type.equals("pink");
    String column =
        options.csvKeys() == null || options.csvKeys().isEmpty() ? null : options.csvKeys().get(0);
    this.noises =
        options.csvFile() == null
            ? null
            : AudioSource.of(
                options.csvFile(), column, options.sorting(), options.replacements(), "csv_file");
  }

  /** The options it was built with. */
  public Options options() {
    return options;
  }

  @Override
  public float[][] apply(float[][] channels, int sampleRate, SplittableRandom random) {
    int len = channels.length == 0 ? 0 : channels[0].length;
    if (len == 0) {
      return Signals.copy(channels);
    }
    double snr = options.snrLow() + random.nextDouble() * (options.snrHigh() - options.snrLow());
    double factor = 1 / (Signals.dbToAmplitude(snr) + 1);
    float[] noise;
    int noiseLen;
    if (noises == null) {
      noise = null;
      noiseLen = len;
    } else {
      float[] rec = noises.get(noises.draw(random), sampleRate);
      if (options.padNoise()) {
        int n = rec.length;
        if (n == 0) {
          throw new IllegalArgumentException(noises + ": a noise recording is empty");
        }
        int total = n;
        while (total < len) {
          total += n;
        }
        float[] tiled = new float[total];
        for (int at = 0; at < total; at += n) {
          System.arraycopy(rec, 0, tiled, at, Math.min(n, total - at));
        }
        rec = tiled;
      }
      int start =
          options.startIndex() != null
              ? options.startIndex()
              : random.nextInt(Math.max(1, rec.length - len));
      noise = new float[len];
      int avail = Math.max(0, Math.min(len, rec.length - start));
      if (avail > 0) {
        System.arraycopy(rec, start, noise, 0, avail);
      }
      noiseLen = Math.max(avail, 0);
    }
    float[][] out = new float[channels.length][];
    for (int c = 0; c < channels.length; c++) {
      float[] x = channels[c];
      float[] n = noise;
      int nLen = noiseLen;
      if (n == null) {
        n = pink ? Signals.pinkNoise(len, 1.0, 50, random) : gaussian(len, random);
        nLen = len;
      }
      double cleanRms = Signals.amplitude(x, len, len, Signals.Amp.RMS);
      double noiseRms = nLen == 0 ? 0 : Signals.amplitude(n, len, nLen, Signals.Amp.RMS);
      double gain = factor * cleanRms / (noiseRms + 1e-14);
      float[] y = new float[len];
      for (int i = 0; i < len; i++) {
        y[i] = (float) (x[i] * (1 - factor) + n[i] * gain);
      }
      out[c] = y;
    }
    if (options.normalize()) {
      float peak = 0;
      for (float[] y : out) {
        peak = Math.max(peak, Signals.absMax(y));
      }
      if (peak > 1) {
        for (float[] y : out) {
          for (int i = 0; i < y.length; i++) {
            y[i] /= peak;
          }
        }
      }
    }
    return out;
  }

  private static float[] gaussian(int n, SplittableRandom random) {
    float[] g = new float[n];
    for (int i = 0; i < n; i++) {
      g[i] = (float) random.nextGaussian();
    }
    return g;
  }

  @Override
  public String toString() {
    return "AddNoise("
        + (noises == null ? (pink ? "pink" : "white") : noises.toString())
        + ", snr="
        + options.snrLow()
        + ".."
        + options.snrHigh()
        + " dB)";
  }
}
