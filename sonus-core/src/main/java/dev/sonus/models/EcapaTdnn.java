package dev.sonus.models;

import dev.sonus.nn.Activation;
import dev.sonus.nn.BatchNorm1d;
import dev.sonus.nn.Checks;
import dev.sonus.nn.Conv1d;
import dev.sonus.nn.Lengths;
import dev.sonus.tensor.Scopes;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * ECAPA-TDNN speaker embeddings (Desplanques et al., 2020) with the structure, defaults and
 * parameter names of {@code speechbrain.lobes.models.ECAPA_TDNN.ECAPA_TDNN} v1.0.0, so
 * SpeechBrain's state dicts load key by key: {@code blocks.0.conv.conv.weight}, {@code
 * blocks.1.res2net_block.blocks.0.norm.norm.running_mean}, ..., {@code mfa.conv.conv.weight},
 * {@code asp.tdnn.conv.conv.weight}, {@code asp.conv.conv.weight}, {@code asp_bn.norm.weight},
 * {@code fc.conv.weight}.
 *
 * <p>A TDNN block, SE-Res2Net blocks (1×1 TDNN, Res2Net of dilated TDNNs, 1×1 TDNN,
 * squeeze-excitation, residual), multi-layer feature aggregation of the SE-Res2Net outputs,
 * attentive statistics pooling with global context, batch norm and a 1×1 convolution to the
 * embedding. Shapes: {@code [B, T, inputSize]} features (with optional relative lengths {@code
 * [B]}: padded frames are left out of the squeeze-excitation means and of the pooling) to {@code
 * [B, 1, linNeurons]} embeddings.
 */
public final class EcapaTdnn extends Module implements EmbeddingModel {
  /**
   * Settings, named as SpeechBrain's constructor arguments (snake_case there).
   *
   * @param inputSize features per frame ({@code input_size})
   * @param linNeurons embedding size ({@code lin_neurons})
   * @param activation activation of the TDNN blocks
   * @param channels output channels of the first TDNN block, each SE-Res2Net block and the
   *     aggregation
   * @param kernelSizes kernel size per layer
   * @param dilations dilation per layer
   * @param attentionChannels hidden size of the pooling attention
   * @param res2netScale number of Res2Net splits; the channels must be multiples of it
   * @param seChannels squeeze size of the squeeze-excitation blocks
   * @param globalContext whether the attention also sees the utterance mean and standard deviation
   * @param groups convolution groups per layer
   */
  public record Options(
      long inputSize,
      long linNeurons,
      Activation activation,
      List<Long> channels,
      List<Long> kernelSizes,
      List<Long> dilations,
      long attentionChannels,
      long res2netScale,
      long seChannels,
      boolean globalContext,
      List<Long> groups) {
    /** Validates and copies. */
    public Options {
      Checks.positive(inputSize, "input_size");
      Checks.positive(linNeurons, "lin_neurons");
      if (activation == null) {
        throw new IllegalArgumentException(
            "activation is null; expected one of "
                + java.util.Arrays.toString(Activation.values()));
      }
      channels = List.copyOf(channels);
      kernelSizes = List.copyOf(kernelSizes);
      dilations = List.copyOf(dilations);
      groups = List.copyOf(groups);
      if (channels.size() < 3) {
        throw new IllegalArgumentException(
            "channels is "
                + channels
                + "; give at least three layers (first TDNN, "
                + "one SE-Res2Net block, aggregation), e.g. [512, 512, 512, 512, 1536]");
      }
      for (List<Long> l : List.of(kernelSizes, dilations, groups)) {
        if (l.size() != channels.size()) {
          throw new IllegalArgumentException(
              "channels has "
                  + channels.size()
                  + " entries but kernel_sizes "
                  + kernelSizes
                  + ", dilations "
                  + dilations
                  + " and groups "
                  + groups
                  + " must have as many");
        }
      }
      Checks.positive(attentionChannels, "attention_channels");
      Checks.positive(res2netScale, "res2net_scale");
      Checks.positive(seChannels, "se_channels");
      for (int i = 1; i < channels.size() - 1; i++) {
        if (channels.get(i) % res2netScale != 0) {
          throw new IllegalArgumentException(
              "channels["
                  + i
                  + "] is "
                  + channels.get(i)
                  + " but res2net_scale is "
                  + res2netScale
                  + "; the SE-Res2Net channels must be multiples of the scale");
        }
      }
    }

    /**
     * SpeechBrain's defaults with 80 input features: channels [512, 512, 512, 512, 1536], 192-d
     * embeddings.
     */
    public static Options defaults() {
      return new Options(
          80,
          192,
          Activation.RELU,
          List.of(512L, 512L, 512L, 512L, 1536L),
          List.of(5L, 3L, 3L, 3L, 1L),
          List.of(1L, 2L, 3L, 4L, 1L),
          128,
          8,
          128,
          true,
          List.of(1L, 1L, 1L, 1L, 1L));
    }
  }

