package dev.sonus.features;

import dev.sonus.tensor.Scopes;
import dev.sonus.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Short-time Fourier transform of a batch of waveforms, as {@code
 * speechbrain.processing.features.STFT}.
 *
 * <p>Shapes: {@code [batch, time]} samples in, {@code [batch, frames, nFft/2 + 1, 2]} out, the last
 * axis holding (real, imaginary). With {@code center} the signal is zero-padded by {@code nFft/2}
 * on both sides, so {@code frames = 1 + time / hop}. The window is a periodic Hamming window of
 * {@code winLength} samples, zero-padded to {@code nFft} (as {@code torch.stft} does).
 */
public final class Stft implements AutoCloseable {
  private final int sampleRate;
  private final int nFft;
  private final int winLength;
  private final int hopLength;
  private final boolean center;
  private final Tensor window;

  /**
   * Creates an STFT with SpeechBrain's defaults for everything but the rate and sizes.
   *
   * @param sampleRate Hz, used to convert the millisecond lengths to samples
   * @param winLengthMs window length, ms (25 in SpeechBrain)
   * @param hopLengthMs hop between frames, ms (10 in SpeechBrain)
   * @param nFft FFT size, samples (400 in SpeechBrain); must be at least the window length in
   *     samples
   * @param center pad {@code nFft/2} zeros on both sides so frame {@code t} is centred on sample
   *     {@code t·hop}
   */
  public Stft(int sampleRate, double winLengthMs, double hopLengthMs, int nFft, boolean center) {
    this.sampleRate = FeatureChecks.positive(sampleRate, "sample_rate");
    FeatureChecks.positive(winLengthMs, "win_length");
    FeatureChecks.positive(hopLengthMs, "hop_length");
    this.nFft = FeatureChecks.positive(nFft, "n_fft");
    // SpeechBrain: int(round(sample_rate / 1000 * ms)).
    this.winLength = (int) Math.round(sampleRate / 1000.0 * winLengthMs);
    this.hopLength = (int) Math.round(sampleRate / 1000.0 * hopLengthMs);
    if (winLength > nFft) {
      throw new IllegalArgumentException(
          String.format(
              "win_length of %.1f ms is %d samples at %d Hz, longer than n_fft=%d; raise n_fft to at least %d "
                  + "or shorten the window",
              winLengthMs, winLength, sampleRate, nFft, winLength));
    }
    if (hopLength < 1) {
      throw new IllegalArgumentException(
          String.format(
              "hop_length of %.3f ms is less than one sample at %d Hz; use a longer hop",
              hopLengthMs, sampleRate));
    }
    this.center = center;
    try (PointerScope scope = new PointerScope()) {
      this.window = torch.hamming_window(winLength, true).retainReference();
    }
  }

  /** Number of output frames for {@code samples} input samples. */
  public long frames(long samples) {
    return center ? 1 + samples / hopLength : 1 + (samples - nFft) / hopLength;
  }

  /**
   * Returns the complex spectrum {@code [batch, frames, nFft/2+1]} (complex64); used by the feature
   * pipelines.
   */
  Tensor complex(Tensor wav) {
    FeatureChecks.waveformBatch(wav, this);
    if (!center && wav.size(1) < nFft) {
      throw new IllegalArgumentException(
          String.format(
              "%s: input has %d samples, fewer than n_fft=%d, and center padding is off",
              this, wav.size(1), nFft));
    }
    Tensor spec =
        torch.stft(
            wav,
            nFft,
            new LongOptional(hopLength),
            new LongOptional(winLength),
            new TensorOptional(window),
            center,
            "constant",
            false,
            new BoolOptional(true),
            new BoolOptional(true),
            new BoolOptional());
    return spec.transpose(1, 2);
  }

  /** Returns {@code [batch, frames, nFft/2+1, 2]}: real and imaginary parts. */
  public Tensor forward(Tensor wav) {
    return Scopes.freeingTemporaries(() -> torch.view_as_real(complex(wav)));
  }

  /** Power spectrogram {@code re² + im²}: {@code [batch, time] -> [batch, frames, nFft/2+1]}. */
  public Tensor powerSpectrogram(Tensor wav) {
    return Scopes.freeingTemporaries(() -> power(complex(wav)));
  }

  /** Sample rate this transform was built for, Hz. */
  public int sampleRate() {
    return sampleRate;
  }

  /** FFT size, samples. */
  public int nFft() {
    return nFft;
  }

  /** Window length, samples. */
  public int winLength() {
    return winLength;
  }

  /** Hop length, samples. */
  public int hopLength() {
    return hopLength;
  }

  @Override
  public void close() {
    window.close();
  }

  @Override
  public String toString() {
    return "Stft(sample_rate="
        + sampleRate
        + ", n_fft="
        + nFft
        + ", win="
        + winLength
        + ", hop="
        + hopLength
        + ", center="
        + center
        + ")";
  }

  /**
   * {@code re² + im²} (SpeechBrain's {@code spectral_magnitude(stft, power=1)}); {@code [..., 2] ->
   * [...]}.
   */
  public static Tensor powerSpectrum(Tensor stft) {
    if (stft.dim() < 1 || stft.size(-1) != 2) {
      throw new IllegalArgumentException(
          "powerSpectrum expects a last axis of 2 (real, imaginary); got shape "
              + Tensors.shapeString(stft));
    }
    try (PointerScope scope = new PointerScope()) {
      return Scopes.toCallerScope(
          stft.pow(new org.bytedeco.pytorch.Scalar(2.0))
              .sum(new long[] {-1}, false, new org.bytedeco.pytorch.ScalarTypeOptional()));
    }
  }

  /** {@code re² + im²} of a complex tensor, without materialising the (real, imaginary) view. */
  static Tensor power(Tensor complex) {
    Tensor re = torch.real(complex);
    Tensor im = torch.imag(complex);
    return re.mul(re).add_(im.mul(im));
  }
}
