package dev.sonus.inference;

import dev.sonus.decode.CtcDecoder;

/**
 * A speech recogniser whose text comes from a {@link CtcDecoder} that can be swapped after
 * training.
 */
public interface CtcRecognizer extends SpeechRecognizer {

  /** The decoder in use. */
  CtcDecoder decoder();

  /** Replaces the decoder; its blank index must be the model's. */
  void useDecoder(CtcDecoder decoder);
}
