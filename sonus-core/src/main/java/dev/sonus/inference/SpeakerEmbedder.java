package dev.sonus.inference;

import java.util.List;

/**
 * A trained model that turns speech into a fixed-size embedding; what {@link SpeakerVerifier}
 * needs.
 */
public interface SpeakerEmbedder {

  /** Rate the model expects, Hz; audio at other rates is resampled first. */
  int sampleRate();

  /**
   * Embeds mono signals sampled at {@link #sampleRate()}, one vector per signal, in eval mode
   * without gradients; each vector depends on its own signal only.
   */
  float[][] embed(List<float[]> signals);
}
