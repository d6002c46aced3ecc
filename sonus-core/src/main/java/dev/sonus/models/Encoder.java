package dev.sonus.models;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * The acoustic-encoder slot of a task (ESPnet's {@code AbsEncoder}): frames of features in, frames
 * of hidden vectors out. {@link CRDNN} implements it, and so does any encoder a recipe names
 * ({@code encoder: !new:models.CRDNN {...}} or {@code !new:com.example.MyEncoder {...}}): a task
 * that takes an {@code Encoder} needs no change for a new model family.
 *
 * <p>An implementation is a libtorch {@link Module} (its parameters are trained and saved with the
 * task's model) whose {@link #encode} leaves its result in the caller's scope ({@link
 * dev.sonus.tensor.Scopes}).
 */
public interface Encoder {

  /**
   * What an encoder returns.
   *
   * @param output {@code [B, T', outputSize()]} hidden vectors
   * @param relLengths {@code [B]} valid fraction of {@code T'} for each utterance
   */
  record Output(Tensor output, Tensor relLengths) {}

  /** Features per input frame; the task checks it against its feature extractor's output size. */
  long inputSize();

  /** Features per output frame. */
  long outputSize();

  /**
   * Encodes {@code features} ({@code [B, T, inputSize()]}, of which {@code relLengths[b] · T}
   * frames are valid) to {@link Output}. Each utterance's output must depend on its own valid
   * frames only, not on the padding or on the other utterances of the batch, so that a file
   * transcribed alone gets the text it gets in a batch.
   */
  Output encode(Tensor features, Tensor relLengths);

  /** This encoder as the module that holds its parameters. */
  default Module module() {
    return Slots.module(this, "encoder");
  }
}
