package dev.sonus.decode;

import dev.sonus.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Attention beam search over an encoder-decoder model with SpeechBrain v1.0.0's semantics ({@code
 * S2SBeamSearcher} / {@code S2STransformerBeamSearcher}): bos starts every hypothesis, a hypothesis
 * ends at eos, {@code min/max_decode_ratio} of the encoder frames bound the steps, scores are
 * length-normalised when ranking, eos may be held back below {@code eos_threshold} times the best
 * token, and a CTC prefix score joins the attention score with weight {@code ctc_weight} (joint
 * CTC/attention decoding, blank excluded).
 *
 * <p>The decoder is given as a {@link DecoderStep}, so the search serves any model; a {@link
 * PrefixLm} adds shallow fusion.
 */
public final class S2SBeamSearch {
  /** One decoding step of the model: the next token's log-probabilities. */
  @FunctionalInterface
  public interface DecoderStep {
    /**
     * {@code [n, V]} log-probabilities of the token after each prefix (caller's scope).
     *
     * @param prefixes {@code [n, u]} tokens so far, bos first
     * @param encStates {@code [n, T, d]} encoder states, one copy per hypothesis
     * @param encLens {@code [n]} valid encoder frames
     */
    Tensor nextLogProbs(Tensor prefixes, Tensor encStates, Tensor encLens);
  }

  /**
   * Search settings, named as SpeechBrain's.
   *
   * @param bosIndex begin-of-sentence token
   * @param eosIndex end-of-sentence token
   * @param blankIndex the CTC blank (with {@code ctcWeight > 0} it must differ from bos and eos)
   * @param beamSize hypotheses kept per utterance
   * @param minDecodeRatio eos is not allowed before {@code min_decode_ratio · T} steps
   * @param maxDecodeRatio at most {@code max_decode_ratio · T} steps
   * @param ctcWeight weight of the CTC prefix score (the attention score gets {@code 1 - w})
   * @param usingEosThreshold hold eos back unless its log-probability exceeds {@code eosThreshold}
   *     times the best token's
   * @param eosThreshold that factor (SpeechBrain's default 1.5)
   * @param lengthNormalization rank hypotheses by score divided by length
   * @param topK hypotheses returned per utterance (at most {@code beamSize})
   */
  public record Options(
      int bosIndex,
      int eosIndex,
      int blankIndex,
      int beamSize,
      double minDecodeRatio,
      double maxDecodeRatio,
      double ctcWeight,
      boolean usingEosThreshold,
      double eosThreshold,
      boolean lengthNormalization,
      int topK) {
    /** Validates. */
    public Options {
      if (beamSize < 1) {
        throw new IllegalArgumentException("beam_size is " + beamSize + "; expected 1 or more");
      }
      if (!(ctcWeight >= 0 && ctcWeight <= 1)) {
        throw new IllegalArgumentException("ctc_weight is " + ctcWeight + "; expected 0 to 1");
      }
      if (ctcWeight > 0
          && (blankIndex == bosIndex || blankIndex == eosIndex || bosIndex == eosIndex)) {
        throw new IllegalArgumentException(
            "bos "
                + bosIndex
                + ", eos "
                + eosIndex
                + " and blank "
                + blankIndex
                + " must be three different tokens for joint CTC/attention decoding");
      }
      if (!(minDecodeRatio >= 0) || !(maxDecodeRatio > 0) || minDecodeRatio > maxDecodeRatio) {
        throw new IllegalArgumentException(
            "min_decode_ratio is "
                + minDecodeRatio
                + " and max_decode_ratio "
                + maxDecodeRatio
                + "; expected 0 <= min <= max and max > 0");
      }
      if (topK < 1 || topK > beamSize) {
        throw new IllegalArgumentException(
            "topk is " + topK + "; expected 1 to beam_size (" + beamSize + ")");
      }
    }

    /**
     * SpeechBrain's defaults ({@code S2SBeamSearcher}): bos 1, eos 2, blank 0, beam 1 (greedy), no
     * CTC, eos threshold 1.5 on, length normalisation on, the best hypothesis only.
     */
    public static Options defaults() {
      return of(1, 2, 0, 1);
    }

    /** SpeechBrain's defaults with the given tokens and beam. */
    public static Options of(int bos, int eos, int blank, int beamSize) {
      return new Options(bos, eos, blank, beamSize, 0.0, 1.0, 0.0, true, 1.5, true, 1);
    }

    /** The same with another beam size (top-k capped by it) and CTC weight. */
    public Options withBeamAndCtcWeight(int beam, double ctc) {
      return new Options(
          bosIndex,
          eosIndex,
          blankIndex,
          beam,
          minDecodeRatio,
          maxDecodeRatio,
          ctc,
          usingEosThreshold,
          eosThreshold,
          lengthNormalization,
          Math.min(topK, beam));
    }
  }

