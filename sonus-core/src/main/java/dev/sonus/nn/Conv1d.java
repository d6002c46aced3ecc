package dev.sonus.nn;

import dev.sonus.tensor.Scopes;
import dev.sonus.tensor.Tensors;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Conv1dImpl;
import org.bytedeco.pytorch.Conv1dOptions;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * 1-D convolution over time in SpeechBrain's channels-last layout.
 *
 * <p>Shapes: {@code [batch, time, inChannels] -> [batch, time', outChannels]}, or {@code [batch,
 * time]} when {@code inChannels} is 1. Matches speechbrain.nnet.CNN.Conv1d (v1.0.0): the input is
 * transposed to {@code [B, C, time]}, padded, and convolved by an unpadded {@code torch.nn.Conv1d}
 * with the given stride, dilation and groups. Padding {@code SAME} pads {@code dilation *
 * (kernelSize - 1) / 2} frames (rounded down) on each side when {@code stride} is 1, else {@code
 * kernelSize / 2} (rounded down) on each side, in {@code paddingMode} (reflect by default), so with
 * stride 1 the time size is kept; {@code CAUSAL} zero-pads {@code dilation * (kernelSize - 1)}
 * frames on the left only, so output frame {@code t} sees inputs up to {@code t}; {@code VALID}
 * does not pad. Parameters {@code conv.weight} {@code [out, in / groups, kernelSize]} and {@code
 * conv.bias}, with torch's default initialisation ({@code conv_init=None}). {@link
 * #forwardChannelsFirst} takes and returns torch's {@code [batch, channels, time]} instead ({@code
 * skip_transpose=True}).
 */
public final class Conv1d extends Module {
  /** How the time axis is padded. */
  public enum Padding {
    /** Pad both sides so that, with stride 1, the time size is kept (odd kernels only). */
    SAME,
    /** No padding: time shrinks by {@code dilation * (kernelSize - 1)} before striding. */
    VALID,
    /** Zero-pad {@code dilation * (kernelSize - 1)} frames on the left only (odd kernels only). */
    CAUSAL
  }

  /** How {@link Padding#SAME} fills the padded frames (torch's {@code F.pad} modes). */
  public enum PaddingMode {
    /**
     * Mirror the frames next to the edge, without repeating the edge frame (SpeechBrain's default).
     */
    REFLECT("reflect"),
    /** Zeros (SpeechBrain's {@code padding_mode="constant"}). */
    ZEROS("constant"),
    /** Repeat the edge frame. */
    REPLICATE("replicate"),
    /** Wrap around: frames from the other end. */
    CIRCULAR("circular");

    private final String torchName;

    PaddingMode(String torchName) {
      this.torchName = torchName;
    }
  }

  private final long inChannels;
  private final long outChannels;
  private final long kernelSize;
  private final long stride;
  private final long dilation;
  private final Padding padding;
  private final PaddingMode paddingMode;
  private final long groups;
  private final Conv1dImpl conv;

  /**
   * A convolution with stride 1, dilation 1, {@code SAME} reflect padding, one group and a bias
   * (SpeechBrain's defaults).
   */
  public Conv1d(long inChannels, long outChannels, long kernelSize) {
    this(inChannels, outChannels, kernelSize, 1, 1, Padding.SAME, PaddingMode.REFLECT, 1, true);
  }

  /**
   * A convolution.
   *
   * @param stride hop between output frames (decimation in time)
   * @param dilation spacing between kernel taps
   * @param padding {@code SAME}, {@code VALID} or {@code CAUSAL}, as SpeechBrain's {@code padding}
   * @param paddingMode how {@code SAME} padding is filled, as SpeechBrain's {@code padding_mode};
   *     {@code CAUSAL} always pads with zeros, as SpeechBrain does
   * @param groups blocked connections: {@code inChannels} and {@code outChannels} must both be
   *     multiples of it
   * @param bias whether to learn {@code conv.bias}
   */
  public Conv1d(
      long inChannels,
      long outChannels,
      long kernelSize,
      long stride,
      long dilation,
      Padding padding,
      PaddingMode paddingMode,
      long groups,
      boolean bias) {
    super("Conv1d");
    this.inChannels = Checks.positive(inChannels, "inChannels");
    this.outChannels = Checks.positive(outChannels, "outChannels");
    this.kernelSize = Checks.positive(kernelSize, "kernelSize");
    this.stride = Checks.positive(stride, "stride");
    this.dilation = Checks.positive(dilation, "dilation");
    this.groups = Checks.positive(groups, "groups");
    if (padding == null) {
      throw new IllegalArgumentException("padding is null; expected one of [SAME, VALID, CAUSAL]");
    }
    if (paddingMode == null) {
      throw new IllegalArgumentException(
          "paddingMode is null; expected one of [REFLECT, ZEROS, REPLICATE, CIRCULAR]");
    }
    if (padding != Padding.VALID && kernelSize % 2 == 0) {
      throw new IllegalArgumentException(
          "kernelSize is "
              + kernelSize
              + " with "
              + padding
              + " padding; SpeechBrain requires an odd kernel size there. Use an odd size or VALID padding.");
    }
    if (inChannels % groups != 0 || outChannels % groups != 0) {
      throw new IllegalArgumentException(
          "groups is "
              + groups
              + " but inChannels is "
              + inChannels
              + " and outChannels is "
              + outChannels
              + "; both must be multiples of groups.");
    }
    this.padding = padding;
    this.paddingMode = paddingMode;
    Conv1dOptions options =
        new Conv1dOptions(inChannels, outChannels, new LongPointer(new long[] {kernelSize}));
    options.stride().put(stride);
    options.dilation().put(dilation);
    options.groups().put(groups);
    options.bias().put(bias);
    this.conv = register_module("conv", new Conv1dImpl(options));
  }

