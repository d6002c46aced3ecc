package dev.sonus.experiments;

import dev.sonus.features.FeatureExtractor;
import dev.sonus.features.InputNormalization;

/** What the experiments check of their slots and how they default them, in one place. */
final class SlotChecks {
  private SlotChecks() {}

  /**
   * Refuses a model whose input size is not the features' output size.
   *
   * @param model how the message names the model, e.g. {@code "encoder's input_size"}
   */
  static void sameSize(FeatureExtractor features, long inputSize, String model) {
    if (inputSize != features.outputSize()) {
      throw new IllegalArgumentException(
          "the features give "
              + features.outputSize()
              + " values per frame but the "
              + model
              + " is "
              + inputSize
              + "; set both to the same value (input_size: !ref <n_mels>)");
    }
  }

  /** The recipe's normalisation, or sentence mean normalisation (with variance if {@code std}). */
  static InputNormalization normalizeOrDefault(InputNormalization given, boolean std) {
    return given != null
        ? given
        : new InputNormalization(InputNormalization.Type.SENTENCE, true, std);
  }
}
