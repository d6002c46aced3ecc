package dev.sonus.decode;

/**
 * A language model for shallow fusion in {@link S2SBeamSearch}: the log-probability of every next
 * token after a hypothesis (SpeechBrain's full LM scorers, {@code lm_weight · log p_LM} added to
 * each candidate).
 */
@FunctionalInterface
public interface PrefixLm {
  /**
   * Natural-log probabilities of each of the {@code vocab} tokens following {@code prefix} (the
   * hypothesis's tokens so far, without bos); the eos token's entry is the probability of ending
   * there.
   */
  float[] nextLogProbs(long[] prefix, int vocab);

  /**
   * {@link #nextLogProbs(long[], int)} of several hypotheses of the same length at once (one row
   * each); a neural model overrides it to score them in one batch.
   */
  default float[][] nextLogProbs(long[][] prefixes, int vocab) {
    float[][] out = new float[prefixes.length][];
    for (int i = 0; i < prefixes.length; i++) {
      out[i] = nextLogProbs(prefixes[i], vocab);
    }
    return out;
  }
}
