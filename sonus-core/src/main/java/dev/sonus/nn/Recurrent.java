package dev.sonus.nn;

import dev.sonus.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.PackedSequence;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * What {@link Lstm} and {@link Gru} share: settings, input flattening, and running padded or packed by lengths.
 * A subclass registers its torch module as {@code rnn} and runs it.
 */
abstract class Recurrent extends Module {
  private final String kind;
  final long inputSize;
  final long hiddenSize;
  final long numLayers;
  final boolean bidirectional;
  final double dropout;

  Recurrent(String kind, long inputSize, long hiddenSize, long numLayers, boolean bidirectional, double dropout) {
    super(kind);
    this.kind = kind;
    this.inputSize = Checks.positive(inputSize, "inputSize");
    this.hiddenSize = Checks.positive(hiddenSize, "hiddenSize");
    this.numLayers = Checks.positive(numLayers, "numLayers");
    this.bidirectional = bidirectional;
    this.dropout = Checks.dropRate(dropout, "dropout");
  }

  /** The output sequence of the torch module on a padded batch (a new handle). */
  abstract Tensor runPadded(Tensor x);

  /** The output sequence of the torch module on a packed batch (a new handle). */
  abstract PackedSequence runPacked(PackedSequence x);

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
      return runPadded(h);
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
    PackedSequence out = runPacked(packed);
    return new Tensor(torch.pad_packed_sequence(out, true, 0.0, new LongOptional(time)).get0());
  }

  @Override
  public String toString() {
    return kind.charAt(0) + kind.substring(1).toLowerCase(java.util.Locale.ROOT) + "(in=" + inputSize + ", hidden="
        + hiddenSize + ", layers=" + numLayers + ", bidirectional=" + bidirectional + ", dropout=" + dropout + ")";
  }
}
