package dev.sonus.nn;

import org.bytedeco.pytorch.Tensor;

/**
 * An attention layer of a Transformer block: {@link MultiheadAttention} or {@link RelPosMhaXl}, as
 * SpeechBrain's {@code attention_type} chooses them. Shapes {@code [B, Lq, d]} queries and {@code
 * [B, Lk, d]} keys and values to {@code [B, Lq, d]}.
 */
public interface AttentionLayer {
  /**
   * Attends; the result is in the caller's scope.
   *
   * @param attnMask {@code [Lq, Lk]} float mask added to the scores ({@code -inf} where a query
   *     must not look), a boolean mask ({@code true} where it must not), or {@code null}
   * @param keyPaddingMask {@code [B, Lk]} boolean, {@code true} at padded keys, or {@code null}
   * @param posEmbs relative positional embeddings ({@link RelPosEncXl}) for the layers that use
   *     them, else ignored ({@code null})
   */
  Tensor attend(
      Tensor query,
      Tensor key,
      Tensor value,
      Tensor attnMask,
      Tensor keyPaddingMask,
      Tensor posEmbs);
}
