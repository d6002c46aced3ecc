package dev.sonus.models;

import dev.sonus.nn.Activation;
import dev.sonus.nn.Checks;
import dev.sonus.nn.Conv2d;
import dev.sonus.nn.LayerNorm;
import dev.sonus.tensor.Scopes;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Strided 2-D convolution blocks that subsample features before a Transformer ({@code
 * speechbrain.lobes.models.convolution.ConvolutionFrontEnd} with {@code Conv2d} and {@code
 * LayerNorm}): each block is {@code num_layers_per_block} convolutions (the last one strided), each
 * followed by a layer norm over {@code [freq, channels]}, an activation and dropout, plus an
 * optional strided 1×1 residual path. Parameters {@code convblock_i.convs.conv_j.conv.*}, {@code
 * convblock_i.convs.norm_j.norm.*}, {@code convblock_i.reduce_conv.conv.conv.*}, {@code
 * convblock_i.reduce_conv.norm.norm.*}. {@code [B, T, F]} in, {@code [B, T', F', C]} out.
 */
public final class ConvolutionFrontEnd extends Module {
  /**
   * Settings, named as SpeechBrain's constructor arguments.
   *
   * @param inputSize frequency bins of the input ({@code input_shape[-1]})
   * @param numBlocks blocks
   * @param numLayersPerBlock convolutions per block
   * @param outChannels channels per block
   * @param kernelSizes kernel per block (odd)
   * @param strides stride of each block's last convolution
   * @param residuals whether each block has the residual path
   * @param activation activation after each norm
   * @param dropout dropout after each activation
   */
  public record Options(
      long inputSize,
      int numBlocks,
      int numLayersPerBlock,
      List<Long> outChannels,
      List<Long> kernelSizes,
      List<Long> strides,
      List<Boolean> residuals,
      Activation activation,
      double dropout) {
    /** Validates and copies. */
    public Options {
      Checks.positive(inputSize, "input_shape[-1]");
      Checks.positive(numBlocks, "num_blocks");
      Checks.positive(numLayersPerBlock, "num_layers_per_block");
      outChannels = List.copyOf(outChannels);
      kernelSizes = List.copyOf(kernelSizes);
      strides = List.copyOf(strides);
      residuals = List.copyOf(residuals);
      for (var l : List.of(outChannels, kernelSizes, strides, residuals)) {
        if (l.size() < numBlocks) {
          throw new IllegalArgumentException(
              "num_blocks is "
                  + numBlocks
                  + " but out_channels "
                  + outChannels
                  + ", kernel_sizes "
                  + kernelSizes
                  + ", strides "
                  + strides
                  + " and residuals "
                  + residuals
                  + " must each have that many entries");
        }
      }
      if (activation == null) {
        throw new IllegalArgumentException(
            "activation is null; expected one of "
                + java.util.Arrays.toString(Activation.values()));
      }
      Checks.dropRate(dropout, "dropout");
    }

    /** SpeechBrain's defaults over 80 bins: 3 blocks of 5 layers, 128/256/512 channels. */
    public static Options defaults() {
      return new Options(
          80,
          3,
          5,
          List.of(128L, 256L, 512L),
          List.of(3L, 3L, 3L),
          List.of(1L, 2L, 2L),
          List.of(true, true, true),
          Activation.LEAKY_RELU,
          0.1);
    }
  }

  private final Options options;
  private final List<Block> blocks = new ArrayList<>();
  private final long outFreq;
  private final long outChannelsLast;

  /** A front end with the given settings. */
  public ConvolutionFrontEnd(Options options) {
    super("ConvolutionFrontEnd");
    if (options == null) {
      throw new IllegalArgumentException(
          "options is null; use ConvolutionFrontEnd.Options.defaults()");
    }
    this.options = options;
    long freq = options.inputSize();
    long channels = 1;
    for (int i = 0; i < options.numBlocks(); i++) {
      Block b =
          new Block(
              options.numLayersPerBlock(),
              channels,
              options.outChannels().get(i),
              freq,
              options.kernelSizes().get(i),
              options.strides().get(i),
              options.residuals().get(i),
              options.activation(),
              options.dropout());
      blocks.add(register_module("convblock_" + i, b));
      freq = b.outFreq;
      channels = options.outChannels().get(i);
    }
    this.outFreq = freq;
    this.outChannelsLast = channels;
  }

  /** The settings. */
  public Options options() {
    return options;
  }

  /** Output features per frame once flattened: {@code F' · C}. */
  public long outputSize() {
    return outFreq * outChannelsLast;
  }

  /** {@code [B, T', F', C]} for {@code x} {@code [B, T, F]} (caller's scope). */
  public Tensor forward(Tensor x) {
    return Scopes.freeingTemporaries(
        () -> {
          Tensor h = x;
          for (Block b : blocks) {
            h = b.forward(h);
          }
          return h;
        });
  }

  /** {@code ConvBlock}. */
  static final class Block extends Module {
    private final Module convs;
    private final List<Conv2d> convLayers = new ArrayList<>();
    private final List<LayerNorm> norms = new ArrayList<>();
    private final Module reduceConv;
    private final Conv2d reduce;
    private final LayerNorm reduceNorm;
    private final Activation activation;
    private final double dropout;
    final long outFreq;

    Block(
        int numLayers,
        long inChannels,
        long outChannels,
        long inFreq,
        long kernel,
        long stride,
        boolean residual,
        Activation activation,
        double dropout) {
      super("ConvBlock");
      this.activation = activation;
      this.dropout = dropout;
      this.convs = register_module("convs", new Module("Sequential"));
      long channels = inChannels;
      long freq = inFreq;
      for (int i = 0; i < numLayers; i++) {
        long s = i == numLayers - 1 ? stride : 1;
        convLayers.add(
            convs.register_module(
                "conv_" + i,
                new Conv2d(
                    channels, outChannels, new long[] {kernel, kernel}, s, Conv2d.Padding.SAME)));
        freq = (freq + s - 1) / s;
        norms.add(convs.register_module("norm_" + i, new LayerNorm(freq, outChannels)));
        channels = outChannels;
      }
      this.outFreq = freq;
      if (residual) {
        this.reduceConv = register_module("reduce_conv", new Module("Sequential"));
        this.reduce =
            reduceConv.register_module(
                "conv",
                new Conv2d(
                    inChannels, outChannels, new long[] {1, 1}, stride, Conv2d.Padding.SAME));
        this.reduceNorm = reduceConv.register_module("norm", new LayerNorm(freq, outChannels));
      } else {
        this.reduceConv = null;
        this.reduce = null;
        this.reduceNorm = null;
      }
    }

    Tensor forward(Tensor x) {
      return Scopes.freeingTemporaries(
          () -> {
            Tensor h = x;
            for (int i = 0; i < convLayers.size(); i++) {
              h = norms.get(i).forward(convLayers.get(i).forward(h));
              h = torch.dropout(activation.apply(h), dropout, is_training());
            }
            if (reduce != null) {
              Tensor r = reduceNorm.forward(reduce.forward(x));
              h = torch.dropout(h.add(r), dropout, is_training());
            }
            return h;
          });
    }
  }
}
