package dev.sonus.augment;

import dev.sonus.data.AudioPipelines;
import dev.sonus.data.Batch;
import dev.sonus.data.DynamicItemDataset;
import dev.sonus.data.ItemContext;
import dev.sonus.features.FeatureExtractor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * Where augmentation meets the data pipeline: waveform augmentation as the batch stage of a
 * training dataset (in the loader threads, before features), feature augmentation on a loaded
 * batch.
 */
public final class AugmentedData {
  private AugmentedData() {}

  /**
   * A batch stage that augments each batch's waveforms ({@code signalKey}, mono {@code float[]} at
   * {@code sampleRate}), replicates the other keys of items the augmenter copies (the copies' IDs
   * get a {@code /augN} suffix), computes {@code featsKey} from each augmented waveform with {@code
   * features} and drops the waveform.
   *
   * @param features the feature extractor; null keeps the augmented waveform under {@code
   *     signalKey} and computes nothing
   */
  public static DynamicItemDataset.BatchStage waveStage(
      Augmenter augmenter,
      int sampleRate,
      String signalKey,
      FeatureExtractor features,
      String featsKey) {
    if (!augmenter.isWaveform() && !augmenter.augmentations().isEmpty()) {
      throw new IllegalArgumentException(
          "wav_augment holds feature augmentations ("
              + augmenter
              + "); put SpectrogramDrop and Warping under fea_augment");
    }
    return (items, contexts) -> {
      List<float[][]> signals = new ArrayList<>(items.size());
      for (Map<String, Object> item : items) {
        Object s = item.get(signalKey);
        if (!(s instanceof float[] wave)) {
          throw new IllegalStateException(
              "item '" + item.get("id") + "' has no waveform under '" + signalKey + "'");
        }
        signals.add(new float[][] {wave});
      }
      Augmenter.Result<List<float[][]>> r =
          augmenter.augmentWaveforms(signals, sampleRate, contexts);
      int[] copies = new int[items.size()];
      List<Map<String, Object>> out = new ArrayList<>(r.source().length);
      for (int j = 0; j < r.source().length; j++) {
        int src = r.source()[j];
        Map<String, Object> item = new LinkedHashMap<>(items.get(src));
        int copy = copies[src]++;
        if (copy > 0) {
          item.put("id", item.get("id") + "/aug" + copy);
        }
        float[] wave = r.data().get(j)[0];
        if (features != null) {
          item.remove(signalKey);
          item.put(featsKey, AudioPipelines.frames(features, wave));
        } else {
          item.put(signalKey, wave);
        }
        out.add(item);
      }
      return out;
    };
  }

  /**
   * Applies feature augmentation to a loaded batch's features, drawing each item's randomness from
   * the batch's {@link Batch#contexts()}.
   *
   * @param feats {@code [B, T, F]}
   * @param relLengths {@code [B]}
   */
  public static Augmenter.FeatureResult features(
      Augmenter augmenter, Tensor feats, Tensor relLengths, Batch batch) {
    List<ItemContext> contexts = batch.contexts();
    return augmenter.augmentFeatures(feats, relLengths, contexts);
  }

  /**
   * Applies feature augmentation to one item's features {@code [frames][dims]} (for looking at what
   * it does): one matrix per output of the augmenter.
   */
  public static List<float[][]> featureFrames(
      Augmenter augmenter, float[][] frames, ItemContext context) {
    try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
      Tensor x = dev.sonus.tensor.Tensors.fromRows(frames).unsqueeze(0);
      Augmenter.FeatureResult r =
          augmenter.augmentFeatures(
              x, dev.sonus.tensor.Tensors.fromFloats(new float[] {1f}, 1), List.of(context));
      List<float[][]> out = new ArrayList<>();
      for (int i = 0; i < r.source().length; i++) {
        out.add(dev.sonus.tensor.Tensors.toRows(r.feats().select(0, i)));
      }
      return out;
    }
  }
}
