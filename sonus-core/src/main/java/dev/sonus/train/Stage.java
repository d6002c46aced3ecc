package dev.sonus.train;

/** Which part of an experiment a step belongs to, as SpeechBrain's {@code sb.Stage}. */
public enum Stage {
  /** Parameters are updated; augmentation and dropout are on. */
  TRAIN,
  /** Validation after each training epoch: no gradients, evaluation mode. */
  VALID,
  /** Final evaluation on held-out data: no gradients, evaluation mode. */
  TEST
}
