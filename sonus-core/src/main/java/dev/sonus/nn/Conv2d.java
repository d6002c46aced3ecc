package dev.sonus.nn;

import dev.sonus.tensor.Scopes;
import dev.sonus.tensor.Tensors;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * 2-D convolution over time and frequency in SpeechBrain's channels-last layout.
 *
 * <p>Shapes: {@code [batch, time, freq, inChannels] -> [batch, time', freq', outChannels]}, or
 * {@code [batch, time, freq]} when {@code inChannels} is 1. Matches speechbrain.nnet.CNN.Conv2d
 * with dilation 1 and one stride for both axes: the input is transposed to {@code [B, C, freq,
 * time]}, so {@code kernelSize[0]} spans frequency and {@code kernelSize[1]} time; padding {@code
 * SAME} reflect-pads ({@code padding_mode="reflect"}) by {@code (k - 1) / 2} on each side before an
 * unpadded convolution. Parameters {@code conv.weight} {@code [out, in, k0, k1]} and {@code
 * conv.bias}.
 */
public final class Conv2d extends Module {
  /** How the input is padded. */
  public enum Padding {
    /** Keep time and frequency sizes (odd kernels only), reflect padding as SpeechBrain. */
    SAME,
    /** No padding: each axis shrinks by {@code k - 1}. */
    VALID
  }

  private final long inChannels;
  private final long outChannels;
  private final long[] kernelSize;
  private final long stride;
  private final Padding padding;
  private final Conv2dImpl conv;

  /**
   * A convolution with a bias; {@code kernelSize} is {@code {k0, k1}} as SpeechBrain's {@code
   * kernel_size}.
   */
  public Conv2d(long inChannels, long outChannels, long[] kernelSize, Padding padding) {
    this(inChannels, outChannels, kernelSize, 1, padding);
  }

  /**
   * A convolution with a bias that moves {@code stride} frames and bins at a time (SpeechBrain's
   * integer {@code stride}); {@code SAME} then pads {@code k / 2} on each side as SpeechBrain does,
   * so each axis shrinks to {@code ceil(n / stride)}.
   */
  public Conv2d(
      long inChannels, long outChannels, long[] kernelSize, long stride, Padding padding) {
    super("Conv2d");
    this.stride = Checks.positive(stride, "stride");
    this.inChannels = Checks.positive(inChannels, "inChannels");
    this.outChannels = Checks.positive(outChannels, "outChannels");
    if (kernelSize == null || kernelSize.length != 2) {
      throw new IllegalArgumentException(
          "kernelSize is "
              + java.util.Arrays.toString(kernelSize)
              + "; expected two sizes {k0, k1}, e.g. {3, 3}");
    }
    Checks.positive(kernelSize[0], "kernelSize[0]");
    Checks.positive(kernelSize[1], "kernelSize[1]");
    if (padding == null) {
      throw new IllegalArgumentException("padding is null; expected one of [SAME, VALID]");
    }
    if (padding == Padding.SAME && (kernelSize[0] % 2 == 0 || kernelSize[1] % 2 == 0)) {
      throw new IllegalArgumentException(
          "kernelSize is "
              + java.util.Arrays.toString(kernelSize)
              + " with SAME padding; SpeechBrain requires odd kernel sizes there. Use odd sizes or VALID padding.");
    }
    this.kernelSize = kernelSize.clone();
    this.padding = padding;
    Conv2dOptions options = new Conv2dOptions(inChannels, outChannels, new LongPointer(kernelSize));
    options.bias().put(true);
    options.stride().put(new long[] {stride, stride});
    this.conv = register_module("conv", new Conv2dImpl(options));
  }

  /**
   * Convolves {@code x} ({@code [B, T, F, C]} or {@code [B, T, F]}); the result is in the caller's
   * scope.
   */
  public Tensor forward(Tensor x) {
    return Scopes.freeingTemporaries(() -> apply(x));
  }

  Tensor apply(Tensor x) {
    Checks.rank(
        x,
        this,
        "[batch, time, freq, channels] (or [batch, time, freq] with 1 input channel)",
        3,
        4);
    Tensor h = x.dim() == 3 ? x.unsqueeze(3) : x;
    Checks.lastDim(h, inChannels, this);
    h = h.transpose(1, 3); // [B, C, F, T]
    if (padding == Padding.SAME) {
      long padFreq = (kernelSize[0] - 1) / 2;
      long padTime = (kernelSize[1] - 1) / 2;
      if (h.size(2) <= padFreq || h.size(3) <= padTime) {
        throw new IllegalArgumentException(
            String.format(
                "%s: input shape %s is too short for reflect padding of %d frames and %d bins; give at least "
                    + "%d frames and %d frequency bins.",
                this, Tensors.shapeString(x), padTime, padFreq, padTime + 1, padFreq + 1));
      }
      h =
          torch.pad(
              h, new long[] {padTime, padTime, padFreq, padFreq}, "reflect", new DoubleOptional());
    } else if (h.size(2) < kernelSize[0] || h.size(3) < kernelSize[1]) {
      throw new IllegalArgumentException(
          String.format(
              "%s: input shape %s is smaller than the kernel; give at least %d frames and %d frequency bins.",
              this, Tensors.shapeString(x), kernelSize[1], kernelSize[0]));
    }
    return conv.forward(h).transpose(1, 3);
  }

  /** Output channels. */
  public long outChannels() {
    return outChannels;
  }

  @Override
  public String toString() {
    return "Conv2d(in="
        + inChannels
        + ", out="
        + outChannels
        + ", kernel="
        + kernelSize[0]
        + "x"
        + kernelSize[1]
        + (stride == 1 ? "" : ", stride=" + stride)
        + ", padding="
        + padding
        + ")";
  }
}
