package dev.sonus.losses;

import org.bytedeco.pytorch.Tensor;

/**
 * The loss slot of a classification task: class scores {@code [B, 1, classes]} (or {@code [B,
 * classes]}) and integer targets {@code [B]} (or {@code [B, 1]}) to a scalar loss. {@link
 * AamSoftmax} takes cosines, {@link NllLoss} log-probabilities; the recipe pairs one with the
 * matching classifier head.
 */
public interface ClassificationLoss {

  /** The mean loss over the batch, differentiable; the result is in the caller's scope. */
  Tensor forward(Tensor scores, Tensor targets);
}
