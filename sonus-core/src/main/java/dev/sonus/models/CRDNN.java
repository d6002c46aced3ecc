package dev.sonus.models;

import dev.sonus.nn.Activation;
import dev.sonus.nn.BatchNorm1d;
import dev.sonus.nn.Checks;
import dev.sonus.nn.Conv2d;
import dev.sonus.nn.Dropout;
import dev.sonus.nn.Dropout2d;
import dev.sonus.nn.LayerNorm;
import dev.sonus.nn.Lengths;
import dev.sonus.nn.Linear;
import dev.sonus.nn.Lstm;
import dev.sonus.nn.Pooling1d;
import dev.sonus.tensor.Scopes;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Convolutional, recurrent and fully connected encoder: speechbrain.lobes.models.CRDNN.CRDNN
 * (v1.0.0) with an LSTM as {@code rnn_class}.
 *
 * <p>Shapes: {@code [batch, time, inputSize] -> [batch, time', dnnNeurons]} ({@code time' = time /
 * timePoolingSize} with time pooling, else {@code time}). Submodule and parameter names follow
 * SpeechBrain, so a SpeechBrain CRDNN state dict maps key by key: {@code
 * CNN.block_0.conv_1.conv.weight}, ..., {@code RNN.rnn.weight_ih_l0}, ..., {@code
 * DNN.block_0.linear.w.weight}, {@code DNN.block_0.norm.norm.running_mean}, ...
 *
 * <p>Not supported: {@code using_2d_pooling=True}, {@code projection_dim}, {@code use_rnnp}, {@code
 * rnn_re_init} and recurrent classes other than LSTM.
 */
public final class CRDNN extends Module implements Encoder {
  /**
   * CRDNN settings, named as SpeechBrain's constructor arguments (snake_case there).
   *
   * @param inputSize features per frame ({@code input_size}, e.g. n_mels)
   * @param activation activation of CNN and DNN blocks
   * @param dropout drop rate of CNN ({@code Dropout2d}), RNN (between layers) and DNN blocks
   * @param cnnBlocks number of CNN blocks
   * @param cnnChannels output channels per CNN block (at least {@code cnnBlocks} entries)
   * @param cnnKernelSize the two kernel sizes of every convolution ({@code cnn_kernelsize})
   * @param timePooling whether to max-pool the time axis after the CNN
   * @param timePoolingSize time pooling kernel and stride
   * @param usingTwoDPooling must be false (SpeechBrain's {@code using_2d_pooling}; 2-D pooling is
   *     not supported)
   * @param interLayerPoolingSize frequency pooling per CNN block (at least {@code cnnBlocks}
   *     entries)
   * @param rnnLayers number of LSTM layers (0 for none)
   * @param rnnNeurons LSTM hidden size per direction
   * @param rnnBidirectional whether the LSTM is bidirectional
   * @param dnnBlocks number of DNN blocks
   * @param dnnNeurons output size of each DNN block
   */
  public record Options(
      long inputSize,
      Activation activation,
      double dropout,
      int cnnBlocks,
      List<Long> cnnChannels,
      List<Long> cnnKernelSize,
      boolean timePooling,
      long timePoolingSize,
      boolean usingTwoDPooling,
      List<Long> interLayerPoolingSize,
      int rnnLayers,
      long rnnNeurons,
      boolean rnnBidirectional,
      int dnnBlocks,
      long dnnNeurons) {
    /** Validates every setting and copies the lists. */
    public Options {
      Checks.positive(inputSize, "input_size");
      if (activation == null) {
        throw new IllegalArgumentException(
            "activation is null; expected one of "
                + java.util.Arrays.toString(Activation.values()));
      }
      Checks.dropRate(dropout, "dropout");
      nonNegative(cnnBlocks, "cnn_blocks");
      nonNegative(rnnLayers, "rnn_layers");
      nonNegative(dnnBlocks, "dnn_blocks");
      cnnChannels = List.copyOf(cnnChannels);
      cnnKernelSize = List.copyOf(cnnKernelSize);
      interLayerPoolingSize = List.copyOf(interLayerPoolingSize);
      if (cnnChannels.size() < cnnBlocks) {
        throw new IllegalArgumentException(
            "cnn_channels is "
                + cnnChannels
                + " but cnn_blocks is "
                + cnnBlocks
                + "; give one channel count per block");
      }
      if (interLayerPoolingSize.size() < cnnBlocks) {
        throw new IllegalArgumentException(
            "inter_layer_pooling_size is "
                + interLayerPoolingSize
                + " but cnn_blocks is "
                + cnnBlocks
                + "; give one pooling size per block");
      }
      if (cnnKernelSize.size() != 2) {
        throw new IllegalArgumentException(
            "cnn_kernelsize is " + cnnKernelSize + "; expected two sizes, e.g. [3, 3]");
      }
      if (usingTwoDPooling) {
        throw new IllegalArgumentException(
            "using_2d_pooling is true; only frequency (1-D) pooling is supported, "
                + "set using_2d_pooling: false");
      }
      if (timePooling) {
        Checks.positive(timePoolingSize, "time_pooling_size");
      }
      if (rnnLayers > 0) {
        Checks.positive(rnnNeurons, "rnn_neurons");
      }
      if (dnnBlocks > 0) {
        Checks.positive(dnnNeurons, "dnn_neurons");
      }
    }

    /**
     * The configuration of SpeechBrain's CRDNN ASR recipe this project ports: 40 Fbank inputs, one
     * CNN block of 32 channels (3×3, frequency pooling 2), no time pooling, LeakyReLU, dropout
     * 0.15, a 2-layer bidirectional LSTM of 128, one DNN block of 128.
     */
    public static Options defaults() {
      return new Options(
          40,
          Activation.LEAKY_RELU,
          0.15,
          1,
          List.of(32L),
          List.of(3L, 3L),
          false,
          2,
          false,
          List.of(2L),
          2,
          128,
          true,
          1,
          128);
    }

    /** These options with another {@code inputSize}. */
    public Options withInputSize(long newInputSize) {
      return new Options(
          newInputSize,
          activation,
          dropout,
          cnnBlocks,
          cnnChannels,
          cnnKernelSize,
          timePooling,
          timePoolingSize,
          usingTwoDPooling,
          interLayerPoolingSize,
          rnnLayers,
          rnnNeurons,
          rnnBidirectional,
          dnnBlocks,
          dnnNeurons);
    }

    private static void nonNegative(int value, String name) {
      if (value < 0) {
        throw new IllegalArgumentException(name + " is " + value + "; expected 0 or more");
      }
    }
  }

