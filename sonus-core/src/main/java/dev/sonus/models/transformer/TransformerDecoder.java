package dev.sonus.models.transformer;

import dev.sonus.nn.Activation;
import dev.sonus.nn.LayerNorm;
import dev.sonus.nn.MultiheadAttention;
import dev.sonus.nn.PositionalwiseFeedForward;
import dev.sonus.tensor.Scopes;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code speechbrain.lobes.models.transformer.Transformer.TransformerDecoder}: layers of masked
 * self-attention, attention over the encoder output and a feed-forward block, then a layer norm.
 * Parameters {@code layers.N.self_attn.att.*}, {@code layers.N.mutihead_attn.att.*} (SpeechBrain's
 * spelling), {@code layers.N.pos_ffn.ffn.*}, {@code layers.N.norm1..3.norm.*}, {@code norm.norm.*}.
 */
final class TransformerDecoder extends Module {
  private final Module layersModule;
  private final List<Layer> layers = new ArrayList<>();
  private final LayerNorm norm;

  TransformerDecoder(
      int numLayers,
      long nhead,
      long dFfn,
      long dModel,
      double dropout,
      Activation activation,
      boolean normalizeBefore) {
    super("TransformerDecoder");
    this.layersModule = register_module("layers", new Module("ModuleList"));
    for (int i = 0; i < numLayers; i++) {
      layers.add(
          layersModule.register_module(
              Integer.toString(i),
              new Layer(dFfn, nhead, dModel, dropout, activation, normalizeBefore)));
    }
    this.norm = register_module("norm", new LayerNorm(1e-6, dModel));
  }

  /**
   * Decoder states {@code [B, U, d]} for embedded targets {@code tgt} {@code [B, U, d]} over {@code
   * memory} {@code [B, T, d]} (caller's scope).
   *
   * @param tgtMask {@code [U, U]} look-ahead mask
   * @param tgtKeyPadding {@code [B, U]} boolean, {@code true} at pad tokens, or {@code null}
   * @param memoryKeyPadding {@code [B, T]} boolean, {@code true} at padded frames, or {@code null}
   */
  Tensor forward(
      Tensor tgt, Tensor memory, Tensor tgtMask, Tensor tgtKeyPadding, Tensor memoryKeyPadding) {
    return Scopes.freeingTemporaries(
        () -> {
          Tensor out = tgt;
          for (Layer layer : layers) {
            out = layer.forward(out, memory, tgtMask, tgtKeyPadding, memoryKeyPadding);
          }
          return norm.forward(out);
        });
  }

  /** {@code TransformerDecoderLayer}. */
  static final class Layer extends Module {
    private final MultiheadAttention selfAttn;
    private final MultiheadAttention mutiheadAttn;
    private final PositionalwiseFeedForward posFfn;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final LayerNorm norm3;
    private final double dropout;
    private final boolean normalizeBefore;

    Layer(
        long dFfn,
        long nhead,
        long dModel,
        double dropout,
        Activation activation,
        boolean normalizeBefore) {
      super("TransformerDecoderLayer");
      this.selfAttn = register_module("self_attn", new MultiheadAttention(nhead, dModel, dropout));
      this.mutiheadAttn =
          register_module("mutihead_attn", new MultiheadAttention(nhead, dModel, dropout));
      this.posFfn =
          register_module(
              "pos_ffn", new PositionalwiseFeedForward(dFfn, dModel, dropout, activation));
      this.norm1 = register_module("norm1", new LayerNorm(1e-6, dModel));
      this.norm2 = register_module("norm2", new LayerNorm(1e-6, dModel));
      this.norm3 = register_module("norm3", new LayerNorm(1e-6, dModel));
      this.dropout = dropout;
      this.normalizeBefore = normalizeBefore;
    }

    Tensor forward(
        Tensor tgt, Tensor memory, Tensor tgtMask, Tensor tgtKeyPadding, Tensor memoryKeyPadding) {
      return Scopes.freeingTemporaries(
          () -> {
            Tensor t1 = normalizeBefore ? norm1.forward(tgt) : tgt;
            Tensor t =
                tgt.add(
                    Layers.dropout(
                        selfAttn.attend(t1, t1, t1, tgtMask, tgtKeyPadding, null), dropout, this));
            if (!normalizeBefore) {
              t = norm1.forward(t);
            }
            t1 = normalizeBefore ? norm2.forward(t) : t;
            t =
                t.add(
                    Layers.dropout(
                        mutiheadAttn.attend(t1, memory, memory, null, memoryKeyPadding, null),
                        dropout,
                        this));
            if (!normalizeBefore) {
              t = norm2.forward(t);
            }
            t1 = normalizeBefore ? norm3.forward(t) : t;
            t = t.add(Layers.dropout(posFfn.forward(t1), dropout, this));
            return normalizeBefore ? t : norm3.forward(t);
          });
    }
  }
}
