package dev.sonus.nn;

import dev.sonus.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GRUImpl;
import org.bytedeco.pytorch.GRUOptions;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.PackedSequence;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Multi-layer, optionally bidirectional, batch-first GRU.
 *
 * <p>Shapes: {@code [batch, time, inputSize]} or {@code [batch, time, freq, channels]} (flattened to
 * {@code freq * channels}, as SpeechBrain does) {@code -> [batch, time, hiddenSize * (bidirectional ? 2 : 1)]}.
 * Matches speechbrain.nnet.RNN.GRU with {@code re_init=False} (torch's default initialisation); parameters
 * {@code rnn.weight_ih_l0} {@code [3 * hiddenSize, inputSize]}, {@code rnn.weight_hh_l0}, {@code rnn.bias_ih_l0},
 * {@code rnn.bias_hh_l0}, with {@code _reverse} twins per layer when bidirectional. With relative lengths the
 * padded frames are packed away ({@code pack_padded_sequence}, {@code enforce_sorted=False}) so they affect neither
 * direction; outputs at padded frames are zero. Only the output sequence is returned (not the final state).
 */
public final class Gru extends Module {
  private final long inputSize;
  private final long hiddenSize;
  private final long numLayers;
  private final boolean bidirectional;
  private final double dropout;
  private final GRUImpl rnn;

  /**
   * A GRU.
   *
   * @param dropout dropout between stacked layers in training mode (torch's {@code dropout})
   */
  public Gru(long inputSize, long hiddenSize, long numLayers, boolean bidirectional, double dropout) {
    super("GRU");
    this.inputSize = Checks.positive(inputSize, "inputSize");
    this.hiddenSize = Checks.positive(hiddenSize, "hiddenSize");
    this.numLayers = Checks.positive(numLayers, "numLayers");
    this.bidirectional = bidirectional;
    this.dropout = Checks.dropRate(dropout, "dropout");
    GRUOptions options = new GRUOptions(inputSize, hiddenSize);
    options.num_layers().put(numLayers);
    options.bidirectional().put(bidirectional);
    options.batch_first().put(true);
    options.bias().put(true);
    options.dropout().put(dropout);
    this.rnn = register_module("rnn", new GRUImpl(options));
  }

  /** Output features per frame: {@code hiddenSize}, doubled when bidirectional. */
  public long outputSize() {
    return bidirectional ? 2 * hiddenSize : hiddenSize;
  }

  /** Runs over every frame of {@code x}; the caller owns the result. */
  public Tensor forward(Tensor x) {
    return forward(x, null);
  }

  /**
   * Runs over the first {@code round(relLengths[b] * time)} frames of each example (all frames when
   * {@code relLengths} is null); the caller owns the result, {@code [B, T, outputSize]}.
   */
  public Tensor forward(Tensor x, Tensor relLengths) {
    try (PointerScope scope = new PointerScope()) {
      return apply(x, relLengths).retainReference();
    }
  }

  Tensor apply(Tensor x, Tensor relLengths) {
    Checks.rank(x, this, "[batch, time, features] or [batch, time, freq, channels]", 3, 4);
    Tensor h = x.dim() == 4 ? x.reshape(x.size(0), x.size(1), x.size(2) * x.size(3)) : x;
    Checks.lastDim(h, inputSize, this);
    if (relLengths == null) {
      // Tuple elements point into the tuple, which the scope frees: copy the handle out.
      return new Tensor(rnn.forward(h).get0());
    }
    if (relLengths.dim() != 1 || relLengths.size(0) != x.size(0)) {
      throw new IllegalArgumentException(String.format(
          "%s: relLengths has shape %s, expected [%d] (one relative length per example in the batch).",
          this, Tensors.shapeString(relLengths), x.size(0)));
    }
    long time = h.size(1);
    Tensor lengths = relLengths.to(torch.ScalarType.Double).mul(new org.bytedeco.pytorch.Scalar((double) time))
        .round().clamp(new org.bytedeco.pytorch.ScalarOptional(new org.bytedeco.pytorch.Scalar(1.0)),
            new org.bytedeco.pytorch.ScalarOptional(new org.bytedeco.pytorch.Scalar((double) time)))
        .to(torch.ScalarType.Long).cpu();
    PackedSequence packed = torch.pack_padded_sequence(h, lengths, true, false);
    PackedSequence out = new PackedSequence(rnn.forward_with_packed_input(packed).get0());
    return new Tensor(torch.pad_packed_sequence(out, true, 0.0, new LongOptional(time)).get0());
  }

  @Override
  public String toString() {
    return "Gru(in=" + inputSize + ", hidden=" + hiddenSize + ", layers=" + numLayers
        + ", bidirectional=" + bidirectional + ", dropout=" + dropout + ")";
  }
}