  private final Options options;
  // Every module made in Java stays referenced from Java (see docs/native-pitfalls.md).
  private final Module blockList;
  private final TdnnBlock first;
  private final List<SeRes2NetBlock> seBlocks = new ArrayList<>();
  private final TdnnBlock mfa;
  private final AttentivePooling asp;
  private final BatchNorm1d aspBn;
  private final Conv1d fc;

  /** Builds the network with torch's default initialisation. */
  public EcapaTdnn(Options options) {
    super("ECAPA_TDNN");
    if (options == null) {
      throw new IllegalArgumentException("options is null; use EcapaTdnn.Options.defaults()");
    }
    this.options = options;
    List<Long> ch = options.channels();
    this.blockList = register_module("blocks", new Module("ModuleList"));
    this.first =
        blockList.register_module(
            "0",
            new TdnnBlock(
                options.inputSize(),
                ch.get(0),
                options.kernelSizes().get(0),
                options.dilations().get(0),
                options.activation(),
                options.groups().get(0)));
    for (int i = 1; i < ch.size() - 1; i++) {
      seBlocks.add(
          blockList.register_module(
              Integer.toString(i),
              new SeRes2NetBlock(
                  ch.get(i - 1),
                  ch.get(i),
                  options.res2netScale(),
                  options.seChannels(),
                  options.kernelSizes().get(i),
                  options.dilations().get(i),
                  options.activation(),
                  options.groups().get(i))));
    }
    long last = ch.get(ch.size() - 1);
    this.mfa =
        register_module(
            "mfa",
            new TdnnBlock(
                ch.get(ch.size() - 2) * (ch.size() - 2),
                last,
                options.kernelSizes().get(ch.size() - 1),
                options.dilations().get(ch.size() - 1),
                options.activation(),
                options.groups().get(ch.size() - 1)));
    this.asp =
        register_module(
            "asp",
            new AttentivePooling(last, options.attentionChannels(), options.globalContext()));
    this.aspBn = register_module("asp_bn", new BatchNorm1d(last * 2));
    this.fc = register_module("fc", new Conv1d(last * 2, options.linNeurons(), 1));
  }

  /** The settings this network was built with. */
  public Options options() {
    return options;
  }

  /** Embedding size. */
  @Override
  public long embeddingSize() {
    return options.linNeurons();
  }

  @Override
  public long inputSize() {
    return options.inputSize();
  }

  /** The batch-independent embedding, {@link #forwardIndependent}. */
  @Override
  public Tensor embed(Tensor features, Tensor relLengths) {
    return forwardIndependent(features, relLengths);
  }

  /**
   * Embeds every utterance of {@code x} ({@code [B, T, inputSize]}) using all frames; the result is
   * in the caller's scope.
   */
  public Tensor forward(Tensor x) {
    return forward(x, null);
  }

  /**
   * Embeds {@code x} ({@code [B, T, inputSize]}) to {@code [B, 1, linNeurons]} exactly as
   * SpeechBrain does: frames at or beyond {@code relLengths[b] · T} ({@code length_to_mask}) are
   * left out of the squeeze-excitation means and of the pooling, but the convolutions near an
   * utterance's end still see its padding, so an embedding depends slightly on the longest
   * utterance of its batch. The result is in the caller's scope.
   */
  public Tensor forward(Tensor x, Tensor relLengths) {
    return compute(x, relLengths, false);
  }

  /**
   * Like {@link #forward(Tensor, Tensor)}, but each utterance's embedding is the one it gets alone
   * in a batch: before every convolution wider than one frame, the first padded frames are refilled
   * with the reflection of the last valid ones (what the convolution's own reflect padding shows it
   * at the end of an unpadded utterance). Use it wherever an embedding must not depend on its batch
   * (scoring, enrolment, serving).
   */
  public Tensor forwardIndependent(Tensor x, Tensor relLengths) {
    return compute(x, relLengths, relLengths != null);
  }

