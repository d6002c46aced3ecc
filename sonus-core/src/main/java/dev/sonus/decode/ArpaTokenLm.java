package dev.sonus.decode;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * An ARPA n-gram model over the tokens of a sequence-to-sequence model (its "words" are the
 * tokenizer's pieces, e.g. trained on the training transcripts encoded as pieces), for shallow
 * fusion: the n-gram log-probability (natural log) of each next piece, {@code </s>} for eos, and
 * {@code -1e20} for the tokens that are never emitted (bos, the CTC blank, unk).
 */
public final class ArpaTokenLm implements PrefixLm {
  private final ArpaLm lm;
  private final LongFunction<String> piece;
  private final int eos;
  private final long[] never;

  /**
   * An LM over pieces.
   *
   * @param lm the n-gram model
   * @param piece the piece of a token id (the tokenizer's)
   * @param eos the eos token, scored as {@code </s>}
   * @param never tokens scored as impossible (bos, blank, unk)
   */
  public ArpaTokenLm(ArpaLm lm, LongFunction<String> piece, int eos, long... never) {
    this.lm = lm;
    this.piece = piece;
    this.eos = eos;
    this.never = never.clone();
  }

  @Override
  public float[] nextLogProbs(long[] prefix, int vocab) {
    List<String> context = new ArrayList<>(prefix.length + 1);
    context.add(ArpaLm.BOS);
    int from = Math.max(0, prefix.length - (lm.order() - 1));
    for (int i = from; i < prefix.length; i++) {
      context.add(piece.apply(prefix[i]));
    }
    if (from > 0) {
      context.remove(0); // the sentence start lies outside the n-gram window
    }
    float[] out = new float[vocab];
    double ln10 = Math.log(10);
    for (int v = 0; v < vocab; v++) {
      String w = v == eos ? ArpaLm.EOS : piece.apply(v);
      out[v] = (float) (lm.logProb10(context, w) * ln10);
    }
    for (long v : never) {
      if (v >= 0 && v < vocab) {
        out[(int) v] = (float) CtcPrefixScorer.MINUS_INF;
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "ArpaTokenLm(" + lm + ")";
  }
}
