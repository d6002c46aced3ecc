package dev.sonus.augment;

import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;

/**
 * An augmentation of a batch of features {@code [batch, time, features]} (time and frequency
 * masking, warping), applied to the training batch after normalisation, as SpeechBrain's recipes
 * apply their {@code fea_augment}.
 */
public interface FeatureAugmentation extends Augmentation {

  /**
   * Augments a batch.
   *
   * @param feats {@code [B, T, F]}; not modified
   * @param lengths valid frames of each item
   * @param random one generator per item, for this augmentation
   * @return the augmented batch, same shape
   */
  Tensor apply(Tensor feats, long[] lengths, List<SplittableRandom> random);
}
