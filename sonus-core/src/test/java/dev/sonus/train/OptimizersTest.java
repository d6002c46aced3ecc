package dev.sonus.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.tensor.Tensors;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** One-parameter updates checked against PyTorch's formulas worked out by hand. */
class OptimizersTest {

  /** A scalar parameter x = 1 with loss 0.5·x², so the gradient equals x. */
  private static Tensor param(double x) {
    return Tensors.fromFloats(new float[] {(float) x}, 1).requires_grad_(true);
  }

  private static void backward(Tensor p) {
    try (PointerScope scope = new PointerScope()) {
      p.mul(p).sum().mul(new org.bytedeco.pytorch.Scalar(0.5)).backward();
    }
  }

  private static double value(Tensor p) {
    return Tensors.toFloats(p)[0];
  }

  private static List<ParamGroup> groups(Tensor p, double wd) {
    return List.of(new ParamGroup("g", Map.of("x", p), 1.0, wd));
  }

  @Test
  void sgdWithMomentumFollowsPyTorch() {
    Tensor p = param(1.0);
    try (Optimizer opt = new Optimizers.Sgd(groups(p, 0), 0.1, 0.9, 0, false)) {
      backward(p);
      opt.step(); // buf = g = 1; x = 1 - 0.1 = 0.9
      assertEquals(0.9, value(p), 1e-6);
      opt.zeroGrad();
      backward(p);
      opt.step(); // g = 0.9; buf = 0.9·1 + 0.9 = 1.8; x = 0.9 - 0.18 = 0.72
      assertEquals(0.72, value(p), 1e-6);
    }
  }

  @Test
  void nesterovLooksAhead() {
    Tensor p = param(1.0);
    try (Optimizer opt = new Optimizers.Sgd(groups(p, 0), 0.1, 0.9, 0, true)) {
      backward(p);
      opt.step(); // buf = 1; d = g + 0.9·buf = 1.9; x = 1 - 0.19 = 0.81
      assertEquals(0.81, value(p), 1e-6);
    }
  }

  @Test
  void adamsFirstStepMovesByTheLearningRate() {
    Tensor p = param(1.0);
    try (Optimizer opt = Optimizers.Adam.adam(groups(p, 0), 0.01)) {
      backward(p);
      opt.step(); // m̂ = g, v̂ = g², step = lr·g/(|g| + eps) ≈ 0.01
      assertEquals(0.99, value(p), 1e-6);
      opt.zeroGrad();
      backward(p);
      opt.step(); // g2 = 0.99: m = 0.1·0.99 + 0.09·1... worked: m=0.189, v=0.0019801, m̂=0.99474,
      // v̂=0.990550
      double m = 0.9 * 0.1 * 1.0 + 0.1 * 0.99;
      double v = 0.999 * 0.001 * 1.0 + 0.001 * 0.99 * 0.99;
      double expected = 0.99 - 0.01 * (m / (1 - 0.81)) / (Math.sqrt(v / (1 - 0.998001)) + 1e-8);
      assertEquals(expected, value(p), 1e-6);
    }
  }

  @Test
  void adamTakesTheBetasAndEpsOfTransformerRecipes() {
    // the gradient jumps from 1 to 10 at the second step, where beta2 decides the step size
    double[] after = new double[2];
    double[] beta2 = {0.98, 0.999};
    for (int i = 0; i < 2; i++) {
      Tensor p = param(1.0);
      try (Optimizer opt = Optimizers.adam(groups(p, 0), 0.01, 0.9, beta2[i], 1e-9)) {
        backward(p);
        opt.step();
        opt.zeroGrad();
        try (var noGrad = new org.bytedeco.pytorch.NoGradGuard()) {
          p.fill_(new org.bytedeco.pytorch.Scalar(10.0));
        }
        backward(p);
        opt.step();
        after[i] = value(p);
      }
      double m = (0.9 * 0.1 + 0.1 * 10) / (1 - 0.81);
      double v = (beta2[i] * (1 - beta2[i]) + (1 - beta2[i]) * 100) / (1 - beta2[i] * beta2[i]);
      assertEquals(10 - 0.01 * m / (Math.sqrt(v) + 1e-9), after[i], 1e-5);
    }
    assertTrue(Math.abs(after[0] - after[1]) > 2e-5, after[0] + " vs " + after[1]);
  }

  @Test
  void adamWDecaysTheWeightsSeparatelyFromTheGradient() {
    Tensor p = param(1.0);
    try (Optimizer opt = Optimizers.Adam.adamW(groups(p, 0.1), 0.01)) {
      backward(p);
      opt.step(); // x = 1·(1 - 0.01·0.1) = 0.999, then - 0.01 → 0.989
      assertEquals(0.989, value(p), 1e-6);
    }
    Tensor q = param(1.0);
    try (Optimizer opt = Optimizers.Adam.adam(groups(q, 0.1), 0.01)) {
      backward(q);
      opt.step(); // coupled: g = 1 + 0.1 = 1.1, still a step of lr
      assertEquals(0.99, value(q), 1e-6);
    }
  }

  @Test
  void adadeltaFollowsPyTorch() {
    Tensor p = param(1.0);
    try (Optimizer opt = new Optimizers.Adadelta(groups(p, 0), 1.0, 0.9, 1e-6)) {
      backward(p);
      opt.step();
      double sq = 0.1;
      double delta = Math.sqrt(1e-6) / Math.sqrt(sq + 1e-6);
      assertEquals(1 - delta, value(p), 1e-6);
    }
  }

  @Test
  void stateRoundTripContinuesIdentically() {
    Tensor a = param(1.0);
    Tensor b = param(1.0);
    try (Optimizer first = Optimizers.Adam.adam(groups(a, 0), 0.01);
        Optimizer second = Optimizers.Adam.adam(groups(b, 0), 0.01)) {
      backward(a);
      first.step();
      first.zeroGrad();
      b.detach().copy_(a.detach());
      second.loadState(first.stateTensors(), first.steps(), first.lr());
      backward(a);
      first.step();
      backward(b);
      second.step();
      assertEquals(value(a), value(b), 0.0);
      assertEquals(2, second.steps());
    }
  }

  @Test
  void biasesAndNormsAreExcludedFromWeightDecay() {
    Module m = new Module("m");
    m.register_module("enc", new LinearImpl(2, 2));
    m.register_module("norm", new LinearImpl(2, 2));
    List<ParamGroup> groups =
        ParamGroups.withDecayExclusions(m, 0.01, ParamGroups.BIASES_AND_NORMS);
    assertEquals(List.of("enc.weight"), groups.get(0).names());
    assertEquals(List.of("enc.bias", "norm.bias", "norm.weight"), groups.get(1).names());
    assertEquals(0.0, groups.get(1).weightDecay());
  }

  @Test
  void badSettingsAreRejectedWithTheValue() {
    Tensor p = param(1.0);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Optimizers.Adam(groups(p, 0), 0.01, 1.0, 0.999, 1e-8, false));
    assertTrue(e.getMessage().contains("(1.0, 0.999)"), e.getMessage());
    IllegalArgumentException lr =
        assertThrows(
            IllegalArgumentException.class, () -> Optimizers.Adam.adam(groups(p, 0), Double.NaN));
    assertTrue(lr.getMessage().contains("NaN"), lr.getMessage());
  }
}
