package dev.sonus.models;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * The embedding-model slot of a task: frames of features in, one fixed-size vector per utterance
 * out (speaker embeddings, utterance embeddings for classification). {@link EcapaTdnn} and {@link
 * Xvector} implement it; a recipe picks one with {@code embedding_model: !new:models.EcapaTdnn
 * {...}}.
 *
 * <p>An implementation is a libtorch {@link Module} whose {@link #embed} leaves its result in the
 * caller's scope.
 */
public interface EmbeddingModel {

  /** Features per input frame. */
  long inputSize();

  /** Size of the embedding. */
  long embeddingSize();

  /**
   * Embeds {@code features} ({@code [B, T, inputSize()]}, of which {@code relLengths[b] · T} frames
   * are valid) to {@code [B, 1, embeddingSize()]}; each embedding depends on its own utterance
   * only, whatever its batch.
   */
  Tensor embed(Tensor features, Tensor relLengths);

  /** This model as the module that holds its parameters. */
  default Module module() {
    return Slots.module(this, "embedding_model");
  }
}
