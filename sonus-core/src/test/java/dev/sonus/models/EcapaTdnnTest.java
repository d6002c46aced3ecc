package dev.sonus.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.nn.Activation;
import dev.sonus.tensor.Tensors;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * ECAPA-TDNN behaviour on inputs made here; parity with SpeechBrain is {@link EcapaTdnnParityTest}.
 */
class EcapaTdnnTest {
  /**
   * A small ECAPA (channels [64, 64, 64, 64, 192], 32-d embeddings), fast enough for unit tests.
   */
  static EcapaTdnn.Options small() {
    return new EcapaTdnn.Options(
        40,
        32,
        Activation.RELU,
        List.of(64L, 64L, 64L, 64L, 192L),
        List.of(5L, 3L, 3L, 3L, 1L),
        List.of(1L, 2L, 3L, 4L, 1L),
        128,
        8,
        128,
        true,
        List.of(1L, 1L, 1L, 1L, 1L));
  }

  private static double maxDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst;
  }

  @Test
  void independentModeGivesEachUtteranceItsEmbeddingAlone() {
    org.bytedeco.pytorch.global.torch.manual_seed(3);
    EcapaTdnn model = new EcapaTdnn(small());
    model.eval();
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard()) {
      Tensor shortOne = org.bytedeco.pytorch.global.torch.randn(1, 41, 40);
      Tensor longOne = org.bytedeco.pytorch.global.torch.randn(1, 77, 40);
      Tensor padded =
          org.bytedeco.pytorch.global.torch.cat(
              new org.bytedeco.pytorch.TensorVector(
                  org.bytedeco.pytorch.global.torch.constant_pad_nd(
                      shortOne, new long[] {0, 0, 0, 36}),
                  longOne),
              0);
      Tensor rel = Tensors.fromFloats(new float[] {41f / 77f, 1f}, 2);
      float[] alone =
          Tensors.toFloats(model.forward(shortOne, Tensors.fromFloats(new float[] {1f}, 1)));
      float[] batch = Tensors.toFloats(model.forwardIndependent(padded, rel).select(0, 0));
      double worst = maxDiff(alone, batch);
      assertTrue(worst < 1e-4, "independent mode differs from the utterance alone by " + worst);
      // SpeechBrain's behaviour: the padding reaches the embedding through the convolutions.
      float[] speechBrain = Tensors.toFloats(model.forward(padded, rel).select(0, 0));
      assertTrue(
          maxDiff(alone, speechBrain) > 1e-3,
          "expected SpeechBrain's mode to depend on the padding");
    }
  }
}
