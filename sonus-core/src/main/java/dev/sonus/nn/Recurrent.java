package dev.sonus.nn;

import dev.sonus.tensor.Scopes;
import dev.sonus.tensor.Tensors;
import java.util.Map;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * What {@link Lstm} and {@link Gru} share: settings, input flattening, and running by lengths.
 *
 * <p>With relative lengths each layer and direction runs on the padded batch through libtorch's
 * fused kernel: the forward direction never sees later frames, and the backward direction gets each
 * sequence reversed within its own length, so padding comes after the valid frames in both; padded
 * output frames are zeroed. The valid frames equal those of {@code pack_padded_sequence}
 * (SpeechBrain's {@code enforce_sorted=False} packing), which on CPU runs about a third slower than
 * this.
 */
abstract class Recurrent extends Module {
  private final String kind;
  final long inputSize;
  final long hiddenSize;
  final long numLayers;
  final boolean bidirectional;
  final double dropout;

  Recurrent(
      String kind,
      long inputSize,
      long hiddenSize,
      long numLayers,
      boolean bidirectional,
      double dropout) {
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

  /** The torch module that holds the parameters ({@code rnn}). */
  abstract Module impl();

  /**
   * One layer in one direction over batch-first {@code x}, with zero initial state: its output
   * sequence.
   */
  abstract Tensor runLayer(Tensor x, TensorVector params);

  /** Output features per frame: {@code hiddenSize}, doubled when bidirectional. */
  public long outputSize() {
    return bidirectional ? 2 * hiddenSize : hiddenSize;
  }

  /** Runs over every frame of {@code x}; the result is in the caller's scope. */
  public Tensor forward(Tensor x) {
    return forward(x, null);
  }

  /**
   * Runs over the first {@code round(relLengths[b] * time)} frames of each example (all frames when
   * {@code relLengths} is null); the result is in the caller's scope, {@code [B, T, outputSize]}.
   */
  public Tensor forward(Tensor x, Tensor relLengths) {
    return Scopes.freeingTemporaries(() -> apply(x, relLengths));
  }

  Tensor apply(Tensor x, Tensor relLengths) {
    Checks.rank(x, this, "[batch, time, features] or [batch, time, freq, channels]", 3, 4);
    Tensor h = x.dim() == 4 ? x.reshape(x.size(0), x.size(1), x.size(2) * x.size(3)) : x;
    Checks.lastDim(h, inputSize, this);
    if (relLengths == null) {
      return runPadded(h);
    }
    if (relLengths.dim() != 1 || relLengths.size(0) != x.size(0)) {
      throw new IllegalArgumentException(
          String.format(
              "%s: relLengths has shape %s, expected [%d] (one relative length per example in the batch).",
              this, Tensors.shapeString(relLengths), x.size(0)));
    }
    long batch = h.size(0);
    long time = h.size(1);
    long[] lengths = Lengths.frames(relLengths, time);
    long[] reverse = new long[(int) (batch * time)];
    float[] valid = new float[(int) (batch * time)];
    for (int b = 0; b < batch; b++) {
      long length = lengths[b];
      for (long t = 0; t < time; t++) {
        reverse[(int) (b * time + t)] = t < length ? length - 1 - t : t;
        valid[(int) (b * time + t)] = t < length ? 1f : 0f;
      }
    }
    Tensor reverseIndex = Tensors.fromLongs(reverse, batch, time, 1);
    Map<String, Tensor> named = namedWeights();
    Tensor in = h;
    for (int layer = 0; layer < numLayers; layer++) {
      Tensor out = runLayer(in, layerParameters(named, layer, ""));
      if (bidirectional) {
        Tensor backward =
            reverseWithin(
                runLayer(
                    reverseWithin(in, reverseIndex), layerParameters(named, layer, "_reverse")),
                reverseIndex);
        out = torch.cat(new TensorVector(out, backward), 2);
      }
      if (layer < numLayers - 1 && dropout > 0 && is_training()) {
        out = torch.dropout(out, dropout, true);
      }
      in = out;
    }
    return in.mul(Tensors.fromFloats(valid, batch, time, 1));
  }

  /** Each sequence reversed within its valid length (padding stays at the end); its own inverse. */
  private static Tensor reverseWithin(Tensor x, Tensor reverseIndex) {
    return x.gather(1, reverseIndex.expand(x.size(0), x.size(1), x.size(2)));
  }

  /** The module's parameters by name, as new handles in the caller's scope. */
  private Map<String, Tensor> namedWeights() {
    Map<String, Tensor> out = new java.util.HashMap<>();
    StringTensorDict dict = impl().named_parameters(true);
    for (long i = 0; i < dict.size(); i++) {
      // Dictionary items point into the dictionary: copy the handles out.
      out.put(dict.get(i).key().getString(), new Tensor(dict.get(i).value()));
    }
    return out;
  }

  private static TensorVector layerParameters(Map<String, Tensor> named, int layer, String suffix) {
    String l = "_l" + layer + suffix;
    return new TensorVector(
        named.get("weight_ih" + l),
        named.get("weight_hh" + l),
        named.get("bias_ih" + l),
        named.get("bias_hh" + l));
  }

  @Override
  public String toString() {
    return kind.charAt(0)
        + kind.substring(1).toLowerCase(java.util.Locale.ROOT)
        + "(in="
        + inputSize
        + ", hidden="
        + hiddenSize
        + ", layers="
        + numLayers
        + ", bidirectional="
        + bidirectional
        + ", dropout="
        + dropout
        + ")";
  }
}
