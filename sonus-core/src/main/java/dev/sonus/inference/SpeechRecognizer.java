package dev.sonus.inference;

import java.util.List;

/**
 * A trained model that turns speech into text; what {@link Transcriber} needs from an experiment.
 */
public interface SpeechRecognizer {

  /** Rate the model expects, Hz; {@link Transcriber} resamples other audio to it. */
  int sampleRate();

  /**
   * Transcribes mono signals sampled at {@link #sampleRate()}, one text per signal, in eval mode
   * and without gradients. Each text depends on its own signal only, not on the others given with
   * it.
   */
  List<String> transcribe(List<float[]> signals);
}
