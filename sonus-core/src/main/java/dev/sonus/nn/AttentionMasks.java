package dev.sonus.nn;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The masks of SpeechBrain's Transformers ({@code speechbrain.lobes.models.transformer}):
 * key-padding masks from relative lengths or pad tokens, the look-ahead mask of a causal decoder,
 * and dynamic-chunk masks for streaming encoders. Boolean masks are {@code true} where attention is
 * not allowed.
 */
public final class AttentionMasks {
  private AttentionMasks() {}

  /**
   * {@code [B, frames]} boolean, {@code true} at padded frames: frame {@code t} is padding when
   * {@code t >= round(rel · frames)} (as {@code ~length_to_mask(torch.round(wav_len * T))}).
   */
  public static Tensor keyPadding(Tensor relLengths, long frames) {
    Checks.rank(relLengths, "relative lengths", "[batch]", 1);
    Tensor valid = relLengths.to(torch.ScalarType.Float).mul(new Scalar((double) frames)).round();
    return torch
        .arange(new Scalar(frames))
        .to(torch.ScalarType.Float)
        .unsqueeze(0)
        .ge(valid.unsqueeze(1));
  }

  /** {@code [B, frames]} boolean, {@code true} where {@code lengths[b] <= t} (absolute lengths). */
  public static Tensor keyPaddingFromLengths(Tensor lengths, long frames) {
    return torch
        .arange(new Scalar(frames))
        .unsqueeze(0)
        .ge(lengths.to(torch.ScalarType.Long).unsqueeze(1));
  }

  /** {@code [B, U]} boolean, {@code true} where a token equals {@code padIndex}. */
  public static Tensor tokenPadding(Tensor tokens, long padIndex) {
    return tokens.eq(new Scalar(padIndex));
  }

  /**
   * {@code [L, L]} float look-ahead mask: 0 where key {@code j <= i}, {@code -inf} after (as {@code
   * get_lookahead_mask}).
   */
  public static Tensor lookahead(long length) {
    Tensor allowed = torch.ones(length, length).tril().to(torch.ScalarType.Bool);
    return torch
        .zeros(length, length)
        .masked_fill(allowed.logical_not(), MultiheadAttention.minusInfinity());
  }

  /**
   * {@code [L, L]} boolean dynamic-chunk mask ({@code make_transformer_src_mask} with a {@code
   * DynChunkTrainConfig}): frames see their own chunk and every earlier one, or only {@code
   * leftChunks} earlier chunks when {@code leftChunks >= 0}.
   */
  public static Tensor dynamicChunk(long length, long chunkSize, long leftChunks) {
    Checks.positive(chunkSize, "chunk_size");
    long[] chunkOf = new long[(int) length];
    boolean[] masked = new boolean[(int) (length * length)];
    for (int i = 0; i < length; i++) {
      chunkOf[i] = i / chunkSize;
    }
    for (int i = 0; i < length; i++) {
      for (int j = 0; j < length; j++) {
        boolean future = chunkOf[j] > chunkOf[i];
        boolean tooOld = leftChunks >= 0 && chunkOf[j] < chunkOf[i] - leftChunks;
        masked[(int) (i * length + j)] = future || tooOld;
      }
    }
    long[] flat = new long[masked.length];
    for (int i = 0; i < masked.length; i++) {
      flat[i] = masked[i] ? 1 : 0;
    }
    return dev.sonus.tensor.Tensors.fromLongs(flat, length, length).to(torch.ScalarType.Bool);
  }

  /**
   * Whether query, key and value are the same tensor object (self-attention), as SpeechBrain tests
   * it ({@code query is key}): one projection then serves all three.
   */
  @SuppressWarnings("ReferenceEquality")
  static boolean selfAttention(Tensor query, Tensor key, Tensor value) {
    return query == key && key == value;
  }

  /**
   * One additive float mask {@code [B, 1, Lq, Lk]} (or {@code [Lq, Lk]} without padding) from an
   * attention mask (float or boolean) and a key-padding mask, either of which may be {@code null};
   * {@code null} when both are.
   */
  static Tensor additive(
      Tensor attnMask, Tensor keyPaddingMask, long batch, long lq, long lk, Tensor like) {
    Tensor mask = null;
    if (attnMask != null) {
      mask =
          dev.sonus.tensor.Tensors.dtype(attnMask) == torch.ScalarType.Bool
              ? torch.zeros(lq, lk).masked_fill(attnMask, MultiheadAttention.minusInfinity())
              : attnMask;
    }
    if (keyPaddingMask != null) {
      Tensor pad =
          torch
              .zeros(batch, 1, 1, lk)
              .masked_fill(
                  keyPaddingMask.view(batch, 1, 1, lk), MultiheadAttention.minusInfinity());
      mask = mask == null ? pad : pad.add(mask);
    }
    return mask == null ? null : mask.to(dev.sonus.tensor.Tensors.dtype(like));
  }
}
