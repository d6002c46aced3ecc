package dev.sonus.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class NllLossTest {
  // log-probabilities [2, 3, 2]: utterance 0 has 3 valid steps, utterance 1 has 2 (rel 2/3)
  private static final float[] LP = {
    (float) Math.log(0.9), (float) Math.log(0.1),
    (float) Math.log(0.3), (float) Math.log(0.7),
    (float) Math.log(0.6), (float) Math.log(0.4),
    (float) Math.log(0.2), (float) Math.log(0.8),
    (float) Math.log(0.5), (float) Math.log(0.5),
    (float) Math.log(0.99), (float) Math.log(0.01)
  };
  private static final long[] TARGETS = {0, 1, 1, 1, 0, 1};

  private static double lp(int b, int t, int c) {
    return LP[(b * 3 + t) * 2 + c];
  }

  @Test
  void meanOverValidPositionsWithAndWithoutSmoothing() {
    // By hand: counted positions (0,0) (0,1) (0,2) (1,0) (1,1); (1,2) is padding.
    int[][] counted = {{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}};
    double nll = 0;
    double meanLp = 0;
    for (int[] p : counted) {
      nll -= lp(p[0], p[1], (int) TARGETS[p[0] * 3 + p[1]]);
      meanLp += (lp(p[0], p[1], 0) + lp(p[0], p[1], 1)) / 2;
    }
    nll /= counted.length;
    meanLp /= counted.length;
    try (PointerScope scope = new PointerScope()) {
      Tensor logProbs = Tensors.fromFloats(LP, 2, 3, 2);
      Tensor targets = Tensors.fromLongs(TARGETS, 2, 3);
      Tensor rel = Tensors.fromFloats(new float[] {1f, 2f / 3f}, 2);
      assertEquals(nll, new NllLoss().forward(logProbs, targets, rel).item_double(), 1e-6);
      double eps = 0.1;
      assertEquals(
          (1 - eps) * nll - eps * meanLp,
          new NllLoss(eps, 3, CtcLoss.Reduction.MEAN).forward(logProbs, targets, rel).item_double(),
          1e-6);
    }
  }

  @Test
  void perUtteranceAndBatchMeanReductions() {
    double u0 = -(lp(0, 0, 0) + lp(0, 1, 1) + lp(0, 2, 1)) / 3;
    double u1 = -(lp(1, 0, 1) + lp(1, 1, 0)) / 2;
    try (PointerScope scope = new PointerScope()) {
      Tensor logProbs = Tensors.fromFloats(LP, 2, 3, 2);
      Tensor targets = Tensors.fromLongs(TARGETS, 2, 3);
      Tensor rel = Tensors.fromFloats(new float[] {1f, 2f / 3f}, 2);
      float[] batch =
          Tensors.toFloats(
              new NllLoss(0, 3, CtcLoss.Reduction.BATCH).forward(logProbs, targets, rel));
      assertEquals(u0, batch[0], 1e-6);
      assertEquals(u1, batch[1], 1e-6);
      assertEquals(
          (3 * u0 + 2 * u1) / 2,
          new NllLoss(0, 3, CtcLoss.Reduction.BATCHMEAN)
              .forward(logProbs, targets, rel)
              .item_double(),
          1e-6);
    }
  }

  @Test
  void classificationTargetsAndLengthMismatch() {
    try (PointerScope scope = new PointerScope()) {
      Tensor logProbs =
          Tensors.fromFloats(new float[] {(float) Math.log(0.25), (float) Math.log(0.75)}, 1, 2);
      assertEquals(
          -Math.log(0.75),
          new NllLoss().forward(logProbs, Tensors.fromLongs(new long[] {1}, 1), null).item_double(),
          1e-6);
      Tensor seq = Tensors.fromFloats(new float[2 * 8 * 2], 2, 8, 2);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> new NllLoss().forward(seq, Tensors.fromLongs(new long[8], 2, 4), null));
      assertTrue(e.getMessage().contains("exceeds allowed_len_diff 3"), e.getMessage());
      assertThrows(
          IllegalArgumentException.class, () -> new NllLoss(1.0, 3, CtcLoss.Reduction.MEAN));
    }
  }
}
