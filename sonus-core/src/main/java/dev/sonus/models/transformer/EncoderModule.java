package dev.sonus.models.transformer;

/** SpeechBrain's {@code encoder_module}. */
public enum EncoderModule {
  /** Transformer encoder layers. */
  TRANSFORMER,
  /** Conformer layers: macaron feed-forwards around attention and a convolution module. */
  CONFORMER,
  /** Branchformer layers: attention and a cgMLP branch in parallel, merged. */
  BRANCHFORMER
}
