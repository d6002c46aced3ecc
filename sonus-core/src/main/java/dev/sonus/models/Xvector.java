package dev.sonus.models;

import dev.sonus.nn.Activation;
import dev.sonus.nn.BatchNorm1d;
import dev.sonus.nn.Checks;
import dev.sonus.nn.Conv1d;
import dev.sonus.nn.Lengths;
import dev.sonus.nn.Linear;
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
 * X-vector speaker embeddings (TDNN), {@code speechbrain.lobes.models.Xvector.Xvector} v1.0.0:
 * blocks of Conv1d (reflect "same" padding), activation and BatchNorm1d, statistics pooling (mean
 * and standard deviation over the valid frames) and a linear layer. Parameter names follow
 * SpeechBrain's flat {@code blocks} list: {@code blocks.0.conv.weight}, {@code
 * blocks.2.norm.running_mean}, ..., {@code blocks.16.w.weight} for 5 blocks. Shapes: {@code [B, T,
 * inChannels]} (with optional relative lengths) to {@code [B, 1, linNeurons]}.
 *
 * <p>One deliberate difference: SpeechBrain's pooling adds Gaussian noise of at most 9e-5 to the
 * mean at every call, inference included; here only in training mode, so embeddings are
 * deterministic.
 */
public final class Xvector extends Module implements EmbeddingModel {
  private static final double EPS = 1e-5;

  /**
   * Settings, named as SpeechBrain's.
   *
   * @param inChannels features per frame ({@code in_channels})
   * @param activation activation after each convolution
   * @param tdnnBlocks number of TDNN blocks; the first {@code tdnnBlocks} entries of each list are
   *     used
   * @param tdnnChannels output channels per block
   * @param tdnnKernelSizes kernel size per block
   * @param tdnnDilations dilation per block
   * @param linNeurons embedding size
   */
  public record Options(
      long inChannels,
      Activation activation,
      int tdnnBlocks,
      List<Long> tdnnChannels,
      List<Long> tdnnKernelSizes,
      List<Long> tdnnDilations,
      long linNeurons) {
    /**
     * Validates, and keeps the first {@code tdnnBlocks} entries of each list (as SpeechBrain
     * indexes them).
     */
    public Options {
      Checks.positive(inChannels, "in_channels");
      Checks.positive(linNeurons, "lin_neurons");
      Checks.positive(tdnnBlocks, "tdnn_blocks");
      if (tdnnChannels.size() < tdnnBlocks
          || tdnnKernelSizes.size() < tdnnBlocks
          || tdnnDilations.size() < tdnnBlocks) {
        throw new IllegalArgumentException(
            "tdnn_blocks is "
                + tdnnBlocks
                + " but tdnn_channels "
                + tdnnChannels
                + ", tdnn_kernel_sizes "
                + tdnnKernelSizes
                + " and tdnn_dilations "
                + tdnnDilations
                + " do not all have that many entries; give one entry per block");
      }
      tdnnChannels = List.copyOf(tdnnChannels.subList(0, tdnnBlocks));
      tdnnKernelSizes = List.copyOf(tdnnKernelSizes.subList(0, tdnnBlocks));
      tdnnDilations = List.copyOf(tdnnDilations.subList(0, tdnnBlocks));
      if (activation == null) {
        throw new IllegalArgumentException(
            "activation is null; expected one of "
                + java.util.Arrays.toString(Activation.values()));
      }
    }

    /**
     * SpeechBrain's defaults: 40 inputs, channels [512, 512, 512, 512, 1500], kernels [5, 3, 3, 1,
     * 1].
     */
    public static Options defaults() {
      return new Options(
          40,
          Activation.LEAKY_RELU,
          5,
          List.of(512L, 512L, 512L, 512L, 1500L),
          List.of(5L, 3L, 3L, 1L, 1L),
          List.of(1L, 2L, 3L, 1L, 1L),
          512);
    }
  }

  private final Options options;
  private final Module blocks;
  private final List<Conv1d> convs = new ArrayList<>();
  private final List<BatchNorm1d> norms = new ArrayList<>();
  private final Linear linear;

