package dev.sonus.models.transformer;

/** SpeechBrain's {@code attention_type}. */
public enum AttentionType {
  /**
   * {@code regularMHA}: multi-head attention, with absolute sinusoidal positions added to the
   * input.
   */
  REGULAR_MHA,
  /** {@code RelPosMHAXL}: relative positional multi-head attention (Transformer-XL). */
  REL_POS_MHA_XL
}
