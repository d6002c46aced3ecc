package dev.sonus.models.transformer;

import dev.sonus.nn.Activation;
import dev.sonus.nn.AttentionLayer;
import dev.sonus.nn.LayerNorm;
import dev.sonus.nn.PositionalwiseFeedForward;
import dev.sonus.tensor.Scopes;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code speechbrain.lobes.models.transformer.Conformer.ConformerEncoderLayer}: half a
 * feed-forward, self-attention, the convolution module, half a feed-forward, layer norm (Gulati et
 * al., 2020). Parameters {@code mha_layer.*}, {@code convolution_module.*}, {@code ffn_module1.0.*}
 * (norm), {@code ffn_module1.1.ffn.*}, {@code ffn_module2.*}, {@code norm1.norm.*}, {@code
 * norm2.norm.*}.
 */
final class ConformerEncoderLayer extends Module implements EncoderLayer {
  private final AttentionLayer mhaLayer;
  private final ConvolutionModule convolutionModule;
  private final Module ffnModule1;
  private final LayerNormImpl ffn1Norm;
  private final PositionalwiseFeedForward ffn1;
  private final Module ffnModule2;
  private final LayerNormImpl ffn2Norm;
  private final PositionalwiseFeedForward ffn2;
  private final LayerNorm norm1;
  private final LayerNorm norm2;
  private final double dropout;

  ConformerEncoderLayer(
      long dModel,
      long dFfn,
      long nhead,
      long kernelSize,
      Activation activation,
      boolean bias,
      double dropout,
      boolean causal,
      AttentionType attention) {
    super("ConformerEncoderLayer");
    this.dropout = dropout;
    this.mhaLayer =
        (AttentionLayer)
            register_module(
                "mha_layer", Layers.attention(attention, nhead, dModel, dropout, causal));
    this.convolutionModule =
        register_module(
            "convolution_module",
            new ConvolutionModule(dModel, kernelSize, bias, activation, dropout, causal));
    this.ffnModule1 = register_module("ffn_module1", new Module("Sequential"));
    this.ffn1Norm = ffnModule1.register_module("0", Layers.torchLayerNorm(dModel));
    this.ffn1 =
        ffnModule1.register_module(
            "1", new PositionalwiseFeedForward(dFfn, dModel, dropout, activation));
    this.ffnModule2 = register_module("ffn_module2", new Module("Sequential"));
    this.ffn2Norm = ffnModule2.register_module("0", Layers.torchLayerNorm(dModel));
    this.ffn2 =
        ffnModule2.register_module(
            "1", new PositionalwiseFeedForward(dFfn, dModel, dropout, activation));
    this.norm1 = register_module("norm1", new LayerNorm(dModel));
    this.norm2 = register_module("norm2", new LayerNorm(dModel));
  }

  private Tensor halfFfn(Tensor x, LayerNormImpl norm, PositionalwiseFeedForward ffn) {
    return Layers.dropout(ffn.forward(norm.forward(x)), dropout, this).mul(new Scalar(0.5));
  }

  @Override
  public Tensor forward(Tensor x, Tensor srcMask, Tensor keyPadding, Tensor posEmbs) {
    return Scopes.freeingTemporaries(
        () -> {
          Tensor convMask = keyPadding == null ? null : keyPadding.unsqueeze(-1);
          Tensor h = x.add(halfFfn(x, ffn1Norm, ffn1));
          Tensor skip = h;
          Tensor n = norm1.forward(h);
          h = mhaLayer.attend(n, n, n, srcMask, keyPadding, posEmbs).add(skip);
          h = h.add(convolutionModule.forward(h, convMask));
          return norm2.forward(h.add(halfFfn(h, ffn2Norm, ffn2)));
        });
  }
}
