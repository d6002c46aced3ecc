package dev.sonus.features;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.Resample;
import dev.sonus.tensor.Npy;
import dev.sonus.tensor.Tensors;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Features of one audio file written as a float32 {@code .npy} of shape {@code [frames, dims]}
 * (sonus features).
 */
public final class FeatureFiles {
  private FeatureFiles() {}

  /** Which features. */
  public enum Kind {
    FBANK,
    MFCC,
    SPECTROGRAM
  }

  /**
   * What was written.
   *
   * @param shape {@code [frames, dims]}
   * @param seconds duration of the audio
   * @param sampleRate the rate the features were computed at, Hz
   * @param channels channels of the file (averaged to mono)
   */
  public record Written(long[] shape, double seconds, int sampleRate, int channels) {}

  /**
   * Reads {@code input} (downmixed to mono, resampled to {@code sampleRate} when it is not null),
   * computes the features and writes them to {@code out}.
   *
   * @param options framing, filterbank, deltas and context; its sample rate is replaced by the
   *     audio's
   * @param nMfcc coefficients kept for {@link Kind#MFCC}
   * @throws IllegalArgumentException for a bad setting, naming it
   */
  public static Written write(
      Kind kind, Path input, Integer sampleRate, Fbank.Options options, int nMfcc, Path out) {
    if (sampleRate != null && sampleRate <= 0) {
      throw new IllegalArgumentException(
          "the sample rate is " + sampleRate + "; it must be a positive rate in Hz");
    }
    if (kind == Kind.SPECTROGRAM && (options.deltas() || options.context())) {
      throw new IllegalArgumentException(
          "deltas and context apply to fbank and mfcc, not spectrogram");
    }
    Audio audio = AudioIO.read(input);
    int rate = sampleRate != null ? sampleRate : audio.sampleRate();
    float[] samples = Resample.resample(audio.toMono(), rate).channel(0);
    Fbank.Options at = options.withSampleRate(rate);
    try (PointerScope scope = new PointerScope()) {
      Tensor wav = Tensors.fromFloats(samples, 1, samples.length);
      Tensor feats =
          switch (kind) {
            case FBANK -> {
              try (Fbank f = new Fbank(at)) {
                yield f.forward(wav);
              }
            }
            case MFCC -> {
              try (Mfcc m = new Mfcc(at, nMfcc)) {
                yield m.forward(wav);
              }
            }
            case SPECTROGRAM -> {
              try (Stft s = new Stft(rate, at.winLengthMs(), at.hopLengthMs(), at.nFft(), true)) {
                yield s.powerSpectrogram(wav);
              }
            }
          };
      Tensor frames = feats.select(0, 0);
      Npy.write(out, frames);
      return new Written(
          frames.sizes().vec().get(), samples.length / (double) rate, rate, audio.numChannels());
    }
  }
}
