package dev.sonus.features;

import dev.sonus.tensor.Scopes;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Mel-frequency cepstral coefficients, as {@code speechbrain.lobes.features.MFCC}: the log mel filterbank of
 * {@link Fbank}, an orthonormal DCT keeping {@code nMfcc} coefficients, then optional deltas and context.
 *
 * <p>Shapes: {@code [batch, time] -> [batch, frames, nMfcc · (deltas ? 3 : 1) · (context ? W : 1)]}.
 * SpeechBrain's MFCC defaults differ from Fbank's: 23 mels, 20 coefficients, deltas and a 5+5 context window on
 * ({@link #speechBrainDefaults(int)}).
 */
public final class Mfcc implements AutoCloseable {
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
    this.stft = new Stft(front.sampleRate(), front.winLengthMs(), front.hopLengthMs(), front.nFft(), true);
    this.filterbank = new Filterbank(front.nMels(), front.nFft(), front.sampleRate(), front.fMin(),
        front.effectiveFMax(), front.filterShape(), true, 2, 1e-10, 1.0, 80.0);
    this.dct = new Dct(front.nMels(), nMfcc, true);
    this.deltas = front.deltas() ? new Deltas(5) : null;
    this.context = front.context() ? new ContextWindow(front.leftFrames(), front.rightFrames()) : null;
  }

  /** SpeechBrain's MFCC defaults at the given rate: 23 mels, 20 coefficients, deltas, context 5+5. */
  public static Mfcc speechBrainDefaults(int sampleRate) {
    return new Mfcc(Fbank.Options.defaults().withSampleRate(sampleRate).withNMels(23).withDeltas(true)
        .withContext(true), 20);
  }

  /** Computes the coefficients. */
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
