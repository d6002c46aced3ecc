package dev.sonus.experiments.testing;

import dev.sonus.models.Encoder;
import dev.sonus.tensor.Scopes;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A user's own encoder, as a recipe would name it by its full class name: two linear layers applied
 * to every frame on its own (so each utterance's output cannot depend on the padding). It exists to
 * show that a new encoder plugs into {@code CtcAsr} by YAML alone.
 */
public final class FrameMlpEncoder extends Module implements Encoder {
  private final long inputSize;
  private final long hidden;
  private final LinearImpl first;
  private final LinearImpl second;

  /** {@code input_size} features per frame to {@code hidden} values per frame. */
  public FrameMlpEncoder(long inputSize, long hidden) {
    super("FrameMlpEncoder");
    this.inputSize = inputSize;
    this.hidden = hidden;
    this.first = register_module("first", new LinearImpl(inputSize, hidden));
    this.second = register_module("second", new LinearImpl(hidden, hidden));
  }

  @Override
  public long inputSize() {
    return inputSize;
  }

  @Override
  public long outputSize() {
    return hidden;
  }

  @Override
  public Output encode(Tensor features, Tensor relLengths) {
    Tensor out =
        Scopes.freeingTemporaries(
            () -> torch.tanh(second.forward(torch.tanh(first.forward(features)))));
    return new Output(out, relLengths);
  }
}