  private final Options options;
  private final List<CnnBlock> cnn = new ArrayList<>();
  private final Pooling1d timePool;
  private final Lstm rnn;
  private final List<DnnBlock> dnn = new ArrayList<>();
  private final long outputSize;
  // Every Module made from Java must stay reachable from Java while the native tree uses it:
  // libtorch calls its
  // virtual methods (train, eval, ...) back through the Java object, which the garbage collector
  // would otherwise
  // reclaim (the call then fails with a NullPointerException).
  private Module cnnContainer;
  private Module dnnContainer;

  /** Builds the network; its weights are initialised as torch's defaults. */
  public CRDNN(Options options) {
    super("CRDNN");
    if (options == null) {
      throw new IllegalArgumentException("options is null; use CRDNN.Options.defaults()");
    }
    this.options = options;
    long freq = options.inputSize();
    long channels = 1;
    long features = freq;
    if (options.cnnBlocks() > 0) {
      cnnContainer = register_module("CNN", new Module("Sequential"));
      Module container = cnnContainer;
      for (int i = 0; i < options.cnnBlocks(); i++) {
        long out = options.cnnChannels().get(i);
        long pool = options.interLayerPoolingSize().get(i);
        CnnBlock block =
            container.register_module(
                "block_" + i,
                new CnnBlock(
                    channels,
                    out,
                    freq,
                    new long[] {options.cnnKernelSize().get(0), options.cnnKernelSize().get(1)},
                    pool,
                    options.activation(),
                    options.dropout()));
        cnn.add(block);
        channels = out;
        freq = freq / pool;
        if (freq < 1) {
          throw new IllegalArgumentException(
              "input_size "
                  + options.inputSize()
                  + " is too small for the "
                  + "frequency pooling "
                  + options.interLayerPoolingSize()
                  + "; use fewer CNN blocks or smaller pooling");
        }
      }
      features = freq * channels;
    }
    this.timePool =
        options.timePooling()
            ? register_module("time_pooling", new Pooling1d(options.timePoolingSize(), 1))
            : null;
    if (options.rnnLayers() > 0) {
      this.rnn =
          register_module(
              "RNN",
              new Lstm(
                  features,
                  options.rnnNeurons(),
                  options.rnnLayers(),
                  options.rnnBidirectional(),
                  options.dropout()));
      features = rnn.outputSize();
    } else {
      this.rnn = null;
    }
    if (options.dnnBlocks() > 0) {
      dnnContainer = register_module("DNN", new Module("Sequential"));
      Module container = dnnContainer;
      for (int i = 0; i < options.dnnBlocks(); i++) {
        dnn.add(
            container.register_module(
                "block_" + i,
                new DnnBlock(
                    features, options.dnnNeurons(), options.activation(), options.dropout())));
        features = options.dnnNeurons();
      }
    }
    this.outputSize = features;
  }

  /** The settings this network was built with. */
  public Options options() {
    return options;
  }

  /** Features per output frame ({@code dnnNeurons} when there are DNN blocks). */
  @Override
  public long outputSize() {
    return outputSize;
  }

  @Override
  public long inputSize() {
    return options.inputSize();
  }

  /**
   * {@link #forward(Tensor, Tensor)} as an {@link Encoder}: time pooling changes the number of
   * frames, not the valid fraction of each utterance, so the relative lengths pass through.
   */
  @Override
  public Output encode(Tensor features, Tensor relLengths) {
    return new Output(forward(features, relLengths), relLengths);
  }

