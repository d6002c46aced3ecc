package dev.sonus.losses;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** CTC loss on inputs made here; parity with SpeechBrain and torch is {@link CtcLossParityTest}. */
class CtcLossTest {

  @Test
  void aBlankOutsideTheClassesIsReported() {
    try (PointerScope scope = new PointerScope()) {
      Tensor lp = Tensors.fromFloats(new float[2 * 3 * 4], 2, 3, 4);
      Tensor t = Tensors.fromLongs(new long[] {1, 2}, 2, 1);
      Tensor rel = Tensors.fromFloats(new float[] {1, 1}, 2);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> new CtcLoss(7, CtcLoss.Reduction.MEAN).forward(lp, t, rel, rel));
      assertTrue(
          e.getMessage().contains("blank_index 7") && e.getMessage().contains("4 output classes"),
          e.getMessage());
    }
  }
}
