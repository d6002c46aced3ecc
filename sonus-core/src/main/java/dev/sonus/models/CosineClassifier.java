package dev.sonus.models;

import dev.sonus.nn.BatchNorm1d;
import dev.sonus.nn.Checks;
import dev.sonus.nn.Linear;
import dev.sonus.tensor.Scopes;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Cosine classifier on embeddings, {@code speechbrain.lobes.models.ECAPA_TDNN.Classifier}: optional
 * blocks of BatchNorm1d and Linear ({@code blocks.0.norm...}, {@code blocks.1.w...}), then the
 * cosine similarity between the normalised embedding and each normalised row of {@code weight}
 * {@code [classes, features]} (Xavier-uniform initialisation). Shapes: {@code [B, 1, inputSize]}
 * (or {@code [B, inputSize]}) to {@code [B, 1, classes]}.
 */
public final class CosineClassifier extends Module implements ClassifierHead {

  /**
   * Settings, named and defaulted as SpeechBrain's {@code ECAPA_TDNN.Classifier} arguments.
   *
   * @param inputSize embedding size ({@code input_size})
   * @param linBlocks BatchNorm + Linear blocks before the cosine layer ({@code lin_blocks})
   * @param linNeurons size of those blocks ({@code lin_neurons})
   * @param outNeurons classes ({@code out_neurons})
   */
  public record Options(long inputSize, int linBlocks, long linNeurons, long outNeurons) {
    /** SpeechBrain's defaults: 192 inputs, no hidden blocks, 1211 classes. */
    public static Options defaults() {
      return new Options(192, 0, 192, 1211);
    }
  }

  private final long inputSize;
  private final long classes;
  private final Module blocks;
  private final List<BatchNorm1d> norms = new ArrayList<>();
  private final List<Linear> linears = new ArrayList<>();
  private final Tensor weight;

  /**
   * Creates the classifier.
   *
   * @param inputSize embedding size ({@code input_size})
   * @param linBlocks BatchNorm + Linear blocks before the cosine layer ({@code lin_blocks},
   *     SpeechBrain default 0)
   * @param linNeurons size of those blocks ({@code lin_neurons})
   * @param outNeurons classes ({@code out_neurons})
   */
  public CosineClassifier(long inputSize, int linBlocks, long linNeurons, long outNeurons) {
    super("Classifier");
    this.inputSize = Checks.positive(inputSize, "input_size");
    this.classes = Checks.positive(outNeurons, "out_neurons");
    if (linBlocks < 0) {
      throw new IllegalArgumentException("lin_blocks is " + linBlocks + "; expected 0 or more");
    }
    this.blocks = register_module("blocks", new Module("ModuleList"));
    long size = inputSize;
    for (int i = 0; i < linBlocks; i++) {
      norms.add(blocks.register_module(Integer.toString(2 * i), new BatchNorm1d(size)));
      linears.add(
          blocks.register_module(Integer.toString(2 * i + 1), new Linear(size, linNeurons, true)));
      size = linNeurons;
    }
    Tensor w = torch.empty(outNeurons, size);
    torch.xavier_uniform_(w);
    this.weight = new Tensor(register_parameter("weight", w, true));
  }

  /** A classifier with the given settings. */
  public CosineClassifier(Options options) {
    this(options.inputSize(), options.linBlocks(), options.linNeurons(), options.outNeurons());
  }

  /** A classifier without hidden blocks (SpeechBrain's default). */
  public CosineClassifier(long inputSize, long outNeurons) {
    this(inputSize, 0, 192, outNeurons);
  }

  @Override
  public long inputSize() {
    return inputSize;
  }

  /** Number of classes. */
  @Override
  public long classes() {
    return classes;
  }

  /** Cosines {@code [B, 1, classes]} in [-1, 1]; the result is in the caller's scope. */
  @Override
  public Tensor forward(Tensor x) {
    Checks.rank(x, this, "[batch, 1, features] or [batch, features]", 2, 3);
    Checks.lastDim(x, inputSize, this);
    try (PointerScope scope = new PointerScope()) {
      Tensor h = x.dim() == 3 ? x.squeeze(1) : x;
      for (int i = 0; i < norms.size(); i++) {
        h = linears.get(i).forward(norms.get(i).forward(h));
      }
      Tensor cos = torch.linear(normalize(h), normalize(weight));
      return Scopes.toCallerScope(cos.unsqueeze(1));
    }
  }

  /** Rows divided by their L2 norm (at least 1e-12), as {@code torch.nn.functional.normalize}. */
  static Tensor normalize(Tensor x) {
    Tensor norm =
        x.pow(new org.bytedeco.pytorch.Scalar(2.0))
            .sum(new long[] {1}, true, new org.bytedeco.pytorch.ScalarTypeOptional())
            .sqrt();
    return x.div(torch.clamp_min(norm, new org.bytedeco.pytorch.Scalar(1e-12)));
  }

  @Override
  public String toString() {
    return "Classifier(input_size="
        + inputSize
        + ", lin_blocks="
        + norms.size()
        + ", out_neurons="
        + classes
        + ")";
  }
}
