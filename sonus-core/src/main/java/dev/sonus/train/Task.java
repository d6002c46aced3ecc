package dev.sonus.train;

import dev.sonus.data.Batch;
import java.util.Map;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * What an experiment computes, the two overrides of SpeechBrain's {@code Brain} plus its stage
 * hooks, supplied by composition: {@link Brain} runs the loop and calls these.
 *
 * <p>Native memory: each call happens inside the step's {@code PointerScope}; tensors made here
 * belong to it and must not be kept across steps (keep Java numbers instead). Every layer's, loss's
 * and feature extractor's result lands in the step's scope as well (see {@link
 * dev.sonus.tensor.Scopes}), so the step frees it with the autograd graph it holds (the step's
 * activations) instead of leaving them to a garbage collection.
 *
 * @param <P> what the forward pass returns (a tensor, or a record of several)
 */
public interface Task<P> {

  /**
   * The trainable model: its parameters are optimised, and it is switched between train and eval
   * mode.
   */
  Module model();

  /** Runs the model on a batch ({@code compute_forward}). */
  P computeForward(Batch batch, Stage stage);

  /**
   * Returns the scalar loss of a batch ({@code compute_objectives}); may also accumulate metrics.
   */
  Tensor computeObjectives(P predictions, Batch batch, Stage stage);

  /**
   * Called before the first batch of a stage ({@code on_stage_start}); e.g. reset metric
   * accumulators.
   */
  default void onStageStart(Stage stage, int epoch) {}

  /**
   * Called after the last batch of a stage ({@code on_stage_end}); returns the stage's metrics,
   * which the Brain logs and the checkpointer may rank by. The default reports the average loss
   * only.
   *
   * @param averageLoss mean loss over the stage's batches
   */
  default Map<String, Double> onStageEnd(Stage stage, int epoch, double averageLoss) {
    return Map.of("loss", averageLoss);
  }
}
