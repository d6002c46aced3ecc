package dev.sonus.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Parameter-free activations, as the {@code activation} classes SpeechBrain's models take ({@code
 * torch.nn.LeakyReLU}, {@code torch.nn.ReLU}, ...). They own no state, so they add no state-dict
 * keys.
 */
public enum Activation {
  /** {@code torch.nn.LeakyReLU()} with its default negative slope 0.01. */
  LEAKY_RELU,
  /** {@code torch.nn.ReLU()}. */
  RELU,
  /** {@code torch.nn.Tanh()}. */
  TANH,
  /** {@code torch.nn.GELU()} (exact, not the tanh approximation). */
  GELU,
  /** {@code torch.nn.Identity()}. */
  IDENTITY,
  /** {@code speechbrain.nnet.activations.Swish()}: {@code x · sigmoid(x)} (SiLU). */
  SWISH;

  /** Applies the activation; the result belongs to the caller's scope. Any shape. */
  public Tensor apply(Tensor x) {
    switch (this) {
      case LEAKY_RELU:
        return torch.leaky_relu(x);
      case RELU:
        return x.relu();
      case TANH:
        return x.tanh();
      case GELU:
        return torch.gelu(x);
      case SWISH:
        return torch.silu(x);
      case IDENTITY:
      default:
        return x.alias();
    }
  }
}
