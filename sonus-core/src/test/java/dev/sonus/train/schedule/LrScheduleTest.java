package dev.sonus.train.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;

/** The interface's shared behaviour: evaluation over a range, step checks, use as a function. */
class LrScheduleTest {

  @Test
  void evaluateGivesStepsZeroToNInclusive() {
    double[] values = new LinearWarmupSchedule(1.0, 4, 8).evaluate(8);
    assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75, 1.0, 0.75, 0.5, 0.25, 0}, values, 1e-15);
  }

  @Test
  void evaluateRejectsNegativeEnd() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new ConstantSchedule(1).evaluate(-1));
    assertTrue(
        e.getMessage().startsWith("lastStep is -1; it must be in 0..10000000"), e.getMessage());
  }

  @Test
  void everyScheduleRejectsANegativeStep() {
    List<LrSchedule> all =
        List.of(
            new ConstantSchedule(1),
            new LinearWarmupSchedule(1, 10, 20),
            new InverseSqrtSchedule(1, 10),
            new NoamScheduler(1, 10),
            new TwoPhaseWarmupSchedule(5, 0.1, 5, 1),
            new ExponentialWarmupSchedule(0.01, 1, 10),
            new PowerWarmupSchedule(1, 10, 2),
            new CosineSchedule(1, 10, 20),
            new TriStageSchedule(1, 1, 1, 1),
            new StepDecaySchedule(1, 0.5, 10));
    for (LrSchedule s : all) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> s.lr(-1), s.toString());
      assertEquals(
          "step is -1; steps count the optimiser updates already taken, from 0", e.getMessage());
    }
  }

  @Test
  void scheduleIsALongToDoubleFunctionForBrain() {
    LongToDoubleFunction f = new InverseSqrtSchedule(2e-3, 4);
    assertEquals(1e-3, f.applyAsDouble(2), 1e-18);
  }

  @Test
  void toStringUsesRecipeNamesAndShortNumbers() {
    assertEquals(
        "CosineSchedule(peak_lr=0.001, warmup_steps=100, total_steps=1000, min_lr=1e-5)",
        new CosineSchedule(new CosineSchedule.Options(1e-3, 100, 1000L, 1e-5, 0.5, 0)).toString());
    assertEquals(
        "PowerWarmupSchedule(peak_lr=2.5e-4, warmup_steps=10, power=2, decay=linear, total_steps=100, "
            + "final_lr=0)",
        new PowerWarmupSchedule(
                new PowerWarmupSchedule.Options(2.5e-4, 10L, 2, 0, Decay.LINEAR, 100L, 0))
            .toString());
    assertEquals(
        "StepDecaySchedule(initial_lr=0.1, gamma=0.1, milestones=[10, 20])",
        new StepDecaySchedule(0.1, 0.1, List.of(10L, 20L)).toString());
  }

  @Test
  void warmupEndsAreReported() {
    assertEquals(20, new TwoPhaseWarmupSchedule(5, 0.1, 15, 1).warmupSteps());
    assertEquals(0, new StepDecaySchedule(1, 0.5, 10).warmupSteps());
    assertEquals(7, new TriStageSchedule(1, 7, 1, 1).warmupSteps());
  }
}
