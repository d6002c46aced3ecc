package dev.sonus.models.transformer;

import org.bytedeco.pytorch.Tensor;

/** One layer of a {@link SourceEncoder}: {@code [B, T, d]} in and out. */
interface EncoderLayer {
  /**
   * The layer's output (caller's scope).
   *
   * @param srcMask {@code [T, T]} attention mask (causal or chunked), or {@code null}
   * @param keyPadding {@code [B, T]} boolean, {@code true} at padded frames, or {@code null}
   * @param posEmbs relative positions for {@code RelPosMHAXL}, else {@code null}
   */
  Tensor forward(Tensor x, Tensor srcMask, Tensor keyPadding, Tensor posEmbs);
}
