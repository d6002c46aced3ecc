package dev.sonus.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.models.CosineClassifier;
import dev.sonus.tensor.StateDict;
import dev.sonus.tensor.Tensors;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class AamSoftmaxTest {
  private static final float[] COS = {0.8f, -0.6f, -0.5f, 0.7f, 0.3f, 0.1f, -0.95f, 0.2f};
  private static final long[] TARGETS = {0, 1, 0, 0};

  /** SpeechBrain's AdditiveAngularMargin + LogSoftmaxWrapper, computed by hand. */
  private static double expected(double m, double s) {
    double total = 0;
    for (int b = 0; b < 4; b++) {
      double[] logits = new double[2];
      for (int c = 0; c < 2; c++) {
        double cos = Math.min(Math.max(COS[2 * b + c], -1 + 1e-7), 1 - 1e-7);
        double v = cos;
        if (c == TARGETS[b]) {
          double phi = cos * Math.cos(m) - Math.sqrt(1 - cos * cos) * Math.sin(m);
          v = cos > Math.cos(Math.PI - m) ? phi : cos - Math.sin(Math.PI - m) * m;
        }
        logits[c] = s * v;
      }
      double lse = Math.log(Math.exp(logits[0]) + Math.exp(logits[1]));
      total += lse - logits[(int) TARGETS[b]];
    }
    return total / 4;
  }

  @Test
  void lossEqualsSpeechBrainsFormula() {
    try (PointerScope scope = new PointerScope()) {
      Tensor cos = Tensors.fromFloats(COS, 4, 1, 2);
      Tensor targets = Tensors.fromLongs(TARGETS, 4, 1);
      assertEquals(
          expected(0.2, 30), new AamSoftmax(0.2, 30).forward(cos, targets).item_double(), 1e-4);
      // margin 0, scale 1: plain softmax cross-entropy on the cosines
      assertEquals(expected(0, 1), new AamSoftmax(0, 1).forward(cos, targets).item_double(), 1e-6);
      // the margin makes the loss larger than without it
      assertTrue(expected(0.2, 30) > expected(0, 30));
    }
  }

  @Test
  void badSettingsAndShapesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new AamSoftmax(-0.1, 30));
    assertThrows(IllegalArgumentException.class, () -> new AamSoftmax(0.2, 0));
    try (PointerScope scope = new PointerScope()) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  new AamSoftmax(0.2, 30)
                      .forward(Tensors.fromFloats(COS, 8), Tensors.fromLongs(TARGETS, 4)));
      assertTrue(e.getMessage().contains("cosines [B, C]"), e.getMessage());
    }
  }

  @Test
  void cosineClassifierHasSpeechBrainNamesAndGivesCosines() {
    CosineClassifier plain = new CosineClassifier(4, 3);
    assertEquals(List.of("weight"), List.copyOf(StateDict.of(plain).keySet()));
    CosineClassifier deep = new CosineClassifier(4, 1, 6, 3);
    assertEquals(
        List.of(
            "weight",
            "blocks.0.norm.weight",
            "blocks.0.norm.bias",
            "blocks.0.norm.running_mean",
            "blocks.0.norm.running_var",
            "blocks.0.norm.num_batches_tracked",
            "blocks.1.w.weight",
            "blocks.1.w.bias"),
        List.copyOf(StateDict.of(deep).keySet()));
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard()) {
      float[] rows = {1, 0, 0, 0, 0, 2, 0, 0, 0, 0, -3, 0};
      StateDict.load(plain, Map.of("weight", Tensors.fromFloats(rows, 3, 4)), true, "test");
      Tensor out = plain.forward(Tensors.fromFloats(new float[] {0, 5, 0, 0}, 1, 1, 4));
      assertArrayEquals(new long[] {1, 1, 3}, Tensors.shape(out));
      assertArrayEquals(new float[] {0, 1, 0}, Tensors.toFloats(out), 1e-6f);
    }
  }
}