  /** Builds the network with torch's default initialisation. */
  public Xvector(Options options) {
    super("Xvector");
    this.options = options;
    this.blocks = register_module("blocks", new Module("ModuleList"));
    long in = options.inChannels();
    int index = 0;
    for (int i = 0; i < options.tdnnChannels().size(); i++) {
      long out = options.tdnnChannels().get(i);
      convs.add(
          blocks.register_module(
              Integer.toString(index),
              new Conv1d(
                  in,
                  out,
                  options.tdnnKernelSizes().get(i),
                  1,
                  options.tdnnDilations().get(i),
                  Conv1d.Padding.SAME,
                  Conv1d.PaddingMode.REFLECT,
                  1,
                  true)));
      norms.add(blocks.register_module(Integer.toString(index + 2), new BatchNorm1d(out)));
      index += 3;
      in = out;
    }
    this.linear =
        blocks.register_module(
            Integer.toString(index + 1), new Linear(in * 2, options.linNeurons(), true));
  }

  /** The settings. */
  public Options options() {
    return options;
  }

  @Override
  public long inputSize() {
    return options.inChannels();
  }

  @Override
  public long embeddingSize() {
    return options.linNeurons();
  }

  /** The batch-independent embedding, {@link #forwardIndependent}. */
  @Override
  public Tensor embed(Tensor features, Tensor relLengths) {
    return forwardIndependent(features, relLengths);
  }

  /**
   * Embeds {@code x} ({@code [B, T, inChannels]}) as SpeechBrain does; with relative lengths the
   * statistics use the first {@code round(rel · T)} frames of each utterance, but the convolutions
   * near an utterance's end see its padding. The result, {@code [B, 1, linNeurons]}, is in the
   * caller's scope.
   */
  public Tensor forward(Tensor x, Tensor relLengths) {
    return compute(x, relLengths, false);
  }

  /**
   * Like {@link #forward}, but each embedding is the one its utterance gets alone: before every
   * convolution wider than one frame the padded frames are refilled with the reflection of the last
   * valid ones.
   */
  public Tensor forwardIndependent(Tensor x, Tensor relLengths) {
    return compute(x, relLengths, relLengths != null);
  }

  private Tensor compute(Tensor x, Tensor relLengths, boolean independent) {
    Checks.rank(x, this, "[batch, time, features]", 3);
    Checks.lastDim(x, options.inChannels(), this);
    try (PointerScope scope = new PointerScope()) {
      Tensor reflect =
          independent
              ? Lengths.reflectIndex(Lengths.frames(relLengths, x.size(1)), x.size(1))
              : null;
      Tensor h = x;
      for (int i = 0; i < convs.size(); i++) {
        Tensor in = options.tdnnKernelSizes().get(i) > 1 ? Lengths.refill(h, reflect, 1) : h;
        h = norms.get(i).forward(options.activation().apply(convs.get(i).forward(in)));
      }
      long frames = h.size(1);
      long[] lengths = relLengths == null ? null : Lengths.frames(relLengths, frames);
      Tensor[] means = new Tensor[(int) h.size(0)];
      Tensor[] stds = new Tensor[means.length];
      for (int b = 0; b < means.length; b++) {
        long valid = lengths == null ? frames : lengths[b];
        Tensor item = h.select(0, b).narrow(0, 0, valid);
        means[b] = item.mean(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
        stds[b] = item.std(new long[] {0}, true, false);
      }
      Tensor mean = torch.stack(new TensorVector(means));
      if (is_training()) {
        Tensor noise = torch.randn(mean.size(0), mean.size(1));
        noise = noise.sub(noise.min());
        noise = noise.div(noise.max());
        mean = mean.add(noise.mul(new Scalar(-8.0)).add(new Scalar(9.0)).mul(new Scalar(EPS)));
      }
      Tensor std = torch.stack(new TensorVector(stds)).add(new Scalar(EPS));
      Tensor pooled = torch.cat(new TensorVector(mean, std), 1).unsqueeze(1);
      return Scopes.toCallerScope(linear.forward(pooled));
    }
  }

  @Override
  public String toString() {
    return "Xvector(" + options + ")";
  }
}