  /**
   * Convolves {@code x} ({@code [B, T, C]} or {@code [B, T]}); the result is in the caller's scope.
   */
  public Tensor forward(Tensor x) {
    return Scopes.freeingTemporaries(() -> apply(x));
  }

  /**
   * Convolves {@code x} in torch's channels-first layout, {@code [B, inChannels, T] -> [B,
   * outChannels, T']} (or {@code [B, T]} when {@code inChannels} is 1), as SpeechBrain's {@code
   * skip_transpose=True}; the result is in the caller's scope.
   */
  public Tensor forwardChannelsFirst(Tensor x) {
    return Scopes.freeingTemporaries(() -> applyChannelsFirst(x));
  }

  Tensor apply(Tensor x) {
    Checks.rank(
        x,
        this,
        inChannels == 1 ? "[batch, time, channels] or [batch, time]" : "[batch, time, channels]",
        inChannels == 1 ? new int[] {2, 3} : new int[] {3});
    Tensor h = x.dim() == 2 ? x.unsqueeze(2) : x;
    Checks.lastDim(h, inChannels, this);
    return convolve(h.transpose(1, 2), x).transpose(1, 2);
  }

  Tensor applyChannelsFirst(Tensor x) {
    Checks.rank(
        x,
        this,
        inChannels == 1 ? "[batch, channels, time] or [batch, time]" : "[batch, channels, time]",
        inChannels == 1 ? new int[] {2, 3} : new int[] {3});
    Tensor h = x.dim() == 2 ? x.unsqueeze(1) : x;
    if (h.size(1) != inChannels) {
      throw new IllegalArgumentException(
          String.format(
              "%s: input has %d channels on axis 1 (shape %s), expected %d. Give [batch, channels, time] with the "
                  + "layer's input channels, or use forward for [batch, time, channels].",
              this, h.size(1), Tensors.shapeString(x), inChannels));
    }
    return convolve(h, x);
  }

  /**
   * Pads and convolves {@code h} ({@code [B, C, T]}); {@code x} is the caller's input, for
   * messages.
   */
  private Tensor convolve(Tensor h, Tensor x) {
    long time = h.size(2);
    long left = 0;
    long right = 0;
    if (padding == Padding.SAME) {
      // speechbrain.nnet.CNN.get_padding_elem: with stride 1, L_in - L_out = dilation * (k - 1)
      // whatever L_in.
      left = stride > 1 ? kernelSize / 2 : dilation * (kernelSize - 1) / 2;
      right = left;
    } else if (padding == Padding.CAUSAL) {
      left = dilation * (kernelSize - 1);
    }
    if (padding == Padding.SAME && left > 0) {
      boolean tooShort =
          paddingMode == PaddingMode.REFLECT
              ? time <= left
              : paddingMode == PaddingMode.CIRCULAR && time < left;
      if (tooShort) {
        long need = paddingMode == PaddingMode.REFLECT ? left + 1 : left;
        throw new IllegalArgumentException(
            String.format(
                "%s: input shape %s has %d frames, too short for %s padding of %d frames; give at least %d frames "
                    + "or use ZEROS padding.",
                this, Tensors.shapeString(x), time, paddingMode, left, need));
      }
      h = torch.pad(h, new long[] {left, right}, paddingMode.torchName, new DoubleOptional());
    } else if (left > 0) {
      h = torch.pad(h, new long[] {left, right}, "constant", new DoubleOptional());
    }
    long span = dilation * (kernelSize - 1) + 1;
    if (time + left + right < span) {
      throw new IllegalArgumentException(
          String.format(
              "%s: input shape %s has %d frames (%d after padding), fewer than the kernel's span of %d; give at least "
                  + "%d frames.",
              this, Tensors.shapeString(x), time, time + left + right, span, span - left - right));
    }
    return conv.forward(h);
  }

  /** Output channels. */
  public long outChannels() {
    return outChannels;
  }

  @Override
  public String toString() {
    return "Conv1d(in="
        + inChannels
        + ", out="
        + outChannels
        + ", kernel="
        + kernelSize
        + ", stride="
        + stride
        + ", dilation="
        + dilation
        + ", padding="
        + padding
        + ", paddingMode="
        + paddingMode
        + ", groups="
        + groups
        + ")";
  }
}