  private Tensor compute(Tensor x, Tensor relLengths, boolean independent) {
    Checks.rank(x, this, "[batch, time, features]", 3);
    Checks.lastDim(x, options.inputSize(), this);
    try (PointerScope scope = new PointerScope()) {
      // SpeechBrain's mask keeps t < rel * T, which float rounding can stretch by a frame; the
      // independent mode
      // counts round(rel * T) frames, the length each utterance had before padding.
      Tensor mask =
          relLengths == null
              ? null
              : (independent
                      ? Lengths.roundedMask(relLengths, x.size(1))
                      : Lengths.mask(relLengths, x.size(1)))
                  .unsqueeze(1); // [B, 1, T]
      Tensor reflect =
          independent
              ? Lengths.reflectIndex(Lengths.frames(relLengths, x.size(1)), x.size(1))
              : null;
      Tensor h = first.apply(x.transpose(1, 2), reflect); // [B, C, T]
      List<Tensor> outputs = new ArrayList<>();
      for (SeRes2NetBlock block : seBlocks) {
        h = block.apply(h, mask, reflect);
        outputs.add(h);
      }
      h = mfa.apply(torch.cat(new TensorVector(outputs.toArray(new Tensor[0])), 1), reflect);
      h = asp.apply(h, mask); // [B, 2C, 1]
      h = aspBn.forwardChannelsFirst(h);
      h = fc.forwardChannelsFirst(h); // [B, lin, 1]
      return Scopes.toCallerScope(h.transpose(1, 2).contiguous());
    }
  }

  /**
   * {@code x} ({@code [B, C, T]}) with its frames taken from {@code reflect}, or {@code x} when it
   * is null.
   */
  static Tensor refill(Tensor x, Tensor reflect) {
    return Lengths.refill(x, reflect, 2);
  }

  @Override
  public String toString() {
    return "ECAPA_TDNN(" + options + ")";
  }

  /**
   * Conv1d, activation, BatchNorm1d on channels-first {@code [B, C, T]} (SpeechBrain's TDNNBlock).
   */
  static final class TdnnBlock extends Module {
    private final Conv1d conv;
    private final BatchNorm1d norm;
    private final Activation activation;
    private final long kernel;

    TdnnBlock(long in, long out, long kernel, long dilation, Activation activation, long groups) {
      super("TDNNBlock");
      this.kernel = kernel;
      this.conv =
          register_module(
              "conv",
              new Conv1d(
                  in,
                  out,
                  kernel,
                  1,
                  dilation,
                  Conv1d.Padding.SAME,
                  Conv1d.PaddingMode.REFLECT,
                  groups,
                  true));
      this.activation = activation;
      this.norm = register_module("norm", new BatchNorm1d(out));
    }

    /**
     * Result belongs to the caller's scope; {@code reflect} (or null) refills padded frames first.
     */
    Tensor apply(Tensor x, Tensor reflect) {
      Tensor in = kernel > 1 ? refill(x, reflect) : x;
      return norm.forwardChannelsFirst(activation.apply(conv.forwardChannelsFirst(in)));
    }
  }

  /**
   * Res2Net: split channels into {@code scale} groups, each after the first through a TDNN with the
   * previous.
   */
  static final class Res2NetBlock extends Module {
    private final Module list;
    private final List<TdnnBlock> blocks = new ArrayList<>();
    private final long scale;

    Res2NetBlock(long channels, long scale, long kernel, long dilation) {
      super("Res2NetBlock");
      this.scale = scale;
      this.list = register_module("blocks", new Module("ModuleList"));
      for (int i = 0; i < scale - 1; i++) {
        blocks.add(
            list.register_module(
                Integer.toString(i),
                new TdnnBlock(
                    channels / scale, channels / scale, kernel, dilation, Activation.RELU, 1)));
      }
    }

    Tensor apply(Tensor x, Tensor reflect) {
      long part = x.size(1) / scale;
      Tensor[] y = new Tensor[(int) scale];
      for (int i = 0; i < scale; i++) {
        Tensor xi = x.narrow(1, i * part, part);
        if (i == 0) {
          y[i] = xi;
        } else if (i == 1) {
          y[i] = blocks.get(0).apply(xi, reflect);
        } else {
          y[i] = blocks.get(i - 1).apply(xi.add(y[i - 1]), reflect);
        }
      }
      return torch.cat(new TensorVector(y), 1);
    }
  }

  /** Squeeze-excitation: channel weights from the (masked) time mean. */
  static final class SeBlock extends Module {
    private final Conv1d conv1;
    private final Conv1d conv2;

    SeBlock(long in, long se, long out) {
      super("SEBlock");
      this.conv1 = register_module("conv1", new Conv1d(in, se, 1));
      this.conv2 = register_module("conv2", new Conv1d(se, out, 1));
    }

