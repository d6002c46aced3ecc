package dev.sonus.train;

import dev.sonus.data.DynamicItemDataset;
import dev.sonus.data.Manifest;
import java.nio.file.Path;
import java.util.Map;

/**
 * A {@link Task} that also knows how to turn a manifest into a dataset (its pipelines and output
 * keys), so that a recipe alone can drive a whole run: SpeechBrain's {@code dataio_prepare} plus
 * the {@code Brain} subclass.
 *
 * @param <P> the prediction type
 */
public interface Experiment<P> extends Task<P> {

  /**
   * Called with the run bundle's folder before any dataset is built, and again when a trained
   * bundle is loaded for inference: an experiment keeps there the files its model needs besides the
   * weights (a label encoder, say), and reads them back from there. The default keeps nothing.
   */
  default void useRunFolder(Path folder) {}

  /**
   * Text reports of the stage that ended last, by name (e.g. {@code wer}: per-utterance
   * alignments); the runner writes them after the test as {@code <name>_test.txt} in the run
   * folder. The default has none.
   */
  default Map<String, String> reports() {
    return Map.of();
  }

  /**
   * The manifest columns that name audio files ({@code wav} by default; e.g. {@code noisy_wav} and
   * {@code clean_wav} for enhancement): the data check reads, and the data fingerprint hashes,
   * every file of every one of them before training.
   */
  default java.util.List<String> audioColumns() {
    return java.util.List.of("wav");
  }

  /**
   * Builds the dataset of one split: read audio, compute features, encode labels, choose output
   * keys.
   */
  DynamicItemDataset dataset(Manifest manifest, Stage stage);
}
