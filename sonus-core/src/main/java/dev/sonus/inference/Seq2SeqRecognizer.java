package dev.sonus.inference;

import dev.sonus.decode.S2SBeamSearch;

/**
 * A speech recogniser that decodes with an attention beam search (joint CTC/attention), whose
 * settings can be changed after training ({@code sonus eval --beam 10 --ctc-weight 0.4}).
 */
public interface Seq2SeqRecognizer extends SpeechRecognizer {

  /** The search used for test and transcription. */
  S2SBeamSearch.Options search();

  /** Replaces that search; its bos, eos and blank must be the model's. */
  void useSearch(S2SBeamSearch.Options search);

  /** The token-level ARPA language model fused into the search, or null. */
  java.nio.file.Path lmPath();

  /** Its weight (0 without one). */
  double lmWeight();

  /** Fuses a token-level ARPA model with this weight into the search (null: none). */
  void useLm(java.nio.file.Path lmPath, double lmWeight);

  /**
   * Fuses a neural language model (over this model's tokens) with this weight into the search;
   * {@code where} names it for messages and result labels.
   */
  void useLm(dev.sonus.decode.PrefixLm lm, java.nio.file.Path where, double lmWeight);
}
