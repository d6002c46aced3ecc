package dev.sonus.models.transformer;

import dev.sonus.nn.Activation;
import dev.sonus.nn.MultiheadAttention;
import dev.sonus.nn.RelPosMhaXl;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LayerNormOptions;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Small pieces the Transformer-family layers share. */
final class Layers {
  private Layers() {}

  /** {@code torch.nn.LayerNorm(size)} (parameters {@code weight}, {@code bias}, eps 1e-5). */
  static LayerNormImpl torchLayerNorm(long size) {
    LayerNormOptions options = new LayerNormOptions(new LongVector(new long[] {size}));
    options.eps().put(1e-5);
    options.elementwise_affine().put(true);
    return new LayerNormImpl(options);
  }

  /** The self-attention SpeechBrain's {@code attention_type} names. */
  static Module attention(
      AttentionType type, long nhead, long dModel, double dropout, boolean maskPosFuture) {
    return switch (type) {
      case REGULAR_MHA -> new MultiheadAttention(nhead, dModel, dropout);
      case REL_POS_MHA_XL -> new RelPosMhaXl(dModel, nhead, dropout, maskPosFuture);
    };
  }

  static Tensor dropout(Tensor x, double p, Module owner) {
    return torch.dropout(x, p, owner.is_training());
  }

  /** SpeechBrain's {@code _init_params}: Xavier-normal for every parameter of 2 or more axes. */
  static void xavierNormalMatrices(Module module) {
    try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope();
        org.bytedeco.pytorch.NoGradGuard noGrad = new org.bytedeco.pytorch.NoGradGuard()) {
      var params = module.named_parameters(true);
      for (long i = 0; i < params.size(); i++) {
        // our own handle: the dictionary's point into it (docs/native-pitfalls.md)
        Tensor p = new Tensor(params.get(i).value());
        if (p.dim() > 1) {
          torch.xavier_normal_(p);
        }
      }
    }
  }

  static Activation checked(Activation a, String name) {
    if (a == null) {
      throw new IllegalArgumentException(
          name + " is null; expected one of " + java.util.Arrays.toString(Activation.values()));
    }
    return a;
  }
}
