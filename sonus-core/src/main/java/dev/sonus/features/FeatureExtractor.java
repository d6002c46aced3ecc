package dev.sonus.features;

import org.bytedeco.pytorch.Tensor;

/**
 * The feature slot of a task: turns waveforms into frames of features. A recipe fills it with any
 * implementation and all of its options ({@code features: !new:features.Fbank {n_mels: 80,
 * win_length: 25}} or {@code !new:features.Mfcc {...}}); the task reads audio at {@link
 * #sampleRate()} and sizes its model by {@link #outputSize()}. Implementations are safe to call
 * from several data-loader threads at once.
 */
public interface FeatureExtractor extends AutoCloseable {

  /** Rate the waveforms must have, Hz; the data pipeline resamples audio to it. */
  int sampleRate();

  /** Feature values per frame. */
  int outputSize();

  /**
   * Samples between the starts of consecutive frames, for tasks that label frames in time (voice
   * activity). Extractors without a fixed hop leave it unsupported, and such tasks refuse them.
   */
  default int hopSamples() {
    throw new UnsupportedOperationException(
        getClass().getSimpleName() + " does not have a fixed hop between frames");
  }

  /**
   * Computes features, {@code [batch, time] -> [batch, frames, outputSize()]}; the result is in the
   * caller's scope.
   */
  Tensor forward(Tensor wav);

  /** Frees native resources; the default has none. */
  @Override
  default void close() {}
}
