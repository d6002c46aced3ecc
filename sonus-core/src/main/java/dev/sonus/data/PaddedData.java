package dev.sonus.data;

import org.bytedeco.pytorch.Tensor;

/**
 * A padded batch of variable-length sequences, as SpeechBrain's {@code PaddedData}.
 *
 * @param data {@code [batch, maxLength, ...]}, zero-padded at the end
 * @param relLengths {@code [batch]} float32: each sequence's length as a fraction of {@code
 *     maxLength}, in (0, 1]
 */
public record PaddedData(Tensor data, Tensor relLengths) implements AutoCloseable {
  @Override
  public void close() {
    data.close();
    relLengths.close();
  }
}