    Tensor apply(Tensor x, Tensor mask) {
      Tensor s;
      if (mask != null) {
        Tensor total =
            mask.sum(new long[] {2}, true, new org.bytedeco.pytorch.ScalarTypeOptional());
        s =
            x.mul(mask)
                .sum(new long[] {2}, true, new org.bytedeco.pytorch.ScalarTypeOptional())
                .div(total);
      } else {
        s = x.mean(new long[] {2}, true, new org.bytedeco.pytorch.ScalarTypeOptional());
      }
      s = torch.relu(conv1.forwardChannelsFirst(s));
      s = torch.sigmoid(conv2.forwardChannelsFirst(s));
      return s.mul(x);
    }
  }

  /** TDNN, Res2Net, TDNN, squeeze-excitation, plus the (projected) input. */
  static final class SeRes2NetBlock extends Module {
    private final TdnnBlock tdnn1;
    private final Res2NetBlock res2net;
    private final TdnnBlock tdnn2;
    private final SeBlock se;
    private final Conv1d shortcut;

    SeRes2NetBlock(
        long in,
        long out,
        long scale,
        long seChannels,
        long kernel,
        long dilation,
        Activation activation,
        long groups) {
      super("SERes2NetBlock");
      this.tdnn1 = register_module("tdnn1", new TdnnBlock(in, out, 1, 1, activation, groups));
      this.res2net =
          register_module("res2net_block", new Res2NetBlock(out, scale, kernel, dilation));
      this.tdnn2 = register_module("tdnn2", new TdnnBlock(out, out, 1, 1, activation, groups));
      this.se = register_module("se_block", new SeBlock(out, seChannels, out));
      this.shortcut = in != out ? register_module("shortcut", new Conv1d(in, out, 1)) : null;
    }

    Tensor apply(Tensor x, Tensor mask, Tensor reflect) {
      Tensor residual = shortcut == null ? x : shortcut.forwardChannelsFirst(x);
      Tensor h = tdnn2.apply(res2net.apply(tdnn1.apply(x, reflect), reflect), reflect);
      return se.apply(h, mask).add(residual);
    }
  }

  /** Attentive statistics pooling: attention-weighted mean and standard deviation per channel. */
  static final class AttentivePooling extends Module {
    private static final double EPS = 1e-12;
    private final TdnnBlock tdnn;
    private final Conv1d conv;
    private final boolean globalContext;

    AttentivePooling(long channels, long attention, boolean globalContext) {
      super("AttentiveStatisticsPooling");
      this.globalContext = globalContext;
      this.tdnn =
          register_module(
              "tdnn",
              new TdnnBlock(
                  globalContext ? channels * 3 : channels, attention, 1, 1, Activation.RELU, 1));
      this.conv = register_module("conv", new Conv1d(attention, channels, 1));
    }

    /** {@code [B, C, T]} to {@code [B, 2C, 1]}. */
    Tensor apply(Tensor x, Tensor mask) {
      long frames = x.size(2);
      Tensor m = mask != null ? mask : torch.ones(x.size(0), 1, frames);
      Tensor attn = x;
      if (globalContext) {
        Tensor total = m.sum(new long[] {2}, true, new org.bytedeco.pytorch.ScalarTypeOptional());
        Tensor[] stats = statistics(x, m.div(total));
        Tensor mean = stats[0].unsqueeze(2).expand(x.size(0), x.size(1), frames);
        Tensor std = stats[1].unsqueeze(2).expand(x.size(0), x.size(1), frames);
        attn = torch.cat(new TensorVector(x, mean, std), 1);
      }
      attn = conv.forwardChannelsFirst(torch.tanh(tdnn.apply(attn, null)));
      attn = attn.masked_fill(m.eq(new Scalar(0.0)), new Scalar(Double.NEGATIVE_INFINITY));
      attn = torch.softmax(attn, 2);
      Tensor[] stats = statistics(x, attn);
      return torch.cat(new TensorVector(stats[0], stats[1]), 1).unsqueeze(2);
    }

    /** Weighted mean and standard deviation over time, {@code [B, C]} each. */
    private static Tensor[] statistics(Tensor x, Tensor weights) {
      Tensor mean =
          weights.mul(x).sum(new long[] {2}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
      Tensor centred = x.sub(mean.unsqueeze(2));
      Tensor var =
          weights
              .mul(centred.pow(new Scalar(2.0)))
              .sum(new long[] {2}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
      return new Tensor[] {mean, torch.sqrt(torch.clamp_min(var, new Scalar(EPS)))};
    }
  }
}