  /**
   * Encodes every frame of {@code x} ({@code [B, T, inputSize]}), as SpeechBrain's CRDNN; the
   * result is in the caller's scope.
   */
  public Tensor forward(Tensor x) {
    return forward(x, null);
  }

  /**
   * Encodes {@code x} ({@code [B, T, inputSize]}) to {@code [B, T', outputSize]}; the result is in
   * the caller's scope.
   *
   * <p>{@code relLengths} ({@code [B]}, fraction of {@code T}) makes the output on each utterance's
   * valid frames independent of the padding, hence of which other utterances share the batch:
   * before every convolution the first padded frames are replaced by the reflection of the last
   * valid ones (what the convolution's own reflect padding shows it at the end of an unpadded
   * utterance), and the LSTM skips padded frames (packed sequences). SpeechBrain v1.0.0's CRDNN is
   * a plain {@code Sequential} that does neither, so pass null for bit-for-bit parity with it.
   */
  public Tensor forward(Tensor x, Tensor relLengths) {
    Checks.rank(x, this, "[batch, time, features]", 3);
    Checks.lastDim(x, options.inputSize(), this);
    try (PointerScope scope = new PointerScope()) {
      Tensor h = x;
      Tensor reflect =
          relLengths == null || cnn.isEmpty()
              ? null
              : Lengths.reflectIndex(Lengths.frames(relLengths, x.size(1)), x.size(1));
      for (CnnBlock block : cnn) {
        h = block.apply(h, reflect);
      }
      if (timePool != null) {
        h = timePool.forward(h);
      }
      if (!cnn.isEmpty() && rnn == null) {
        h = h.reshape(h.size(0), h.size(1), h.size(2) * h.size(3));
      }
      if (rnn != null) {
        h = rnn.forward(h, relLengths);
      }
      for (DnnBlock block : dnn) {
        h = block.apply(h);
      }
      return Scopes.toCallerScope(h);
    }
  }

  /**
   * {@code x} ({@code [B, T, F]} or {@code [B, T, F, C]}) with its frames taken from {@code
   * reflect}.
   */
  private static Tensor refill(Tensor x, Tensor reflect) {
    return Lengths.refill(x, reflect, 1);
  }

  @Override
  public String toString() {
    return "CRDNN(" + options + ")";
  }

  /**
   * Conv, LayerNorm, activation, twice; frequency max pooling; Dropout2d (SpeechBrain's CNN_Block).
   */
  static final class CnnBlock extends Module {
    private final Conv2d conv1;
    private final LayerNorm norm1;
    private final Conv2d conv2;
    private final LayerNorm norm2;
    private final Activation activation;
    private final Pooling1d pooling;
    private final Dropout2d drop;

    CnnBlock(
        long inChannels,
        long channels,
        long freq,
        long[] kernel,
        long pool,
        Activation activation,
        double dropout) {
      super("CNN_Block");
      this.conv1 =
          register_module("conv_1", new Conv2d(inChannels, channels, kernel, Conv2d.Padding.SAME));
      this.norm1 = register_module("norm_1", new LayerNorm(freq, channels));
      this.conv2 =
          register_module("conv_2", new Conv2d(channels, channels, kernel, Conv2d.Padding.SAME));
      this.norm2 = register_module("norm_2", new LayerNorm(freq, channels));
      this.activation = activation;
      this.pooling = register_module("pooling", new Pooling1d(pool, 2));
      this.drop = register_module("drop", new Dropout2d(dropout));
    }

    /**
     * Result belongs to the caller's scope; {@code reflect} ({@code [B, T]} frame indices, or null)
     * refills the padded frames before each convolution.
     */
    Tensor apply(Tensor x, Tensor reflect) {
      Tensor h = activation.apply(norm1.forward(conv1.forward(refill(x, reflect))));
      h = activation.apply(norm2.forward(conv2.forward(refill(h, reflect))));
      return drop.forward(pooling.forward(h));
    }

    @Override
    public String toString() {
      return "CNN_Block(" + conv1 + ", " + pooling + ", " + drop + ")";
    }
  }

  /** Linear, BatchNorm1d, activation, dropout (SpeechBrain's DNN_Block). */
  static final class DnnBlock extends Module {
    private final Linear linear;
    private final BatchNorm1d norm;
    private final Activation activation;
    private final Dropout dropout;

    DnnBlock(long inFeatures, long neurons, Activation activation, double dropout) {
      super("DNN_Block");
      this.linear = register_module("linear", new Linear(inFeatures, neurons, true));
      this.norm = register_module("norm", new BatchNorm1d(neurons));
      this.activation = activation;
      this.dropout = register_module("dropout", new Dropout(dropout));
    }

    /** Result belongs to the caller's scope. */
    Tensor apply(Tensor x) {
      Tensor h = activation.apply(norm.forward(linear.forward(x)));
      return dropout.forward(h);
    }

    @Override
    public String toString() {
      return "DNN_Block(" + linear + ", " + norm + ")";
    }
  }
}