  /**
   * A finished hypothesis.
   *
   * @param tokens the tokens, without bos and eos
   * @param score its (length-normalised) score
   */
  public record Hypothesis(long[] tokens, double score) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Hypothesis h && Arrays.equals(tokens, h.tokens) && score == h.score;
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(tokens) * 31 + Double.hashCode(score);
    }

    @Override
    public String toString() {
      return Arrays.toString(tokens) + " (" + score + ")";
    }
  }

  private static final double MINUS_INF = -1e20;
  private final Options options;

  /** A search with the given settings. */
  public S2SBeamSearch(Options options) {
    if (options == null) {
      throw new IllegalArgumentException("options is null; use S2SBeamSearch.Options.of(...)");
    }
    this.options = options;
  }

  /** The settings. */
  public Options options() {
    return options;
  }

  /**
   * The best {@code topK} hypotheses of each utterance, best first.
   *
   * @param step the model's decoder
   * @param encStates {@code [B, T, d]} encoder states
   * @param wavLens {@code [B]} relative lengths
   * @param ctcLogProbs {@code [B, T, V]} CTC log-probabilities (needed when {@code ctcWeight > 0},
   *     else ignored)
   */
  public List<List<Hypothesis>> search(
      DecoderStep step, Tensor encStates, Tensor wavLens, Tensor ctcLogProbs) {
    return search(step, encStates, wavLens, ctcLogProbs, null, 0.0);
  }

  /**
   * As {@link #search(DecoderStep, Tensor, Tensor, Tensor)}, with a language model fused in: {@code
   * lmWeight · log p_LM(token | hypothesis)} is added to every candidate (SpeechBrain's full LM
   * scorer, e.g. {@code TransformerLMScorer} or {@code KenLMScorer} with weight {@code lm_weight}).
   */
  public List<List<Hypothesis>> search(
      DecoderStep step,
      Tensor encStates,
      Tensor wavLens,
      Tensor ctcLogProbs,
      PrefixLm lm,
      double lmWeight) {
    if (lm != null && !(lmWeight >= 0 && Double.isFinite(lmWeight))) {
      throw new IllegalArgumentException("lm_weight is " + lmWeight + "; expected 0 or more");
    }
    if (options.ctcWeight() > 0 && ctcLogProbs == null) {
      throw new IllegalArgumentException(
          "ctc_weight is " + options.ctcWeight() + " but no CTC log-probabilities were given");
    }
    try (PointerScope outer = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard()) {
      return run(step, encStates, wavLens, ctcLogProbs, lmWeight > 0 ? lm : null, lmWeight);
    }
  }

  private List<List<Hypothesis>> run(
      DecoderStep step,
      Tensor encStates,
      Tensor wavLens,
      Tensor ctcLogProbs,
      PrefixLm lm,
      double lmWeight) {
    int batch = (int) encStates.size(0);
    long frames = encStates.size(1);
    int beam = options.beamSize();
    int n = batch * beam;
    double attnWeight = 1 - options.ctcWeight();
    Tensor encLensT =
        wavLens
            .to(torch.ScalarType.Float)
            .mul(new Scalar((double) frames))
            .round()
            .to(torch.ScalarType.Int);
    long[] encLens = Tensors.toLongs(encLensT.to(torch.ScalarType.Long));
    long[] inflate = new long[n];
    for (int i = 0; i < n; i++) {
      inflate[i] = i / beam;
    }
    Tensor inflateIndex = Tensors.fromLongs(inflate, n);
    Tensor enc = torch.index_select(encStates, 0, inflateIndex);
    Tensor encLensInflated = torch.index_select(encLensT, 0, inflateIndex);
    int minSteps = (int) (frames * options.minDecodeRatio());
    int maxSteps = (int) (frames * options.maxDecodeRatio());

    CtcPrefixScorer ctc =
        options.ctcWeight() > 0
            ? new CtcPrefixScorer(ctcLogProbs, encLens, options.blankIndex(), options.eosIndex())
            : null;
    CtcPrefixScorer.State ctcState = null;
    float[] seqScores = new float[n];
    Arrays.fill(seqScores, Float.NEGATIVE_INFINITY);
    for (int b = 0; b < batch; b++) {
      seqScores[b * beam] = 0f;
    }
    long[][] alive = new long[n][0];
    long[] inpTokens = new long[n];
    Arrays.fill(inpTokens, options.bosIndex());
    List<List<long[]>> eosHyps = new ArrayList<>();
    List<List<Float>> eosScores = new ArrayList<>();
    for (int b = 0; b < batch; b++) {
      eosHyps.add(new ArrayList<>());
      eosScores.add(new ArrayList<>());
    }
    float[] scores = null;
    try {
      for (int s = 0; s < maxSteps; s++) {
        if (full(eosHyps, beam)) {
          break;
        }
        try (PointerScope stepScope = new PointerScope()) {
          long[] prefixFlat = new long[n * (s + 1)];
          for (int i = 0; i < n; i++) {
            prefixFlat[i * (s + 1)] = options.bosIndex();
            System.arraycopy(alive[i], 0, prefixFlat, i * (s + 1) + 1, s);
          }
          Tensor prefixes = Tensors.fromLongs(prefixFlat, n, s + 1);
          Tensor logp;
          if (attnWeight > 0) {
            logp =
                step.nextLogProbs(prefixes, enc, encLensInflated)
                    .to(torch.ScalarType.Float)
                    .mul(new Scalar(attnWeight));
          } else {
            logp = torch.zeros(n, ctc == null ? 1 : vocabOf(ctcLogProbs));
          }
          long vocab = logp.size(1);
          int eos = options.eosIndex();
          if (s < minSteps) {
            logp.select(1, eos).fill_(new Scalar(MINUS_INF));
          }
          if (options.usingEosThreshold()) {
            Tensor best = torch.amax(logp, new long[] {-1}, false);
            Tensor eosCol = logp.select(1, eos);
            Tensor cond = eosCol.gt(best.mul(new Scalar(options.eosThreshold())));
            logp.select(1, eos)
                .copy_(
                    torch.where(cond, eosCol, torch.full(new long[] {n}, new Scalar(MINUS_INF))));
          }
          if (lm != null) {
            float[] lmScores = new float[(int) (n * vocab)];
            for (int i = 0; i < n; i++) {
              System.arraycopy(
                  lm.nextLogProbs(alive[i], (int) vocab),
                  0,
                  lmScores,
                  (int) (i * vocab),
                  (int) vocab);
            }
            logp = logp.add(Tensors.fromFloats(lmScores, n, vocab).mul(new Scalar(lmWeight)));
          }
          CtcPrefixScorer.State[] next = new CtcPrefixScorer.State[1];
          if (ctc != null) {
            logp.select(1, options.blankIndex()).fill_(new Scalar(MINUS_INF));
            logp =
                logp.add(ctc.step(inpTokens, ctcState, next).mul(new Scalar(options.ctcWeight())));
          }
          Tensor total = Tensors.fromFloats(seqScores, n).unsqueeze(1).add(logp);
          if (options.lengthNormalization()) {
            total = total.div(new Scalar((double) (s + 1)));
          }
          T_TensorTensor_T top = total.view(batch, -1).topk(beam, -1, true, true);
          Tensor topScores = top.get0();
          Tensor candidates = top.get1();
          float[] stepScores = Tensors.toFloats(topScores);
          long[] cand = Tensors.toLongs(candidates);
          long[] pred = new long[n];
          long[] tokens = new long[n];
          for (int i = 0; i < n; i++) {
            tokens[i] = cand[i] % vocab;
            pred[i] = cand[i] / vocab + (long) (i / beam) * beam;
          }
          if (ctc != null) {
            CtcPrefixScorer.State permuted = ctc.permute(next[0], candidates);
            next[0].close();
            if (ctcState != null) {
              ctcState.close();
            }
            ctcState = permuted;
          }
          long[][] nextAlive = new long[n][];
          for (int i = 0; i < n; i++) {
            long[] p = alive[(int) pred[i]];
            nextAlive[i] = Arrays.copyOf(p, p.length + 1);
            nextAlive[i][p.length] = tokens[i];
            seqScores[i] = options.lengthNormalization() ? stepScores[i] * (s + 1) : stepScores[i];
          }
          alive = nextAlive;
          inpTokens = tokens;
          scores = stepScores;
          for (int i = 0; i < n; i++) {
            if (tokens[i] == eos) {
              int b = i / beam;
              if (eosHyps.get(b).size() < beam) {
                eosHyps.get(b).add(alive[i]);
                eosScores.get(b).add(stepScores[i]);
              }
              seqScores[i] = Float.NEGATIVE_INFINITY;
            }
          }
        }
      }
    } finally {
      if (ctcState != null) {
        ctcState.close();
      }
      if (ctc != null) {
        ctc.release();
      }
    }
    if (scores != null && !full(eosHyps, beam)) {
      for (int i = 0; i < n; i++) {
        int b = i / beam;
        if (eosHyps.get(b).size() < beam) {
          eosHyps.get(b).add(alive[i]);
          eosScores.get(b).add(scores[i]);
        }
      }
    }
    return best(eosHyps, eosScores);
  }

  private static long vocabOf(Tensor ctcLogProbs) {
    return ctcLogProbs.size(2);
  }

  private static boolean full(List<List<long[]>> hyps, int beam) {
    for (List<long[]> h : hyps) {
      if (h.size() != beam) {
        return false;
      }
    }
    return true;
  }

  /**
   * Ranks each utterance's finished hypotheses by score (ties: the earlier one first, as {@code
   * topk} does) and drops each one's last token (eos, or the last token of a hypothesis cut at the
   * step limit, as SpeechBrain does).
   */
  private List<List<Hypothesis>> best(List<List<long[]>> hyps, List<List<Float>> scores) {
    List<List<Hypothesis>> out = new ArrayList<>();
    for (int b = 0; b < hyps.size(); b++) {
      List<long[]> h = hyps.get(b);
      List<Float> sc = scores.get(b);
      Integer[] order = new Integer[h.size()];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (x, y) -> Float.compare(sc.get(y), sc.get(x)));
      List<Hypothesis> ranked = new ArrayList<>();
      for (int k = 0; k < Math.min(options.topK(), order.length); k++) {
        long[] t = h.get(order[k]);
        ranked.add(new Hypothesis(Arrays.copyOf(t, Math.max(0, t.length - 1)), sc.get(order[k])));
      }
      out.add(ranked);
    }
    return out;
  }
}
