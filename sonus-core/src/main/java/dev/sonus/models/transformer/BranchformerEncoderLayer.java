package dev.sonus.models.transformer;

import dev.sonus.nn.Activation;
import dev.sonus.nn.AttentionLayer;
import dev.sonus.nn.Conv1d;
import dev.sonus.nn.LayerNorm;
import dev.sonus.tensor.Scopes;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LinearOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code speechbrain.lobes.models.transformer.Branchformer.BranchformerEncoderLayer} (Peng et al.,
 * 2022): self-attention and a cgMLP branch (channel projection, convolutional spatial gating,
 * projection back) side by side on the layer's input, concatenated and merged by a linear layer,
 * with a residual connection. Parameters {@code mha_layer.*}, {@code
 * convolution_branch.pre_channel_proj.*}, {@code convolution_branch.post_channel_proj.*}, {@code
 * convolution_branch.csgu.norm.norm.*}, {@code convolution_branch.csgu.conv.conv.*} ({@code
 * csgu.linear.*} with {@code use_linear_after_conv}), {@code merge_proj.*}, {@code
 * norm_mhsa.norm.*}, {@code norm_conv.norm.*}.
 */
final class BranchformerEncoderLayer extends Module implements EncoderLayer {
  private final AttentionLayer mhaLayer;
  private final ConvolutionBranch convolutionBranch;
  private final LinearImpl mergeProj;
  private final LayerNorm normMhsa;
  private final LayerNorm normConv;
  private final double dropout;

  BranchformerEncoderLayer(
      long dModel,
      long nhead,
      long kernelSize,
      Activation activation,
      double dropout,
      AttentionType attention,
      long csguLinearUnits,
      Activation gateActivation,
      boolean useLinearAfterConv) {
    super("BranchformerEncoderLayer");
    this.dropout = dropout;
    this.mhaLayer =
        (AttentionLayer)
            register_module(
                "mha_layer", Layers.attention(attention, nhead, dModel, dropout, false));
    this.convolutionBranch =
        register_module(
            "convolution_branch",
            new ConvolutionBranch(
                dModel,
                csguLinearUnits,
                kernelSize,
                activation,
                gateActivation,
                dropout,
                useLinearAfterConv));
    this.mergeProj =
        register_module("merge_proj", new LinearImpl(new LinearOptions(2 * dModel, dModel)));
    this.normMhsa = register_module("norm_mhsa", new LayerNorm(dModel));
    this.normConv = register_module("norm_conv", new LayerNorm(dModel));
  }

  @Override
  public Tensor forward(Tensor x, Tensor srcMask, Tensor keyPadding, Tensor posEmbs) {
    return Scopes.freeingTemporaries(
        () -> {
          Tensor x1 = normMhsa.forward(x);
          x1 =
              Layers.dropout(
                  mhaLayer.attend(x1, x1, x1, srcMask, keyPadding, posEmbs), dropout, this);
          Tensor x2 = Layers.dropout(convolutionBranch.forward(normConv.forward(x)), dropout, this);
          Tensor merged = mergeProj.forward(torch.cat(new TensorVector(x1, x2), -1));
          return x.add(Layers.dropout(merged, dropout, this));
        });
  }

  /** The cgMLP branch: {@code [B, T, d] -> [B, T, units] -> gated [B, T, units/2] -> [B, T, d]}. */
  static final class ConvolutionBranch extends Module {
    private final LinearImpl preChannelProj;
    private final LinearImpl postChannelProj;
    private final Activation activation;
    private final Csgu csgu;

    ConvolutionBranch(
        long inputSize,
        long linearUnits,
        long kernelSize,
        Activation activation,
        Activation gateActivation,
        double dropout,
        boolean useLinearAfterConv) {
      super("ConvolutionBranch");
      if (linearUnits % 2 != 0) {
        throw new IllegalArgumentException(
            "csgu_linear_units is "
                + linearUnits
                + "; it must be even (the gate splits it in two)");
      }
      this.preChannelProj =
          register_module(
              "pre_channel_proj", new LinearImpl(new LinearOptions(inputSize, linearUnits)));
      this.postChannelProj =
          register_module(
              "post_channel_proj", new LinearImpl(new LinearOptions(linearUnits / 2, inputSize)));
      this.activation = activation;
      this.csgu =
          register_module(
              "csgu",
              new Csgu(linearUnits, kernelSize, dropout, useLinearAfterConv, gateActivation));
    }

    Tensor forward(Tensor x) {
      return Scopes.freeingTemporaries(
          () -> postChannelProj.forward(csgu.forward(activation.apply(preChannelProj.forward(x)))));
    }
  }

  /**
   * Convolutional spatial gating ({@code speechbrain.lobes.models.convolution
   * .ConvolutionalSpatialGatingUnit}): the second half of the channels, normalised and convolved
   * depthwise over time ({@code same} reflect padding, SpeechBrain's Conv1d), gates the first.
   */
  static final class Csgu extends Module {
    private final LayerNorm norm;
    private final Conv1d conv;
    private final LinearImpl linear;
    private final Activation activation;
    private final double dropout;

    Csgu(
        long inputSize,
        long kernelSize,
        double dropout,
        boolean useLinearAfterConv,
        Activation activation) {
      super("ConvolutionalSpatialGatingUnit");
      long channels = inputSize / 2;
      this.norm = register_module("norm", new LayerNorm(channels));
      this.conv =
          register_module(
              "conv",
              new Conv1d(
                  channels,
                  channels,
                  kernelSize,
                  1,
                  1,
                  Conv1d.Padding.SAME,
                  Conv1d.PaddingMode.REFLECT,
                  channels,
                  true));
      if (useLinearAfterConv) {
        this.linear =
            register_module("linear", new LinearImpl(new LinearOptions(channels, channels)));
        try (var noGrad = new org.bytedeco.pytorch.NoGradGuard()) {
          torch.normal_(linear.weight(), 0.0, 1e-6);
          linear.bias().fill_(new org.bytedeco.pytorch.Scalar(1.0));
        }
      } else {
        this.linear = null;
      }
      this.activation = activation;
      this.dropout = dropout;
    }

    Tensor forward(Tensor x) {
      return Scopes.freeingTemporaries(
          () -> {
            TensorVector halves = x.chunk(2, -1);
            Tensor x2 = conv.forward(norm.forward(halves.get(1)));
            if (linear != null) {
              x2 = linear.forward(x2);
            }
            x2 = activation.apply(x2);
            return torch.dropout(x2.mul(halves.get(0)), dropout, is_training());
          });
    }
  }
}
