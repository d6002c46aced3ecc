package dev.sonus.augment;

/**
 * One random transformation of training data, SpeechBrain's {@code speechbrain.augment} modules: a
 * {@link WaveformAugmentation} (noise, reverberation, speed, ...) or a {@link FeatureAugmentation}
 * (time and frequency masking, warping). An {@link Augmenter} composes them.
 *
 * <p>Every random choice an augmentation makes for an item comes from the generator it is given,
 * which the augmenter derives from (seed, epoch, item ID, augmentation name): the same seed gives
 * the same augmented data whatever the loader's thread timing.
 */
public interface Augmentation {

  /**
   * The name that, with the item's ID, keys the item's random stream; SpeechBrain's class name
   * ({@code AddNoise}), which the augmenter suffixes with the position in its list.
   */
  default String name() {
    return getClass().getSimpleName();
  }
}
