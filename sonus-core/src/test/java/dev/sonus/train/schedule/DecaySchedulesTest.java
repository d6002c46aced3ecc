package dev.sonus.train.schedule;

import static dev.sonus.train.schedule.Approx.lr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Cosine, tri-stage and step decay, values computed by hand. */
class DecaySchedulesTest {

  @Test
  void cosineWarmsUpThenFollowsAHalfCosine() {
    // peak 1e-3, W = 10, T = 110: progress = (step - 10) / 100.
    CosineSchedule s = new CosineSchedule(1e-3, 10, 110);
    lr(0, s, 0);
    lr(5e-4, s, 5); // 1e-3 * 5/10
    lr(1e-3, s, 10);
    lr(1e-3 * 0.8535533905932737, s, 35); // (1 + cos(pi/4)) / 2 = 0.85355339...
    lr(5e-4, s, 60); // (1 + cos(pi/2)) / 2 = 0.5
    lr(0, s, 110);
    assertEquals(10, s.warmupSteps());
  }

  @Test
  void cosineStaysAtItsEndValueAfterTotalSteps() {
    // Hugging Face would continue the cosine here (back up); this schedule holds min_lr.
    CosineSchedule s = new CosineSchedule(new CosineSchedule.Options(1e-3, 10, 110L, 1e-5, 0.5, 0));
    lr(1e-5, s, 110);
    lr(1e-5, s, 160);
    lr(1e-5, s, 1_000_000);
  }

  @Test
  void cosineDecaysToMinLr() {
    CosineSchedule s = new CosineSchedule(new CosineSchedule.Options(1e-3, 10, 110L, 1e-4, 0.5, 0));
    lr(5.5e-4, s, 60); // 1e-4 + 9e-4 * 0.5
    lr(1e-4, s, 110);
  }

  @Test
  void cosineWithOneAndAHalfCyclesGoesDownUpDown() {
    // W = 0, T = 120, c = 1.5: cos(3 pi progress) is -1, 1, -1 at progress 1/3, 2/3, 1.
    CosineSchedule s = new CosineSchedule(new CosineSchedule.Options(1.0, 0, 120L, 0, 1.5, 0));
    lr(1.0, s, 0);
    lr(0.0, s, 40);
    lr(1.0, s, 80);
    lr(0.0, s, 120);
  }

  @Test
  void cosineNeedsTotalSteps() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new CosineSchedule(new CosineSchedule.Options(1e-3, 10, null, 0, 0.5, 0)));
    assertEquals("total_steps is not set; give it, e.g. total_steps: 100000", e.getMessage());
  }

  @Test
  void cosineRejectsMinAbovePeak() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new CosineSchedule.Options(1e-3, 10, 100L, 1e-2, 0.5, 0));
    assertEquals(
        "min_lr is 0.01 but peak_lr is 0.001; min_lr must not exceed peak_lr", e.getMessage());
  }

  @Test
  void triStageMatchesFairseqStagesAndSpeechBrainDocstring() {
    // peak 1, W = H = D = 2, init 0.01, final 0.05. SpeechBrain's TriStageLRSchedule docstring
    // gives the same
    // 0.505, 1, 1, 1.0, 0.2236..., 0.05 at steps 1..6.
    TriStageSchedule s =
        new TriStageSchedule(new TriStageSchedule.Options(1.0, 2L, 2L, 2L, 0.01, 0.05, null, null));
    lr(0.01, s, 0); // init = 0.01 * 1
    lr(0.505, s, 1); // 0.01 + (1 - 0.01) / 2
    lr(1.0, s, 2); // hold
    lr(1.0, s, 3);
    lr(1.0, s, 4); // decay, 0 steps in
    lr(0.223606797749979, s, 5); // exp(ln(0.05) / 2) = sqrt(0.05)
    lr(0.05, s, 6); // exp(ln(0.05)): end of the decay
    lr(0.05, s, 7); // final = 0.05 * 1 (SpeechBrain would keep decaying)
    lr(0.05, s, 1000);
  }

  @Test
  void triStageFromPhaseRatios() {
    TriStageSchedule s =
        new TriStageSchedule(
            new TriStageSchedule.Options(
                5e-5, null, null, null, 0.01, 0.01, List.of(0.1, 0.4, 0.5), 1000L));
    assertEquals(100, s.warmupSteps());
    assertEquals(400, s.holdSteps());
    assertEquals(500, s.decaySteps());
    lr(5e-7, s, 0);
    lr(5e-5, s, 100);
    lr(5e-5, s, 499);
    lr(5e-7, s, 1000);
  }

  @Test
  void triStagePhaseRatiosTruncateAsFairseq() {
    // Python: 100 * 0.29 = 28.999999999999996 -> int() = 28.
    TriStageSchedule s =
        new TriStageSchedule(
            new TriStageSchedule.Options(
                1e-3, null, null, null, 0.01, 0.01, List.of(0.29, 0.21, 0.5), 100L));
    assertEquals(28, s.warmupSteps());
    assertEquals(21, s.holdSteps());
    assertEquals(50, s.decaySteps());
  }

  @Test
  void triStageRejectsRatiosNotSummingToOne() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new TriStageSchedule.Options(
                    1e-3, null, null, null, 0.01, 0.01, List.of(0.1, 0.4, 0.4), 1000L));
    assertTrue(
        e.getMessage().startsWith("phase_ratio is [0.1, 0.4, 0.4], which sums to 0.9"),
        e.getMessage());
  }

  @Test
  void triStageRejectsRatiosAndStepsTogether() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new TriStageSchedule.Options(
                    1e-3, 10L, null, null, 0.01, 0.01, List.of(0.1, 0.4, 0.5), 1000L));
    assertTrue(
        e.getMessage().contains("give either phase_ratio with max_update, or warmup_steps"),
        e.getMessage());
  }

  @Test
  void triStageNeedsDecaySteps() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new TriStageSchedule(
                    new TriStageSchedule.Options(1e-3, 100L, 100L, null, 0.01, 0.01, null, null)));
    assertEquals("decay_steps is not set; give it, e.g. decay_steps: 60000", e.getMessage());
  }

  @Test
  void stepDecayEveryStepSize() {
    // 0.1 halved every 10 steps.
    StepDecaySchedule s = new StepDecaySchedule(0.1, 0.5, 10);
    lr(0.1, s, 0);
    lr(0.1, s, 9);
    lr(0.05, s, 10);
    lr(0.025, s, 25);
  }

  @Test
  void stepDecayAtMilestones() {
    StepDecaySchedule s = new StepDecaySchedule(0.1, 0.1, List.of(10L, 30L));
    lr(0.1, s, 9);
    lr(0.01, s, 10); // one milestone <= 10
    lr(0.01, s, 29);
    lr(0.001, s, 30);
    lr(0.001, s, 1_000_000);
  }

  @Test
  void stepDecayNeedsStepSizeOrMilestones() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new StepDecaySchedule(new StepDecaySchedule.Options(0.1, 0.1, null, null)));
    assertTrue(
        e.getMessage().startsWith("neither step_size nor milestones is set"), e.getMessage());
  }

  @Test
  void stepDecayRejectsUnsortedMilestones() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new StepDecaySchedule(0.1, 0.1, List.of(30L, 10L)));
    assertEquals(
        "milestones is [30, 10]; they must be steps >= 1 in strictly increasing order",
        e.getMessage());
  }

  @Test
  void stepDecayRejectsGammaAboveOne() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new StepDecaySchedule(0.1, 2.0, 10));
    assertTrue(e.getMessage().startsWith("gamma is 2.0; it must be in (0, 1]"), e.getMessage());
  }
}
