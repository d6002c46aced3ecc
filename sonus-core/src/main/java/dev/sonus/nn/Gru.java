package dev.sonus.nn;

import org.bytedeco.pytorch.GRUImpl;
import org.bytedeco.pytorch.GRUOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Multi-layer, optionally bidirectional, batch-first GRU.
 *
 * <p>Shapes: {@code [batch, time, inputSize]} or {@code [batch, time, freq, channels]} (flattened
 * to {@code freq * channels}, as SpeechBrain does) {@code -> [batch, time, hiddenSize *
 * (bidirectional ? 2 : 1)]}. Matches speechbrain.nnet.RNN.GRU with {@code re_init=False} (torch's
 * default initialisation); parameters {@code rnn.weight_ih_l0} {@code [3 * hiddenSize, inputSize]},
 * {@code rnn.weight_hh_l0}, {@code rnn.bias_ih_l0}, {@code rnn.bias_hh_l0}, with {@code _reverse}
 * twins per layer when bidirectional. With relative lengths padded frames affect neither direction,
 * as with SpeechBrain's packed sequences (but through libtorch's fused kernel, see {@code
 * Recurrent}); outputs at padded frames are zero. Only the output sequence is returned.
 */
public final class Gru extends Recurrent {
  private final GRUImpl rnn;

  /**
   * A GRU.
   *
   * @param dropout dropout between stacked layers in training mode (torch's {@code dropout})
   */
  public Gru(
      long inputSize, long hiddenSize, long numLayers, boolean bidirectional, double dropout) {
    super("GRU", inputSize, hiddenSize, numLayers, bidirectional, dropout);
    GRUOptions options = new GRUOptions(inputSize, hiddenSize);
    options.num_layers().put(numLayers);
    options.bidirectional().put(bidirectional);
    options.batch_first().put(true);
    options.bias().put(true);
    options.dropout().put(dropout);
    this.rnn = register_module("rnn", new GRUImpl(options));
  }

  // Tuple elements point into the tuple, which the caller's scope frees: copy the handles out.
  @Override
  Tensor runPadded(Tensor x) {
    return new Tensor(rnn.forward(x).get0());
  }

  @Override
  Module impl() {
    return rnn;
  }

  @Override
  Tensor runLayer(Tensor x, TensorVector params) {
    Tensor zeros = torch.zeros(1, x.size(0), hiddenSize);
    return new Tensor(torch.gru(x, zeros, params, true, 1, 0.0, is_training(), false, true).get0());
  }
}
