package dev.sonus.models;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * The classifier slot of a classification task: embeddings {@code [B, 1, inputSize()]} to class
 * scores {@code [B, 1, classes()]}, which the task's loss slot turns into a loss and whose arg-max
 * is the prediction. {@link CosineClassifier} (cosines, for an additive-angular-margin loss) and
 * {@link XvectorClassifier} (log-probabilities, for negative log-likelihood) implement it.
 */
public interface ClassifierHead {

  /** Size of the embeddings it takes. */
  long inputSize();

  /** Number of classes. */
  long classes();

  /** Scores {@code [B, 1, classes()]}; the result is in the caller's scope. */
  Tensor forward(Tensor embeddings);

  /** This head as the module that holds its parameters. */
  default Module module() {
    return Slots.module(this, "classifier");
  }
}
