package dev.sonus.train.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.util.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NewBobSchedulerTest {

  private static NewBobScheduler newBob(double factor, double threshold, int patient) {
    return new NewBobScheduler(new NewBobScheduler.Options(1.0, factor, threshold, patient));
  }

  @Test
  void matchesSpeechBrainDocstring() {
    // NewBobScheduler(initial_value=1.0): metrics 10, 2, 2.5 -> new values 1.0, 1.0, 0.5.
    NewBobScheduler s = new NewBobScheduler(1.0);
    assertEquals(1.0, s.lr());
    assertEquals(1.0, s.onEpochEnd(1, 10.0)); // first epoch: only recorded
    assertEquals(1.0, s.onEpochEnd(2, 2.0)); // improvement (10 - 2) / 10 = 0.8
    assertEquals(0.5, s.onEpochEnd(3, 2.5)); // improvement -0.25 < 0.0025, patient 0: halve
    assertEquals(0.5, s.lr());
    assertEquals(List.of(10.0, 2.0, 2.5), s.metricValues());
  }

  @Test
  void patientEpochsAreToleratedBeforeEachAnnealing() {
    NewBobScheduler s = newBob(0.5, 0.0025, 1);
    s.onEpochEnd(1, 10);
    assertEquals(1.0, s.onEpochEnd(2, 10)); // no improvement: current_patient 1 -> 0
    assertEquals(0.5, s.onEpochEnd(3, 10)); // no improvement, current_patient 0: anneal, back to 1
    assertEquals(0.5, s.onEpochEnd(4, 10)); // 1 -> 0
    assertEquals(0.25, s.onEpochEnd(5, 10)); // anneal
  }

  @Test
  void goodEpochDoesNotResetPatienceAsInSpeechBrain() {
    NewBobScheduler s = newBob(0.5, 0.0025, 1);
    s.onEpochEnd(1, 10);
    s.onEpochEnd(2, 10); // current_patient 1 -> 0
    assertEquals(
        1.0, s.onEpochEnd(3, 5)); // improvement 0.5: nothing changes, current_patient stays 0
    assertEquals(0.5, s.onEpochEnd(4, 5)); // so the next flat epoch anneals at once
  }

  @Test
  void smallImprovementBelowThresholdAnneals() {
    NewBobScheduler s = newBob(0.8, 0.01, 0);
    s.onEpochEnd(1, 100);
    assertEquals(0.8, s.onEpochEnd(2, 99.5), 1e-15); // (100 - 99.5) / 100 = 0.005 < 0.01
    assertEquals(0.8, s.onEpochEnd(3, 90), 1e-15); // 0.095 >= 0.01
  }

  @Test
  void previousMetricZeroCountsAsNoImprovement() {
    NewBobScheduler s = newBob(0.5, 0.0025, 0);
    s.onEpochEnd(1, 0.0);
    assertEquals(0.5, s.onEpochEnd(2, 0.0)); // SpeechBrain: prev_metric == 0 -> improvement 0
  }

  @Test
  void stateRoundTripsThroughJsonAndContinuesIdentically() {
    NewBobScheduler a = newBob(0.5, 0.0025, 2);
    a.onEpochEnd(1, 10);
    a.onEpochEnd(2, 10);
    a.onEpochEnd(3, 9);
    @SuppressWarnings("unchecked")
    Map<String, Object> saved = (Map<String, Object>) Json.parse(Json.write(a.state()));
    NewBobScheduler b = newBob(0.5, 0.0025, 2);
    b.loadState(saved);
    assertEquals(a.state(), b.state());
    for (int epoch = 4; epoch <= 9; epoch++) {
      assertEquals(a.onEpochEnd(epoch, 9), b.onEpochEnd(epoch, 9), "epoch " + epoch);
    }
    assertEquals(0.25, b.lr());
  }

  @Test
  void stateHasSpeechBrainKeys() {
    NewBobScheduler s = new NewBobScheduler(1.0);
    s.onEpochEnd(1, 3.0);
    Map<String, Object> state = s.state();
    assertEquals(1L, state.get("format"));
    assertEquals("NewBobScheduler", state.get("type"));
    assertEquals(1.0, state.get("hyperparam_value"));
    assertEquals(List.of(3.0), state.get("metric_values"));
    assertEquals(0L, state.get("current_patient"));
    assertEquals(1L, state.get("last_epoch"));
  }

  @Test
  void rejectsStateOfAnotherSchedule() {
    NewBobScheduler s = new NewBobScheduler(1.0);
    Map<String, Object> other = new ReduceLrOnPlateau(1.0).state();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> s.loadState(other));
    assertTrue(
        e.getMessage().startsWith("the state is of type 'ReduceLrOnPlateau', not NewBobScheduler"),
        e.getMessage());
  }

  @Test
  void rejectsNewerStateFormat() {
    NewBobScheduler s = new NewBobScheduler(1.0);
    Map<String, Object> state = s.state();
    state.put("format", 2L);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> s.loadState(state));
    assertEquals(
        "NewBobScheduler state format 2 is newer than supported (max 1); upgrade the toolkit",
        e.getMessage());
  }

  @Test
  void rejectsStateWithAMissingKeyAndStaysUnchanged() {
    NewBobScheduler s = new NewBobScheduler(1.0);
    s.onEpochEnd(1, 5);
    Map<String, Object> before = s.state();
    Map<String, Object> broken = s.state();
    broken.remove("current_patient");
    broken.put("hyperparam_value", 0.1);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> s.loadState(broken));
    assertTrue(
        e.getMessage().startsWith("NewBobScheduler state has no 'current_patient'"),
        e.getMessage());
    assertEquals(before, s.state());
  }

  @Test
  void rejectsNonFiniteMetric() {
    NewBobScheduler s = new NewBobScheduler(1.0);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> s.onEpochEnd(1, Double.NaN));
    assertTrue(
        e.getMessage().startsWith("the validation metric of epoch 1 is NaN"), e.getMessage());
  }

  @Test
  void rejectsAnEpochReportedTwice() {
    NewBobScheduler s = new NewBobScheduler(1.0);
    s.onEpochEnd(1, 5);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.onEpochEnd(1, 4));
    assertTrue(
        e.getMessage()
            .startsWith("NewBobScheduler.onEpochEnd(epoch 1) after epoch 1 was already reported"),
        e.getMessage());
  }

  @Test
  void rejectsAnnealingFactorAboveOne() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> newBob(1.5, 0.0025, 0));
    assertTrue(
        e.getMessage().startsWith("annealing_factor is 1.5; it must be in (0, 1]"), e.getMessage());
  }
}
