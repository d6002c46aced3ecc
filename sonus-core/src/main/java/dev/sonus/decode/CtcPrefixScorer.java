package dev.sonus.decode;

import dev.sonus.tensor.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The CTC prefix score of joint CTC/attention decoding (Watanabe et al., 2017), vectorised over
 * hypotheses and every next token as SpeechBrain v1.0.0's {@code CTCPrefixScore} (full scorer, no
 * window): for each hypothesis it keeps the forward variables {@code r} ({@code [T, 2, n]}, ending
 * in a non-blank / a blank) and the prefix score {@code psi}, and scores a step as the change of
 * {@code psi} for each candidate token. Log-domain, {@code -1e20} for impossible.
 *
 * <p>Not thread-safe; one instance serves one search.
 */
final class CtcPrefixScorer {
  static final double MINUS_INF = -1e20;

  private final int blank;
  private final int eos;
  private final int batch;
  private final int frames;
  private final int vocab;
  private final long[] lastFrame;

  /**
   * {@code [2, T, B, V]}: the frame log-probabilities of each token, and of blank for every token.
   */
  private final Tensor x;

  private int prefixLength = -1;

  /** {@link #x} repeated for each hypothesis, {@code [2, T, n, V]}: made on the first step. */
  private Tensor inflated;

  /** The state carried from step to step, for {@code n} hypotheses. */
  static final class State implements AutoCloseable {
    final Tensor r;
    final Tensor psi;

    State(Tensor r, Tensor psi) {
      this.r = r;
      this.psi = psi;
    }

    @Override
    public void close() {
      r.releaseReference();
      psi.releaseReference();
    }
  }

  /**
   * A scorer over CTC log-probabilities {@code logProbs} {@code [B, T, V]} with {@code encLens[b]}
   * valid frames; padded frames score 0 for blank and {@code -1e20} for every other token.
   */
  CtcPrefixScorer(Tensor logProbs, long[] encLens, int blank, int eos) {
    this.blank = blank;
    this.eos = eos;
    this.batch = (int) logProbs.size(0);
    this.frames = (int) logProbs.size(1);
    this.vocab = (int) logProbs.size(2);
    this.lastFrame = new long[batch];
    for (int b = 0; b < batch; b++) {
      lastFrame[b] = encLens[b] - 1;
    }
    Tensor lp = logProbs.to(torch.ScalarType.Float).clone();
    Tensor padded =
        torch
            .arange(new Scalar(frames))
            .unsqueeze(0)
            .ge(Tensors.fromLongs(encLens, batch).unsqueeze(1)); // [B, T]
    lp = lp.masked_fill(padded.unsqueeze(-1), new Scalar(MINUS_INF));
    Tensor blankCol = lp.select(2, blank).masked_fill(padded, new Scalar(0.0));
    lp.select(2, blank).copy_(blankCol);
    Tensor xnb = lp.transpose(0, 1); // [T, B, V]
    Tensor xb = xnb.select(2, blank).unsqueeze(2).expand(frames, batch, vocab);
    this.x = torch.stack(new TensorVector(xnb, xb)).contiguous().retainReference();
  }

  /** Frees the log-probabilities. */
  void release() {
    x.releaseReference();
    if (inflated != null) {
      inflated.releaseReference();
    }
  }

  /**
   * Scores every next token of {@code n = B · beam} hypotheses whose last token is {@code
   * lastTokens}; {@code state} is {@code null} on the first step. Returns {@code [n, V]} scores
   * (the change of the prefix score) and the new, unpermuted state (retained: the caller releases
   * it).
   */
  Tensor step(long[] lastTokens, State state, State[] out) {
    int n = lastTokens.length;
    int beam = n / batch;
    prefixLength++;
    Tensor rPrev;
    Tensor psiPrev;
    if (state == null) {
      rPrev = torch.full(new long[] {frames, 2, batch, beam}, new Scalar(MINUS_INF));
      Tensor blankCum = torch.cumsum(x.select(0, 0).select(2, blank), 0); // [T, B]
      rPrev.select(1, 1).copy_(blankCum.unsqueeze(2).expand(frames, batch, beam));
      rPrev = rPrev.view(frames, 2, n);
      psiPrev = torch.zeros(n, vocab);
    } else {
      rPrev = state.r;
      psiPrev = state.psi;
    }
    if (inflated == null) {
      inflated =
          x.unsqueeze(3).repeat(1, 1, 1, beam, 1).view(2, frames, n, vocab).retainReference();
    }
    Tensor xi = inflated;
    Tensor r = torch.full(new long[] {frames, 2, n, vocab}, new Scalar(MINUS_INF));
    if (prefixLength == 0) {
      r.select(0, 0).select(0, 0).copy_(xi.select(0, 0).select(0, 0));
    }
    Tensor rSum = torch.logsumexp(rPrev, new long[] {1}); // [T, n]
    Tensor phi = rSum.unsqueeze(2).repeat(1, 1, vocab).contiguous(); // [T, n, V]
    for (int i = 0; i < n; i++) {
      phi.select(1, i).select(1, lastTokens[i]).copy_(rPrev.select(1, 1).select(1, i));
    }
    int start = Math.max(1, prefixLength);
    int end = frames;
    for (int t = start; t < end; t++) {
      Tensor rnbPrev = r.select(0, t - 1).select(0, 0);
      Tensor rbPrev = r.select(0, t - 1).select(0, 1);
      Tensor stacked =
          torch
              .stack(new TensorVector(rnbPrev, phi.select(0, t - 1), rnbPrev, rbPrev))
              .view(2, 2, n, vocab);
      r.select(0, t).copy_(torch.logsumexp(stacked, new long[] {1}).add(xi.select(1, t)));
    }
    Tensor psiInit = r.select(0, start - 1).select(0, 0).unsqueeze(0);
    Tensor phix =
        torch
            .cat(new TensorVector(phi.narrow(0, 0, 1), phi.narrow(0, 0, frames - 1)), 0)
            .add(xi.select(0, 0));
    Tensor psi =
        torch.logsumexp(
            torch.cat(
                new TensorVector(phix.narrow(0, start, Math.max(0, end - start)), psiInit), 0),
            new long[] {0});
    for (int i = 0; i < n; i++) {
      psi.select(0, i).select(0, eos).copy_(rSum.select(0, lastFrame[i / beam]).select(0, i));
    }
    if (eos != blank) {
      psi.select(1, blank).fill_(new Scalar(MINUS_INF));
    }
    out[0] = new State(r.retainReference(), psi.retainReference());
    return psi.sub(psiPrev);
  }

  /**
   * The state of the chosen hypotheses: {@code candidates} {@code [B, beam]} indices into each
   * utterance's {@code beam · V} (hypothesis, token) pairs, as the search's top-k returns them.
   * Returns a retained state; the caller releases both.
   */
  State permute(State s, Tensor candidates) {
    int beam = (int) candidates.size(1);
    int n = batch * beam;
    Tensor offset =
        torch.arange(new Scalar(batch)).mul(new Scalar((long) beam * vocab)).unsqueeze(1);
    Tensor index = candidates.add(offset).view(n);
    Tensor psi =
        torch.index_select(s.psi.view(-1), 0, index).view(-1, 1).repeat(1, vocab).view(n, vocab);
    Tensor r =
        torch.index_select(s.r.view(frames, 2, (long) n * vocab), 2, index).view(frames, 2, n);
    return new State(r.contiguous().retainReference(), psi.contiguous().retainReference());
  }
}
