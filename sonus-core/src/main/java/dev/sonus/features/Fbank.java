package dev.sonus.features;

import dev.sonus.tensor.Scopes;
import dev.sonus.util.Alias;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Log mel filterbank features, as {@code speechbrain.lobes.features.Fbank}: STFT, power spectrum,
 * mel filterbank in dB, then optional deltas (and delta-deltas) and a context window.
 *
 * <p>Shapes: {@code [batch, time]} waveforms in, {@code [batch, frames, dims]} out, where {@code
 * frames = 1 + time / hop} and {@code dims = nMels · (deltas ? 3 : 1) · (context ? left + right + 1
 * : 1)}, in the order {@code [fbank, delta, delta-delta]}. Numerically equal to SpeechBrain v1.0.0
 * (see the parity tests). Safe to call from several threads at once.
 */
public final class Fbank implements FeatureExtractor {

  /**
   * Fbank settings; names follow SpeechBrain's arguments.
   *
   * @param sampleRate Hz
   * @param nFft FFT size, samples
   * @param nMels mel filters
   * @param fMin lowest filter edge, Hz
   * @param fMax highest filter edge, Hz; 0 means half the sample rate
   * @param winLengthMs analysis window, ms ({@code win_length} in SpeechBrain's recipes)
   * @param hopLengthMs hop between frames, ms ({@code hop_length} in SpeechBrain's recipes)
   * @param filterShape shape of the mel filters
   * @param deltas append deltas and delta-deltas
   * @param context stack {@code leftFrames} past and {@code rightFrames} future frames
   * @param leftFrames past frames in the context window
   * @param rightFrames future frames in the context window
   */
  public record Options(
      int sampleRate,
      int nFft,
      int nMels,
      double fMin,
      double fMax,
      @Alias("win_length") double winLengthMs,
      @Alias("hop_length") double hopLengthMs,
      Filterbank.Shape filterShape,
      boolean deltas,
      boolean context,
      int leftFrames,
      int rightFrames) {

    /** Validates every setting. */
    public Options {
      FeatureChecks.positive(sampleRate, "sample_rate");
      FeatureChecks.positive(nFft, "n_fft");
      FeatureChecks.positive(nMels, "n_mels");
      FeatureChecks.nonNegative(leftFrames, "left_frames");
      FeatureChecks.nonNegative(rightFrames, "right_frames");
      if (filterShape == null) {
        throw new IllegalArgumentException(
            "filter_shape is null; expected one of triangular, rectangular");
      }
    }

    /**
     * SpeechBrain's defaults: 16 kHz, n_fft 400, 40 mels, 25 ms / 10 ms, triangular, no deltas or
     * context.
     */
    public static Options defaults() {
      return new Options(
          16000, 400, 40, 0, 0, 25, 10, Filterbank.Shape.TRIANGULAR, false, false, 5, 5);
    }

    /** Returns a copy with another sample rate (Hz). */
    public Options withSampleRate(int hz) {
      return new Options(
          hz,
          nFft,
          nMels,
          fMin,
          fMax,
          winLengthMs,
          hopLengthMs,
          filterShape,
          deltas,
          context,
          leftFrames,
          rightFrames);
    }

    /** Returns a copy with another number of mel filters. */
    public Options withNMels(int n) {
      return new Options(
          sampleRate,
          nFft,
          n,
          fMin,
          fMax,
          winLengthMs,
          hopLengthMs,
          filterShape,
          deltas,
          context,
          leftFrames,
          rightFrames);
    }

    /** Returns a copy with another FFT size. */
    public Options withNFft(int n) {
      return new Options(
          sampleRate,
          n,
          nMels,
          fMin,
          fMax,
          winLengthMs,
          hopLengthMs,
          filterShape,
          deltas,
          context,
          leftFrames,
          rightFrames);
    }

    /**
     * Returns a copy with another frequency range (Hz; {@code fMax} 0 means half the sample rate).
     */
    public Options withFrequencyRange(double min, double max) {
      return new Options(
          sampleRate,
          nFft,
          nMels,
          min,
          max,
          winLengthMs,
          hopLengthMs,
          filterShape,
          deltas,
          context,
          leftFrames,
          rightFrames);
    }

    /** Returns a copy with other window and hop lengths (ms). */
    public Options withFraming(double winMs, double hopMs) {
      return new Options(
          sampleRate,
          nFft,
          nMels,
          fMin,
          fMax,
          winMs,
          hopMs,
          filterShape,
          deltas,
          context,
          leftFrames,
          rightFrames);
    }

    /** Returns a copy with deltas on or off. */
    public Options withDeltas(boolean on) {
      return new Options(
          sampleRate,
          nFft,
          nMels,
          fMin,
          fMax,
          winLengthMs,
          hopLengthMs,
          filterShape,
          on,
          context,
          leftFrames,
          rightFrames);
    }

    /** Returns a copy with the context window on or off. */
    public Options withContext(boolean on) {
      return new Options(
          sampleRate,
          nFft,
          nMels,
          fMin,
          fMax,
          winLengthMs,
          hopLengthMs,
          filterShape,
          deltas,
          on,
          leftFrames,
          rightFrames);
    }

    /** Returns a copy with another context window size. */
    public Options withContextFrames(int left, int right) {
      return new Options(
          sampleRate,
          nFft,
          nMels,
          fMin,
          fMax,
          winLengthMs,
          hopLengthMs,
          filterShape,
          deltas,
          context,
          left,
          right);
    }

    /** Returns a copy with another filter shape. */
    public Options withFilterShape(Filterbank.Shape shape) {
      return new Options(
          sampleRate,
          nFft,
          nMels,
          fMin,
          fMax,
          winLengthMs,
          hopLengthMs,
          shape,
          deltas,
          context,
          leftFrames,
          rightFrames);
    }

    /** {@code fMax}, or half the sample rate when it is 0. */
    public double effectiveFMax() {
      return fMax > 0 ? fMax : sampleRate / 2.0;
    }

    /** Output feature dimension for {@code base} values per frame before deltas and context. */
    int outputDim(int base) {
      return base * (deltas ? 3 : 1) * (context ? leftFrames + rightFrames + 1 : 1);
    }
  }

