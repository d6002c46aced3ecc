package dev.sonus.augment;

import dev.sonus.tensor.Tensors;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Reverberates the signal with a room impulse response drawn from a manifest or folder ({@code
 * csv_file}), SpeechBrain's {@code AddReverb}: FFT convolution with the RIR aligned on its direct
 * path, the result rescaled to the input's amplitude ({@code rescale_amp}: {@code avg}, as
 * SpeechBrain's AddReverb always does, or {@code peak}). With {@code rir_scale_factor} the RIR is
 * first stretched by linear interpolation (a larger or smaller room). RIR files are resampled from
 * their own rate to the signal's.
 */
public final class AddReverb implements WaveformAugmentation {

  /**
   * The options, with SpeechBrain's names.
   *
   * @param csvFile manifest ({@code wav} column) or folder of RIR recordings; required
   * @param sorting random | original | ascending | descending; orders the list (the RIR is drawn
   *     per item)
   * @param numWorkers accepted for SpeechBrain recipes
   * @param rirScaleFactor stretch of the RIR in time (1: as recorded)
   * @param replacements values of the manifest's {@code $placeholders}
   * @param reverbSampleRate SpeechBrain's RIR rate (files are resampled from their own rate)
   * @param cleanSampleRate SpeechBrain's signal rate
   * @param rescaleAmp avg | peak: the amplitude the output keeps from the input
   */
  public record Options(
      String csvFile,
      String sorting,
      int numWorkers,
      double rirScaleFactor,
      Map<String, String> replacements,
      int reverbSampleRate,
      int cleanSampleRate,
      String rescaleAmp) {
    /** SpeechBrain's defaults; {@code csv_file} must still be given. */
    public static Options defaults() {
      return new Options(null, "random", 0, 1.0, Map.of(), 16000, 16000, "avg");
    }
  }

  private final Options options;
  private final AudioSource rirs;
  private final Signals.Amp rescale;

  /** Builds it from its options. */
  public AddReverb(Options options) {
    this.options = options;
    if (options.csvFile() == null) {
      throw new IllegalArgumentException(
          "csv_file is missing; give a manifest or folder of room impulse responses, e.g."
              + " csv_file: ../shared/data/speech-samples/RIRs");
    }
    if (!(options.rirScaleFactor() > 0)) {
      throw new IllegalArgumentException(
          "rir_scale_factor is " + options.rirScaleFactor() + "; it must be positive");
    }
    if (options.reverbSampleRate() <= 0 || options.cleanSampleRate() <= 0) {
      throw new IllegalArgumentException(
          "reverb_sample_rate and clean_sample_rate must be positive");
    }
    this.rescale = Signals.Amp.of(options.rescaleAmp(), "rescale_amp");
    if (rescale == Signals.Amp.RMS) {
      throw new IllegalArgumentException("rescale_amp is 'rms'; expected avg or peak");
    }
    this.rirs =
        AudioSource.of(
            options.csvFile(), null, options.sorting(), options.replacements(), "csv_file");
  }

  /** The options it was built with. */
  public Options options() {
    return options;
  }

  @Override
  public float[][] apply(float[][] channels, int sampleRate, SplittableRandom random) {
    float[] rir = rirs.get(rirs.draw(random), sampleRate);
    if (options.rirScaleFactor() != 1) {
      rir = stretch(rir, options.rirScaleFactor());
    }
    float[][] out = new float[channels.length][];
    for (int c = 0; c < channels.length; c++) {
      out[c] = Signals.reverberate(channels[c], rir, rescale);
    }
    return out;
  }

  /** {@code F.interpolate(rir, scale_factor, mode="linear", align_corners=False)}. */
  private static float[] stretch(float[] rir, double factor) {
    try (PointerScope scope = new PointerScope()) {
      Tensor x = Tensors.fromFloats(rir, 1, 1, rir.length);
      long n = (long) Math.floor(rir.length * factor);
      Tensor y =
          torch.upsample_linear1d(
              x,
              new long[] {Math.max(1, n)},
              false,
              new org.bytedeco.pytorch.DoubleOptional(factor));
      return Tensors.toFloats(y.contiguous());
    }
  }

  @Override
  public String toString() {
    return "AddReverb(" + rirs + ", rescale_amp=" + options.rescaleAmp() + ")";
  }
}
