package dev.sonus.models.transformer;

import dev.sonus.nn.Activation;
import dev.sonus.tensor.Scopes;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Conv1dImpl;
import org.bytedeco.pytorch.Conv1dOptions;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LinearOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The Conformer convolution module ({@code speechbrain.lobes.models.transformer.Conformer
 * .ConvolutionModule}): layer norm, pointwise convolution to {@code 2d} with a GLU, depthwise
 * convolution (zero padding; causal: on the left only), layer norm, activation, linear, dropout;
 * padded frames are zeroed. Parameters {@code layer_norm.*}, {@code bottleneck.0.*}, {@code
 * conv.*}, {@code after_conv.0.*} (norm), {@code after_conv.2.*} (linear). {@code [B, T, d]} in and
 * out.
 */
final class ConvolutionModule extends Module {
  private final long kernelSize;
  private final boolean causal;
  private final Activation activation;
  private final double dropout;
  private final LayerNormImpl layerNorm;
  private final Module bottleneck;
  private final Conv1dImpl pointwise;
  private final Conv1dImpl conv;
  private final Module afterConv;
  private final LayerNormImpl afterNorm;
  private final LinearImpl afterLinear;

  ConvolutionModule(
      long inputSize,
      long kernelSize,
      boolean bias,
      Activation activation,
      double dropout,
      boolean causal) {
    super("ConvolutionModule");
    if (!causal && kernelSize % 2 == 0) {
      throw new IllegalArgumentException(
          "kernel_size is "
              + kernelSize
              + "; a non-causal Conformer convolution needs an odd kernel size to keep the length");
    }
    this.kernelSize = kernelSize;
    this.causal = causal;
    this.activation = activation;
    this.dropout = dropout;
    this.layerNorm = register_module("layer_norm", Layers.torchLayerNorm(inputSize));
    this.bottleneck = register_module("bottleneck", new Module("Sequential"));
    Conv1dOptions pw = new Conv1dOptions(inputSize, 2 * inputSize, new LongPointer(new long[] {1}));
    pw.bias().put(bias);
    this.pointwise = bottleneck.register_module("0", new Conv1dImpl(pw));
    Conv1dOptions dw =
        new Conv1dOptions(inputSize, inputSize, new LongPointer(new long[] {kernelSize}));
    dw.groups().put(inputSize);
    dw.bias().put(bias);
    this.conv = register_module("conv", new Conv1dImpl(dw));
    this.afterConv = register_module("after_conv", new Module("Sequential"));
    this.afterNorm = afterConv.register_module("0", Layers.torchLayerNorm(inputSize));
    LinearOptions lin = new LinearOptions(inputSize, inputSize);
    lin.bias().put(bias);
    this.afterLinear = afterConv.register_module("2", new LinearImpl(lin));
  }

  /** Padding on each side (non-causal) or on the left (causal). */
  long padding() {
    return causal ? kernelSize - 1 : (kernelSize - 1) / 2;
  }

  /**
   * The module's output for {@code x} {@code [B, T, d]}; {@code mask} {@code [B, T, 1]} ({@code
   * true} at padded frames) or {@code null}.
   */
  Tensor forward(Tensor x, Tensor mask) {
    return Scopes.freeingTemporaries(
        () -> {
          Tensor out = layerNorm.forward(x).transpose(1, 2);
          out = torch.glu(pointwise.forward(out), 1);
          long p = padding();
          long[] pad = causal ? new long[] {p, 0} : new long[] {p, p};
          out = torch.pad(out, pad, "constant", new DoubleOptional(0.0));
          out = conv.forward(out).transpose(1, 2);
          out = afterLinear.forward(activation.apply(afterNorm.forward(out)));
          out = torch.dropout(out, dropout, is_training());
          if (mask != null) {
            out = out.masked_fill(mask, new Scalar(0.0));
          }
          return out;
        });
  }
}