  private final Options options;
  private final Stft stft;
  private final Filterbank filterbank;
  private final Deltas deltas;
  private final ContextWindow context;

  /**
   * Creates Fbank features with SpeechBrain's defaults at the given sample rate and number of mels.
   */
  public Fbank(int sampleRate, int nMels) {
    this(Options.defaults().withSampleRate(sampleRate).withNMels(nMels));
  }

  /** Creates Fbank features with the given settings. */
  public Fbank(Options options) {
    this.options = options;
    this.stft =
        new Stft(
            options.sampleRate(),
            options.winLengthMs(),
            options.hopLengthMs(),
            options.nFft(),
            true);
    this.filterbank =
        new Filterbank(
            options.nMels(),
            options.nFft(),
            options.sampleRate(),
            options.fMin(),
            options.effectiveFMax(),
            options.filterShape(),
            true,
            2,
            1e-10,
            1.0,
            80.0);
    this.deltas = options.deltas() ? new Deltas(5) : null;
    this.context =
        options.context() ? new ContextWindow(options.leftFrames(), options.rightFrames()) : null;
  }

  /**
   * Computes features: {@code [batch, time] -> [batch, frames, outputDim()]}; the result is in the
   * caller's scope.
   */
  @Override
  public Tensor forward(Tensor wav) {
    try (PointerScope scope = new PointerScope()) {
      Tensor fbanks = filterbank.applyToSpectrum(stft.complex(wav));
      return Scopes.toCallerScope(postProcess(fbanks, deltas, context));
    }
  }

  /** Feature values per frame. */
  public int outputDim() {
    return options.outputDim(options.nMels());
  }

  @Override
  public int outputSize() {
    return outputDim();
  }

  @Override
  public int sampleRate() {
    return options.sampleRate();
  }

  @Override
  public int hopSamples() {
    return stft.hopLength();
  }

  /** Frames produced for {@code samples} input samples. */
  public long frames(long samples) {
    return stft.frames(samples);
  }

  /** The settings. */
  public Options options() {
    return options;
  }

  /**
   * Appends deltas and delta-deltas, then stacks context; both optional. Result is in the caller's
   * scope.
   */
  static Tensor postProcess(Tensor x, Deltas deltas, ContextWindow context) {
    Tensor out = x;
    if (deltas != null) {
      Tensor d1 = deltas.compute(out);
      Tensor d2 = deltas.compute(d1);
      out = torch.cat(new TensorVector(out, d1, d2), 2);
    }
    if (context != null) {
      out = context.compute(out);
    }
    return out;
  }

  @Override
  public void close() {
    stft.close();
    filterbank.close();
  }

  @Override
  public String toString() {
    return "Fbank(" + options + ")";
  }
}
