package dev.sonus.losses;

import dev.sonus.tensor.Scopes;
import dev.sonus.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Connectionist temporal classification loss on libtorch's {@code ctc_loss}, taking relative
 * lengths as {@code speechbrain.nnet.losses.ctc_loss} does.
 *
 * <p>Shapes: log-probabilities {@code [batch, time, classes]} (batch-first, from log_softmax),
 * padded targets {@code [batch, maxTargets]} int64, relative lengths {@code [batch]} for both.
 * Frame and target counts are {@code round(rel · padded length)}; impossible alignments give 0
 * instead of infinity ({@code zero_infinity}), as in SpeechBrain.
 */
public final class CtcLoss {
  /** How per-utterance losses are combined. */
  public enum Reduction {
    /** Mean over the batch of loss / target length (PyTorch's and SpeechBrain's default). */
    MEAN,
    /** Sum over the batch. */
    SUM,
    /** Sum divided by the batch size (SpeechBrain's {@code batchmean}). */
    BATCHMEAN,
    /** One loss per utterance, {@code [batch]} (SpeechBrain's {@code batch}). */
    BATCH
  }

  private final int blankIndex;
  private final Reduction reduction;

  /** Creates the loss with the blank at {@code blankIndex}. */
  public CtcLoss(int blankIndex, Reduction reduction) {
    if (blankIndex < 0) {
      throw new IllegalArgumentException("blank_index is " + blankIndex + "; it must be >= 0");
    }
    this.blankIndex = blankIndex;
    this.reduction = reduction;
  }

  /**
   * Computes the loss; differentiable with respect to {@code logProbs}. The result is in the
   * caller's scope.
   *
   * @param logProbs {@code [B, T, C]} log-probabilities
   * @param targets {@code [B, S]} token ids (padding beyond each target length is ignored)
   * @param inputRelLengths {@code [B]} fraction of T that is valid
   * @param targetRelLengths {@code [B]} fraction of S that is valid
   */
  public Tensor forward(
      Tensor logProbs, Tensor targets, Tensor inputRelLengths, Tensor targetRelLengths) {
    if (logProbs.dim() != 3) {
      throw new IllegalArgumentException(
          "CTC expects log-probabilities [batch, time, classes], got "
              + Tensors.shapeString(logProbs));
    }
    long classes = logProbs.size(2);
    if (blankIndex >= classes) {
      throw new IllegalArgumentException(
          "blank_index "
              + blankIndex
              + " is outside the "
              + classes
              + " output classes; check the model's output size against the tokenizer");
    }
    long frames = logProbs.size(1);
    long maxTargets = targets.dim() == 2 ? targets.size(1) : 0;
    long[] inputLengths = lengths(inputRelLengths, frames, "input");
    long[] targetLengths = lengths(targetRelLengths, maxTargets, "target");
    try (PointerScope scope = new PointerScope()) {
      int mode =
          switch (reduction) {
            case MEAN -> 1;
            case SUM, BATCHMEAN -> 2;
            case BATCH -> 0;
          };
      Tensor loss =
          torch.ctc_loss(
              logProbs.transpose(0, 1),
              targets.to(torch.ScalarType.Long),
              inputLengths,
              targetLengths,
              blankIndex,
              mode,
              true);
      if (reduction == Reduction.BATCHMEAN) {
        loss = loss.div(new Scalar((double) logProbs.size(0)));
      }
      return Scopes.toCallerScope(loss);
    }
  }

  private static long[] lengths(Tensor rel, long padded, String what) {
    double[] r = Tensors.toDoubles(rel);
    long[] out = new long[r.length];
    for (int i = 0; i < r.length; i++) {
      if (!(r[i] >= 0 && r[i] <= 1.0 + 1e-6)) {
        throw new IllegalArgumentException(
            what
                + " relative length of item "
                + i
                + " is "
                + r[i]
                + "; relative lengths must be in [0, 1]");
      }
      out[i] = Math.round(r[i] * padded);
    }
    return out;
  }

  @Override
  public String toString() {
    return "CtcLoss(blank_index="
        + blankIndex
        + ", reduction="
        + reduction.name().toLowerCase(java.util.Locale.ROOT)
        + ")";
  }
}
