package dev.sonus.train.schedule;

import static dev.sonus.train.schedule.Approx.lr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Constant, linear, inverse-sqrt, Noam, two-phase, exponential and power warm-ups, values computed
 * by hand.
 */
class WarmupSchedulesTest {

  @Test
  void constantIsTheSameAtEveryStep() {
    ConstantSchedule s = new ConstantSchedule(0.001);
    lr(0.001, s, 0);
    lr(0.001, s, 1_000_000_000L);
    assertEquals(0, s.warmupSteps());
  }

  @Test
  void constantRejectsNegativeRate() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new ConstantSchedule(-0.1));
    assertEquals("lr is -0.1; it must be a finite learning rate >= 0", e.getMessage());
  }

  @Test
  void linearWarmupThenLinearDecayToZero() {
    // peak 1e-3, W = 10, T = 110: warm-up 1e-4 per step, then down 1e-5 per step.
    LinearWarmupSchedule s = new LinearWarmupSchedule(1e-3, 10, 110);
    lr(0, s, 0);
    lr(5e-4, s, 5); // 1e-3 * 5/10
    lr(1e-3, s, 10); // peak
    lr(5e-4, s, 60); // 1e-3 * (110-60)/(110-10)
    lr(1e-5, s, 109); // 1e-3 * 1/100
    lr(0, s, 110);
    lr(0, s, 5000);
    assertEquals(10, s.warmupSteps());
  }

  @Test
  void linearWarmupMatchesSpeechBrainLinearWarmupSchedulerDocstring() {
    // speechbrain LinearWarmupScheduler(1.0, 2, 4).get_next_value() x5: 0.0, 0.5, 1.0, 0.5, 0.0
    LinearWarmupSchedule s = new LinearWarmupSchedule(1.0, 2, 4);
    double[] expected = {0.0, 0.5, 1.0, 0.5, 0.0};
    for (int i = 0; i < expected.length; i++) {
      lr(expected[i], s, i);
    }
  }

  @Test
  void linearWarmupDecaysToFinalLrAndStartsFromStartLr() {
    LinearWarmupSchedule s =
        new LinearWarmupSchedule(new LinearWarmupSchedule.Options(1e-3, 10L, 110L, 1e-4, 1e-4));
    lr(1e-4, s, 0);
    lr(5.5e-4, s, 5); // 1e-4 + 9e-4 * 5/10
    lr(5.5e-4, s, 60); // 1e-4 + 9e-4 * 50/100
    lr(1e-4, s, 110);
    lr(1e-4, s, 10_000);
  }

  @Test
  void linearWarmupWithoutTotalStepsHoldsThePeak() {
    LinearWarmupSchedule s = new LinearWarmupSchedule(2e-3, 4);
    lr(1e-3, s, 2);
    lr(2e-3, s, 4);
    lr(2e-3, s, 1_000_000);
  }

  @Test
  void linearWarmupOfZeroStepsStartsAtThePeak() {
    // Hugging Face with num_warmup_steps = 0: (T - 0) / T = 1 at step 0.
    LinearWarmupSchedule s = new LinearWarmupSchedule(1e-3, 0, 100);
    lr(1e-3, s, 0);
    lr(5e-4, s, 50);
  }

  @Test
  void linearWarmupRejectsTotalNotAfterWarmup() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new LinearWarmupSchedule(1e-3, 100, 100));
    assertTrue(
        e.getMessage()
            .startsWith("total_steps is 100 but warmup_steps is 100; total_steps must be greater"),
        e.getMessage());
  }

  @Test
  void linearWarmupRejectsNegativeWarmup() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new LinearWarmupSchedule(1e-3, -5, 100));
    assertEquals("warmup_steps is -5; it must be >= 0", e.getMessage());
  }

  @Test
  void missingPeakIsNamedWithAnExample() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new LinearWarmupSchedule(LinearWarmupSchedule.Options.defaults()));
    assertEquals("peak_lr is not set; give it, e.g. peak_lr: 0.001", e.getMessage());
  }

  @Test
  void inverseSqrtWarmsUpThenDecaysAsOneOverSqrtStep() {
    // peak 2e-3, W = 4: up 5e-4 per step, then 2e-3 * sqrt(4 / step).
    InverseSqrtSchedule s = new InverseSqrtSchedule(2e-3, 4);
    lr(0, s, 0);
    lr(5e-4, s, 1);
    lr(1e-3, s, 2);
    lr(2e-3, s, 4);
    lr(1e-3, s, 16); // 2e-3 * sqrt(4/16) = 2e-3 / 2
    lr(5e-4, s, 64); // 2e-3 * sqrt(4/64) = 2e-3 / 4
  }

  @Test
  void inverseSqrtWarmsUpFromStartLrAsFairseqWarmupInitLr() {
    InverseSqrtSchedule s =
        new InverseSqrtSchedule(new InverseSqrtSchedule.Options(2e-3, 4L, 1e-3));
    lr(1e-3, s, 0);
    lr(1.5e-3, s, 2); // 1e-3 + (2e-3 - 1e-3) * 2/4
    lr(2e-3, s, 4);
  }

  @Test
  void inverseSqrtNeedsAWarmup() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new InverseSqrtSchedule(1e-3, 0));
    assertEquals("warmup_steps is 0; it must be >= 1", e.getMessage());
  }

  @Test
  void noamMatchesSpeechBrainDocstring() {
    // speechbrain NoamScheduler(lr_initial=1, n_warmup_steps=3): after 1, 2, 3 calls the
    // optimiser's lr is
    // 0.3333333333333333, 0.6666666666666666, 0.9999999999999999 (sqrt(3) * min(n^-0.5, n *
    // 3^-1.5)).
    NoamScheduler s = new NoamScheduler(1.0, 3);
    assertEquals(0.3333333333333333, s.lr(1), 1e-16);
    assertEquals(0.6666666666666666, s.lr(2), 1e-16);
    assertEquals(0.9999999999999999, s.lr(3), 2e-16);
    assertEquals(0.0, s.lr(0));
  }

  @Test
  void noamWithModelSizeScalesByItsInverseSqrt() {
    // lr_initial 2, w 4, d 16: normalize = 16^-0.5 = 0.25.
    NoamScheduler s = new NoamScheduler(2.0, 4, 16);
    lr(0.0625, s, 1); // 2 * 0.25 * min(1, 1 * 4^-1.5 = 1/8)
    lr(0.25, s, 4); // 2 * 0.25 * min(1/2, 4/8): the peak, 2 / sqrt(16 * 4)
    lr(0.125, s, 16); // 2 * 0.25 * min(1/4, 16/8)
    lr(0.25, s, 4);
    assertEquals(0.25, s.peakLr(), 1e-15);
  }

  @Test
  void noamWithoutModelSizeEqualsInverseSqrtWithThatPeak() {
    double[] noam = new NoamScheduler(5e-4, 250).evaluate(3000);
    double[] inv = new InverseSqrtSchedule(5e-4, 250).evaluate(3000);
    for (int i = 0; i < noam.length; i++) {
      assertEquals(inv[i], noam[i], 1e-15, "step " + i);
    }
  }

  @Test
  void twoPhaseWarmupThenInverseSqrt() {
    // W1 = 10 to 1e-4, W2 = 10 to 1e-3; W = 20.
    TwoPhaseWarmupSchedule s = new TwoPhaseWarmupSchedule(10, 1e-4, 10, 1e-3);
    lr(0, s, 0);
    lr(5e-5, s, 5); // 1e-4 * 5/10
    lr(1e-4, s, 10);
    lr(5.5e-4, s, 15); // 1e-4 + 9e-4 * 5/10
    lr(1e-3, s, 20);
    lr(5e-4, s, 80); // 1e-3 * sqrt(20/80)
    assertEquals(20, s.warmupSteps());
  }

  @Test
  void twoPhaseWarmupWithLinearDecay() {
    TwoPhaseWarmupSchedule s =
        new TwoPhaseWarmupSchedule(
            new TwoPhaseWarmupSchedule.Options(10L, 1e-4, 10L, 1e-3, 0, Decay.LINEAR, 120L, 0));
    lr(1e-3, s, 20);
    lr(5e-4, s, 70); // 1e-3 * (120-70)/(120-20)
    lr(0, s, 120);
  }

  @Test
  void twoPhaseRejectsFirstPhaseAbovePeak() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new TwoPhaseWarmupSchedule(10, 1e-2, 10, 1e-3));
    assertEquals(
        "first_warmup_lr is 0.01 but peak_lr is 0.001; first_warmup_lr must not exceed peak_lr",
        e.getMessage());
  }

  @Test
  void twoPhaseLinearDecayNeedsTotalSteps() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new TwoPhaseWarmupSchedule.Options(10L, 1e-4, 10L, 1e-3, 0, Decay.LINEAR, null, 0));
    assertTrue(
        e.getMessage().startsWith("total_steps is not set but decay is linear"), e.getMessage());
  }

  @Test
  void exponentialWarmupIsGeometric() {
    // 1e-6 to 1e-2 over 4 steps: x10 per step.
    ExponentialWarmupSchedule s = new ExponentialWarmupSchedule(1e-6, 1e-2, 4);
    lr(1e-6, s, 0);
    lr(1e-5, s, 1); // 1e-6 * (1e4)^(1/4)
    lr(1e-4, s, 2);
    lr(1e-3, s, 3);
    lr(1e-2, s, 4);
    lr(1e-2, s, 1000); // hold
  }

  @Test
  void exponentialWarmupThenCosine() {
    ExponentialWarmupSchedule s =
        new ExponentialWarmupSchedule(
            new ExponentialWarmupSchedule.Options(1e-6, 1e-2, 4L, Decay.COSINE, 14L, 0));
    lr(5e-3, s, 9); // half-way through the cosine from 4 to 14: 1e-2 * (1 + cos(pi/2)) / 2
    lr(0, s, 14);
    lr(0, s, 100);
  }

  @Test
  void exponentialWarmupNeedsAPositiveStart() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new ExponentialWarmupSchedule(0, 1e-3, 10));
    assertEquals("start_lr is 0.0; it must be a finite learning rate > 0", e.getMessage());
  }

  @Test
  void powerWarmupFollowsThePowerCurve() {
    PowerWarmupSchedule quadratic = new PowerWarmupSchedule(1e-3, 10, 2.0);
    lr(0, quadratic, 0);
    lr(1e-5, quadratic, 1); // 1e-3 * 0.1^2
    lr(2.5e-4, quadratic, 5); // 1e-3 * 0.5^2
    lr(1e-3, quadratic, 10);
    lr(1e-3, quadratic, 99);
    PowerWarmupSchedule root = new PowerWarmupSchedule(1e-3, 10, 0.5);
    lr(1e-3 * Math.sqrt(0.1), root, 1);
    lr(2e-3 / Math.sqrt(10), root, 4); // 1e-3 * sqrt(0.4) = 1e-3 * 2 / sqrt(10)
  }

  @Test
  void powerAboveOneStaysBelowLinearAndExponentialBelowPower() {
    LrSchedule linear = new LinearWarmupSchedule(1e-3, 1000);
    LrSchedule power = new PowerWarmupSchedule(1e-3, 1000, 2.0);
    LrSchedule exponential = new ExponentialWarmupSchedule(1e-7, 1e-3, 1000);
    for (int step = 100; step < 1000; step += 100) {
      assertTrue(power.lr(step) < linear.lr(step), "step " + step);
      assertTrue(exponential.lr(step) < power.lr(step), "step " + step);
    }
  }

  @Test
  void powerRejectsNonPositivePower() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new PowerWarmupSchedule(1e-3, 10, 0));
    assertTrue(
        e.getMessage().startsWith("power is 0.0; it must be a finite number > 0"), e.getMessage());
  }

  @Test
  void holdDecayRejectsTotalSteps() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new PowerWarmupSchedule.Options(1e-3, 10L, 2.0, 0, Decay.NONE, 100L, 0));
    assertTrue(
        e.getMessage().startsWith("total_steps is 100 but decay is none, which does not use it"),
        e.getMessage());
  }
}
