package dev.sonus.models;

import dev.sonus.nn.Activation;
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
 * The linear classifier head of SpeechBrain's x-vector recipes, {@code
 * speechbrain.lobes.models.Xvector.Classifier}: activation, BatchNorm1d ({@code norm}), {@code
 * linBlocks} blocks of Linear, activation and BatchNorm1d ({@code DNN.block_0.linear.w.weight},
 * {@code DNN.block_0.norm.norm.running_mean}, ...), a Linear to the classes ({@code out.w.weight})
 * and log-softmax. Shapes: {@code [B, 1, inputSize]} to {@code [B, 1, classes]} log-probabilities.
 */
public final class XvectorClassifier extends Module implements ClassifierHead {

  /**
   * Settings, named and defaulted as SpeechBrain's {@code Xvector.Classifier} arguments (its {@code
   * input_shape} is given here as the embedding size).
   *
   * @param inputSize embedding size
   * @param activation activation
   * @param linBlocks hidden blocks ({@code lin_blocks})
   * @param linNeurons hidden size ({@code lin_neurons})
   * @param outNeurons classes ({@code out_neurons})
   */
  public record Options(
      long inputSize, Activation activation, int linBlocks, long linNeurons, long outNeurons) {
    /** SpeechBrain's defaults: 512 inputs, LeakyReLU, one hidden block of 512, 1211 classes. */
    public static Options defaults() {
      return new Options(512, Activation.LEAKY_RELU, 1, 512, 1211);
    }
  }

  private final long classes;
  private final long inputSize;
  private final Activation activation;
  private final BatchNorm1d norm;
  private final Module dnn;
  private final List<Module> blockModules = new ArrayList<>();
  private final List<Linear> linears = new ArrayList<>();
  private final List<BatchNorm1d> norms = new ArrayList<>();
  private final Linear out;

  /**
   * Creates the head.
   *
   * @param inputSize embedding size
   * @param activation activation (SpeechBrain: LeakyReLU)
   * @param linBlocks hidden blocks ({@code lin_blocks}, SpeechBrain default 1)
   * @param linNeurons hidden size ({@code lin_neurons})
   * @param outNeurons classes ({@code out_neurons})
   */
  public XvectorClassifier(
      long inputSize, Activation activation, int linBlocks, long linNeurons, long outNeurons) {
    super("Classifier");
    this.inputSize = Checks.positive(inputSize, "input_size");
    this.classes = Checks.positive(outNeurons, "out_neurons");
    if (linBlocks < 0 || activation == null) {
      throw new IllegalArgumentException(
          "lin_blocks is "
              + linBlocks
              + " and activation "
              + activation
              + "; expected lin_blocks >= 0 and an activation");
    }
    this.activation = activation;
    this.norm = register_module("norm", new BatchNorm1d(inputSize));
    this.dnn = linBlocks > 0 ? register_module("DNN", new Module("Sequential")) : null;
    long size = inputSize;
    for (int i = 0; i < linBlocks; i++) {
      Module block = dnn.register_module("block_" + i, new Module("Sequential"));
      blockModules.add(block);
      linears.add(block.register_module("linear", new Linear(size, linNeurons, true)));
      norms.add(block.register_module("norm", new BatchNorm1d(linNeurons)));
      size = linNeurons;
    }
    this.out = register_module("out", new Linear(size, outNeurons, true));
  }

  /** A head with the given settings. */
  public XvectorClassifier(Options options) {
    this(
        options.inputSize(),
        options.activation(),
        options.linBlocks(),
        options.linNeurons(),
        options.outNeurons());
  }

  @Override
  public long inputSize() {
    return inputSize;
  }

  @Override
  public long classes() {
    return classes;
  }

  /** Log-probabilities {@code [B, 1, classes]}; the result is in the caller's scope. */
  @Override
  public Tensor forward(Tensor x) {
    Checks.rank(x, this, "[batch, 1, features]", 3);
    Checks.lastDim(x, inputSize, this);
    try (PointerScope scope = new PointerScope()) {
      Tensor h = norm.forward(activation.apply(x));
      for (int i = 0; i < linears.size(); i++) {
        h = norms.get(i).forward(activation.apply(linears.get(i).forward(h)));
      }
      return Scopes.toCallerScope(torch.log_softmax(out.forward(h), -1));
    }
  }

  @Override
  public String toString() {
    return "XvectorClassifier(input_size=" + inputSize + ", lin_blocks=" + linears.size() + ")";
  }
}
