package dev.sonus.models.transformer;

import dev.sonus.nn.Activation;
import dev.sonus.nn.AttentionLayer;
import dev.sonus.nn.LayerNorm;
import dev.sonus.nn.PositionalwiseFeedForward;
import dev.sonus.tensor.Scopes;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code speechbrain.lobes.models.transformer.Transformer.TransformerEncoderLayer}: self-attention
 * and a feed-forward block, each with a residual connection and a layer norm before (pre-norm) or
 * after (post-norm). Parameters {@code self_att.*}, {@code pos_ffn.ffn.*}, {@code norm1.norm.*},
 * {@code norm2.norm.*}.
 */
final class TransformerEncoderLayer extends Module implements EncoderLayer {
  private final AttentionLayer selfAtt;
  private final PositionalwiseFeedForward posFfn;
  private final LayerNorm norm1;
  private final LayerNorm norm2;
  private final double dropout;
  private final boolean normalizeBefore;

  TransformerEncoderLayer(
      long dFfn,
      long nhead,
      long dModel,
      double dropout,
      Activation activation,
      boolean normalizeBefore,
      AttentionType attention,
      boolean causal) {
    super("TransformerEncoderLayer");
    this.selfAtt =
        (AttentionLayer)
            register_module(
                "self_att", Layers.attention(attention, nhead, dModel, dropout, causal));
    this.posFfn =
        register_module(
            "pos_ffn", new PositionalwiseFeedForward(dFfn, dModel, dropout, activation));
    this.norm1 = register_module("norm1", new LayerNorm(1e-6, dModel));
    this.norm2 = register_module("norm2", new LayerNorm(1e-6, dModel));
    this.dropout = dropout;
    this.normalizeBefore = normalizeBefore;
  }

  @Override
  public Tensor forward(Tensor x, Tensor srcMask, Tensor keyPadding, Tensor posEmbs) {
    return Scopes.freeingTemporaries(
        () -> {
          Tensor src1 = normalizeBefore ? norm1.forward(x) : x;
          Tensor out = selfAtt.attend(src1, src1, src1, srcMask, keyPadding, posEmbs);
          Tensor src = x.add(Layers.dropout(out, dropout, this));
          if (!normalizeBefore) {
            src = norm1.forward(src);
          }
          src1 = normalizeBefore ? norm2.forward(src) : src;
          Tensor y = src.add(Layers.dropout(posFfn.forward(src1), dropout, this));
          return normalizeBefore ? y : norm2.forward(y);
        });
  }
}
