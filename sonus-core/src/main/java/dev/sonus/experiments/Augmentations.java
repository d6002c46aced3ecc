package dev.sonus.experiments;

import dev.sonus.augment.AugmentedData;
import dev.sonus.augment.Augmenter;
import dev.sonus.data.Batch;
import dev.sonus.data.DynamicItemDataset;
import dev.sonus.features.FeatureExtractor;
import dev.sonus.train.Stage;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/** The {@code wav_augment} and {@code fea_augment} slots the recognition experiments share. */
final class Augmentations {
  private Augmentations() {}

  static Augmenter checkWaveform(Augmenter a) {
    if (a != null && a.isFeature() && !a.augmentations().isEmpty()) {
      throw new IllegalArgumentException(
          "wav_augment holds feature augmentations ("
              + a
              + "); put SpectrogramDrop and Warping under fea_augment");
    }
    return a;
  }

  static Augmenter checkFeature(Augmenter a) {
    if (a != null && a.isWaveform()) {
      throw new IllegalArgumentException(
          "fea_augment holds waveform augmentations ("
              + a
              + "); put them under wav_augment, which runs before the features");
    }
    return a;
  }

  /**
   * The normalised feature batch {@code x} with its relative lengths after {@code fea_augment} when
   * {@code stage} is training and an augmenter is given (originals and copies, with the source map
   * that replicates labels); else {@code x} and {@code lens} as they are, with no source map.
   */
  static Augmenter.FeatureResult features(
      Augmenter feaAugment, Stage stage, Tensor x, Tensor lens, Batch batch) {
    if (stage != Stage.TRAIN || feaAugment == null) {
      return new Augmenter.FeatureResult(x, lens, null);
    }
    return AugmentedData.features(feaAugment, x, lens, batch);
  }

  /**
   * The dataset with {@code keys} as outputs; with a waveform augmenter, the items carry the
   * waveform ({@code sig}) and the batch stage augments it and computes {@code feats}.
   */
  static DynamicItemDataset dataset(
      DynamicItemDataset ds,
      List<String> keys,
      Augmenter wavAugment,
      int sampleRate,
      FeatureExtractor features) {
    if (wavAugment == null) {
      return ds.withOutputKeys(keys.toArray(String[]::new));
    }
    List<String> withSignal = new ArrayList<>(keys);
    withSignal.set(withSignal.indexOf("feats"), "sig");
    return ds.withOutputKeys(withSignal.toArray(String[]::new))
        .withBatchStage(AugmentedData.waveStage(wavAugment, sampleRate, "sig", features, "feats"));
  }
}
