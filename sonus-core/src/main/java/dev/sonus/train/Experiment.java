package dev.sonus.train;

import dev.sonus.data.DynamicItemDataset;
import dev.sonus.data.Manifest;

/**
 * A {@link Task} that also knows how to turn a manifest into a dataset (its pipelines and output keys), so that a
 * recipe alone can drive a whole run: SpeechBrain's {@code dataio_prepare} plus the {@code Brain} subclass.
 *
 * @param <P> the prediction type
 */
public interface Experiment<P> extends Task<P> {

  /** Builds the dataset of one split: read audio, compute features, encode labels, choose output keys. */
  DynamicItemDataset dataset(Manifest manifest, Stage stage);
}
