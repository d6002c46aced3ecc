package dev.sonus.losses;

import dev.sonus.nn.Lengths;
import dev.sonus.tensor.Scopes;
import dev.sonus.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Negative log-likelihood with optional label smoothing and length masking, as {@code
 * speechbrain.nnet.losses.nll_loss} (for attention decoders and classifiers).
 *
 * <p>Shapes: log-probabilities {@code [B, C]} with targets {@code [B]}, or {@code [B, T, C]} with
 * targets {@code [B, T']} where the time axes may differ by at most {@code allowedLenDiff} (the
 * longer is truncated). With relative lengths {@code [B]}, position {@code t} counts when {@code t
 * < rel · T} (unrounded, as SpeechBrain's {@code length_to_mask}). With smoothing {@code ε} the
 * loss is {@code (1 - ε) · nll - ε · mean over classes of log p}, each term reduced over the
 * counted positions.
 */
public final class NllLoss implements ClassificationLoss {
  private final double labelSmoothing;
  private final int allowedLenDiff;
  private final CtcLoss.Reduction reduction;

  /**
   * Creates the loss.
   *
   * @param labelSmoothing ε in [0, 1)
   * @param allowedLenDiff largest tolerated difference between prediction and target lengths
   *     (SpeechBrain: 3)
   * @param reduction MEAN (over counted positions), BATCHMEAN (sum / batch size), SUM, or BATCH
   *     (one value per utterance, mean over its positions)
   */
  public NllLoss(double labelSmoothing, int allowedLenDiff, CtcLoss.Reduction reduction) {
    if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
      throw new IllegalArgumentException(
          "label_smoothing is " + labelSmoothing + "; expected a value in [0, 1)");
    }
    if (allowedLenDiff < 0) {
      throw new IllegalArgumentException(
          "allowed_len_diff is " + allowedLenDiff + "; expected 0 or more");
    }
    this.labelSmoothing = labelSmoothing;
    this.allowedLenDiff = allowedLenDiff;
    this.reduction = reduction;
  }

  /** No smoothing, SpeechBrain's defaults otherwise (allowed length difference 3, mean). */
  public NllLoss() {
    this(0.0, 3, CtcLoss.Reduction.MEAN);
  }

  /**
   * The loss of class log-probabilities {@code [B, 1, classes]} (or {@code [B, classes]}) against
   * targets {@code [B, 1]} (or {@code [B]}), every utterance counting; the result is in the
   * caller's scope.
   */
  @Override
  public Tensor forward(Tensor scores, Tensor targets) {
    if (scores.dim() == 3 && targets.dim() == 1) {
      return forward(scores, targets.unsqueeze(1), null);
    }
    return forward(scores, targets, null);
  }

  /**
   * Computes the loss; differentiable with respect to {@code logProbs}. The result is in the
   * caller's scope.
   *
   * @param relLengths {@code [B]} valid fraction of the time axis, or null when every position
   *     counts
   */
  public Tensor forward(Tensor logProbs, Tensor targets, Tensor relLengths) {
    try (PointerScope scope = new PointerScope()) {
      Tensor lp = logProbs;
      Tensor tg = targets.to(torch.ScalarType.Long);
      if (lp.dim() == 3) {
        if (tg.dim() != 2 || tg.size(0) != lp.size(0)) {
          throw new IllegalArgumentException(
              "targets have shape "
                  + Tensors.shapeString(tg)
                  + " for "
                  + "log-probabilities "
                  + Tensors.shapeString(lp)
                  + "; expected [batch, time]");
        }
        long diff = lp.size(1) - tg.size(1);
        if (Math.abs(diff) > allowedLenDiff) {
          throw new IllegalArgumentException(
              String.format(
                  "predictions have %d steps but targets %d; the "
                      + "difference exceeds allowed_len_diff %d",
                  lp.size(1), tg.size(1), allowedLenDiff));
        }
        long steps = Math.min(lp.size(1), tg.size(1));
        lp = lp.narrow(1, 0, steps);
        tg = tg.narrow(1, 0, steps);
      } else if (lp.dim() != 2 || tg.dim() != 1 || tg.size(0) != lp.size(0)) {
        throw new IllegalArgumentException(
            "expected log-probabilities [B, C] with targets [B], or [B, T, C] with "
                + "[B, T]; got "
                + Tensors.shapeString(lp)
                + " and "
                + Tensors.shapeString(tg));
      }
      Tensor flatTargets = tg.unsqueeze(-1);
      Tensor nll = lp.gather(-1, flatTargets).squeeze(-1).neg(); // [B] or [B, T]
      Tensor mask = torch.ones_like(nll);
      if (relLengths != null && nll.dim() == 2) {
        mask = Lengths.mask(relLengths, tg.size(1));
      }
      Tensor loss = reduce(nll.mul(mask), mask);
      if (labelSmoothing > 0) {
        Tensor meanLogProb =
            lp.mean(new long[] {-1}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
        Tensor reg = reduce(meanLogProb.mul(mask), mask);
        loss = loss.mul(new Scalar(1 - labelSmoothing)).sub(reg.mul(new Scalar(labelSmoothing)));
      }
      return Scopes.toCallerScope(loss);
    }
  }

  private Tensor reduce(Tensor masked, Tensor mask) {
    long batch = masked.size(0);
    return switch (reduction) {
      case MEAN -> masked.sum().div(mask.sum());
      case SUM -> masked.sum();
      case BATCHMEAN -> masked.sum().div(new Scalar((double) batch));
      case BATCH ->
          masked
              .reshape(batch, -1)
              .sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional())
              .div(
                  mask.reshape(batch, -1)
                      .sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional()));
    };
  }

  @Override
  public String toString() {
    return "NllLoss(label_smoothing="
        + labelSmoothing
        + ", allowed_len_diff="
        + allowedLenDiff
        + ", reduction="
        + reduction.name().toLowerCase(java.util.Locale.ROOT)
        + ")";
  }
}
