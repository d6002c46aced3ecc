package dev.sonus.inference;

import dev.sonus.decode.PrefixLm;

/**
 * A trained token language model (a run of {@code experiments.TokenLm}), for shallow fusion into a
 * sequence-to-sequence search ({@code sonus eval RUN --lm LM_RUN}).
 */
public interface LanguageModel {
  /** The model as a scorer; {@code temperature} divides the logits before the log-softmax. */
  PrefixLm prefixLm(double temperature);
}
