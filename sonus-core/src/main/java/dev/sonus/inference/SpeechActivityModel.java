package dev.sonus.inference;

/**
 * What {@link VoiceActivityDetector} needs of a trained voice activity model (a task such as {@code
 * experiments.VoiceActivity} implements it): frame speech probabilities of a waveform.
 */
public interface SpeechActivityModel {
  /** The rate the model reads audio at, Hz. */
  int sampleRate();

  /** Seconds between frames. */
  double frameShift();

  /**
   * Frame speech probabilities of mono {@code samples} at {@link #sampleRate()}, computed in chunks
   * of about {@code chunkSeconds}.
   */
  float[] speechProbabilities(float[] samples, double chunkSeconds);
}
