package dev.sonus.features;

import dev.sonus.tensor.Scopes;
import dev.sonus.util.Alias;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Mel-frequency cepstral coefficients, as {@code speechbrain.lobes.features.MFCC}: the log mel
 * filterbank of {@link Fbank}, an orthonormal DCT keeping {@code nMfcc} coefficients, then optional
 * deltas and context.
 *
 * <p>Shapes: {@code [batch, time] -> [batch, frames, nMfcc · (deltas ? 3 : 1) · (context ? W :
 * 1)]}. SpeechBrain's MFCC defaults differ from Fbank's: 23 mels, 20 coefficients, deltas and a 5+5
 * context window on ({@link #speechBrainDefaults(int)}).
 */
public final class Mfcc implements FeatureExtractor {

  /**
   * MFCC settings, named as SpeechBrain's {@code MFCC} arguments, with its defaults.
   *
   * @param sampleRate Hz
   * @param nFft FFT size, samples
   * @param nMels mel filters
   * @param nMfcc cepstral coefficients kept, at most {@code nMels}
   * @param fMin lowest filter edge, Hz
   * @param fMax highest filter edge, Hz; 0 means half the sample rate
   * @param winLengthMs analysis window, ms ({@code win_length})
   * @param hopLengthMs hop between frames, ms ({@code hop_length})
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
      int nMfcc,
      double fMin,
      double fMax,
      @Alias("win_length") double winLengthMs,
      @Alias("hop_length") double hopLengthMs,
      Filterbank.Shape filterShape,
      boolean deltas,
      boolean context,
      int leftFrames,
      int rightFrames) {

    /** Validates the settings. */
    public Options {
      FeatureChecks.positive(nMfcc, "n_mfcc");
      if (nMfcc > nMels) {
        throw new IllegalArgumentException(
            "n_mfcc is "
                + nMfcc
                + " but n_mels is "
                + nMels
                + "; keep at most as many coefficients as mel filters");
      }
      front(
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
          leftFrames,
          rightFrames);
    }

    /**
     * SpeechBrain's MFCC defaults: 16 kHz, n_fft 400, 23 mels, 20 coefficients, deltas, context
     * 5+5.
     */
    public static Options defaults() {
      return new Options(
          16000, 400, 23, 20, 0, 0, 25, 10, Filterbank.Shape.TRIANGULAR, true, true, 5, 5);
    }

    /** The framing, filterbank, deltas and context settings as Fbank options. */
    public Fbank.Options fbankOptions() {
      return front(
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
          leftFrames,
          rightFrames);
    }

    private static Fbank.Options front(
        int sampleRate,
        int nFft,
        int nMels,
        double fMin,
        double fMax,
        double winLengthMs,
        double hopLengthMs,
        Filterbank.Shape filterShape,
        boolean deltas,
        boolean context,
        int leftFrames,
        int rightFrames) {
      return new Fbank.Options(
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
          leftFrames,
          rightFrames);
    }
  }

  private final Fbank.Options front;
  private final int nMfcc;
  private final Stft stft;
  private final Filterbank filterbank;
  private final Dct dct;
  private final Deltas deltas;
  private final ContextWindow context;

  /**
   * Creates MFCC features.
   *
   * @param front framing, filterbank, deltas and context settings (as for {@link Fbank})
   * @param nMfcc cepstral coefficients kept, at most {@code front.nMels()}
   */
  public Mfcc(Fbank.Options front, int nMfcc) {
    this.front = front;
    this.nMfcc = nMfcc;
    this.stft =
        new Stft(front.sampleRate(), front.winLengthMs(), front.hopLengthMs(), front.nFft(), true);
    this.filterbank =
        new Filterbank(
            front.nMels(),
            front.nFft(),
            front.sampleRate(),
            front.fMin(),
            front.effectiveFMax(),
            front.filterShape(),
            true,
            2,
            1e-10,
            1.0,
            80.0);
    this.dct = new Dct(front.nMels(), nMfcc, true);
    this.deltas = front.deltas() ? new Deltas(5) : null;
    this.context =
        front.context() ? new ContextWindow(front.leftFrames(), front.rightFrames()) : null;
  }

  /** Creates MFCC features with the given settings. */
  public Mfcc(Options options) {
    this(options.fbankOptions(), options.nMfcc());
  }

  /**
   * SpeechBrain's MFCC defaults at the given rate: 23 mels, 20 coefficients, deltas, context 5+5.
   */
  public static Mfcc speechBrainDefaults(int sampleRate) {
    return new Mfcc(
        Fbank.Options.defaults()
            .withSampleRate(sampleRate)
            .withNMels(23)
            .withDeltas(true)
            .withContext(true),
        20);
  }

  /** Computes the coefficients; the result is in the caller's scope. */
  @Override
  public Tensor forward(Tensor wav) {
    try (PointerScope scope = new PointerScope()) {
      Tensor logMel = filterbank.applyToSpectrum(stft.complex(wav));
      return Scopes.toCallerScope(Fbank.postProcess(dct.compute(logMel), deltas, context));
    }
  }

  /** Values per frame. */
  public int outputDim() {
    return front.outputDim(nMfcc);
  }

  @Override
  public int outputSize() {
    return outputDim();
  }

  @Override
  public int sampleRate() {
    return front.sampleRate();
  }

  @Override
  public int hopSamples() {
    return stft.hopLength();
  }

  @Override
  public void close() {
    stft.close();
    filterbank.close();
    dct.close();
  }

  @Override
  public String toString() {
    return "Mfcc(n_mfcc=" + nMfcc + ", " + front + ")";
  }
}
