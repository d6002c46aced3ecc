package dev.sonus.augment;

import java.util.SplittableRandom;

/**
 * An augmentation of one waveform, applied in the loader threads to each item before its features
 * are computed.
 */
public interface WaveformAugmentation extends Augmentation {

  /**
   * Augments one item.
   *
   * @param channels samples {@code [channels][frames]}; not modified
   * @param sampleRate the samples' rate, Hz
   * @param random the item's generator for this augmentation
   * @return the augmented samples, a new array; its length may differ (speed perturbation)
   */
  float[][] apply(float[][] channels, int sampleRate, SplittableRandom random);
}
