package dev.sonus.train.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.train.schedule.ReduceLrOnPlateau.Mode;
import dev.sonus.train.schedule.ReduceLrOnPlateau.ThresholdMode;
import dev.sonus.util.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReduceLrOnPlateauTest {

  private static ReduceLrOnPlateau plateau(
      Mode mode,
      double factor,
      int patience,
      double threshold,
      ThresholdMode thresholdMode,
      int cooldown,
      double minLr) {
    return new ReduceLrOnPlateau(
        new ReduceLrOnPlateau.Options(
            1.0, mode, factor, patience, threshold, thresholdMode, cooldown, minLr, 1e-8));
  }

  @Test
  void reducesAfterMoreThanPatienceBadEpochs() {
    ReduceLrOnPlateau s = plateau(Mode.MIN, 0.5, 2, 1e-4, ThresholdMode.REL, 0, 0);
    assertEquals(1.0, s.onEpochEnd(1, 10)); // best 10
    assertEquals(1.0, s.onEpochEnd(2, 11)); // bad 1
    assertEquals(1.0, s.onEpochEnd(3, 12)); // bad 2 (not > patience 2)
    assertEquals(0.5, s.onEpochEnd(4, 13)); // bad 3 > 2: reduce, bad 0
    assertEquals(0.5, s.onEpochEnd(5, 9)); // better: best 9
    assertEquals(9.0, s.best());
    assertEquals(0, s.numBadEpochs());
  }

  @Test
  void pyTorchDefaultsNeedElevenBadEpochs() {
    ReduceLrOnPlateau s = new ReduceLrOnPlateau(0.01); // factor 0.1, patience 10
    s.onEpochEnd(1, 1.0);
    for (int epoch = 2; epoch <= 11; epoch++) {
      assertEquals(0.01, s.onEpochEnd(epoch, 1.0), "epoch " + epoch);
    }
    assertEquals(0.001, s.onEpochEnd(12, 1.0), 1e-18);
  }

  @Test
  void cooldownIgnoresBadEpochsAfterAReduction() {
    ReduceLrOnPlateau s = plateau(Mode.MIN, 0.5, 0, 0, ThresholdMode.REL, 2, 0);
    s.onEpochEnd(1, 10); // best
    assertEquals(0.5, s.onEpochEnd(2, 11)); // bad 1 > 0: reduce, cooldown 2
    assertEquals(0.5, s.onEpochEnd(3, 12)); // bad, cooldown 2 -> 1, bad reset
    assertEquals(0.5, s.onEpochEnd(4, 13)); // bad, cooldown 1 -> 0, bad reset
    assertEquals(0.25, s.onEpochEnd(5, 14)); // bad 1 > 0: reduce
  }

  @Test
  void relativeThresholdNeedsAProportionalImprovement() {
    ReduceLrOnPlateau s = plateau(Mode.MIN, 0.5, 5, 0.1, ThresholdMode.REL, 0, 0);
    s.onEpochEnd(1, 10);
    s.onEpochEnd(2, 9.5); // not < 10 * (1 - 0.1) = 9
    assertEquals(1, s.numBadEpochs());
    assertEquals(10.0, s.best());
    s.onEpochEnd(3, 8.9); // < 9
    assertEquals(0, s.numBadEpochs());
    assertEquals(8.9, s.best());
  }

  @Test
  void absoluteThresholdNeedsAFixedImprovement() {
    ReduceLrOnPlateau s = plateau(Mode.MIN, 0.5, 5, 0.1, ThresholdMode.ABS, 0, 0);
    s.onEpochEnd(1, 10);
    s.onEpochEnd(2, 9.95); // not < 10 - 0.1
    assertEquals(1, s.numBadEpochs());
    s.onEpochEnd(3, 9.85); // < 9.9
    assertEquals(9.85, s.best());
  }

  @Test
  void maxModeTreatsHigherAsBetter() {
    ReduceLrOnPlateau s = plateau(Mode.MAX, 0.5, 0, 0.01, ThresholdMode.REL, 0, 0);
    s.onEpochEnd(1, 0.5);
    assertEquals(1.0, s.onEpochEnd(2, 0.6)); // 0.6 > 0.5 * 1.01
    assertEquals(0.5, s.onEpochEnd(3, 0.603)); // not > 0.6 * 1.01 = 0.606: bad 1 > 0
  }

  @Test
  void neverGoesBelowMinLrAndSkipsReductionsSmallerThanEps() {
    ReduceLrOnPlateau s = plateau(Mode.MIN, 0.1, 0, 0, ThresholdMode.REL, 0, 0.05);
    s.onEpochEnd(1, 1);
    assertEquals(0.1, s.onEpochEnd(2, 2), 1e-15); // 1 * 0.1
    assertEquals(0.05, s.onEpochEnd(3, 3)); // max(0.01, 0.05)
    assertEquals(0.05, s.onEpochEnd(4, 4)); // max(0.005, 0.05) = 0.05: no change
  }

  @Test
  void stateRoundTripsThroughJsonIncludingNoBestYet() {
    ReduceLrOnPlateau fresh = plateau(Mode.MIN, 0.5, 1, 1e-4, ThresholdMode.REL, 1, 0);
    assertNull(fresh.state().get("best"));
    ReduceLrOnPlateau a = plateau(Mode.MIN, 0.5, 1, 1e-4, ThresholdMode.REL, 1, 0);
    a.onEpochEnd(1, 5);
    a.onEpochEnd(2, 6);
    @SuppressWarnings("unchecked")
    Map<String, Object> saved = (Map<String, Object>) Json.parse(Json.write(a.state()));
    ReduceLrOnPlateau b = plateau(Mode.MIN, 0.5, 1, 1e-4, ThresholdMode.REL, 1, 0);
    b.loadState(saved);
    assertEquals(a.state(), b.state());
    double[] metrics = {6, 7, 8, 9, 4, 5, 6};
    for (int i = 0; i < metrics.length; i++) {
      assertEquals(
          a.onEpochEnd(3 + i, metrics[i]), b.onEpochEnd(3 + i, metrics[i]), "epoch " + (3 + i));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> empty = (Map<String, Object>) Json.parse(Json.write(fresh.state()));
    b.loadState(empty);
    assertNull(b.best());
    assertEquals(1.0, b.lr());
  }

  @Test
  void rejectsFactorOfOne() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> plateau(Mode.MIN, 1.0, 0, 0, ThresholdMode.REL, 0, 0));
    assertTrue(e.getMessage().startsWith("factor is 1.0; it must be in (0, 1)"), e.getMessage());
  }

  @Test
  void rejectsInfiniteMetric() {
    ReduceLrOnPlateau s = new ReduceLrOnPlateau(1.0);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> s.onEpochEnd(1, Double.NEGATIVE_INFINITY));
    assertTrue(
        e.getMessage().startsWith("the validation metric of epoch 1 is -Infinity"), e.getMessage());
  }

  @Test
  void rejectsEpochZero() {
    ReduceLrOnPlateau s = new ReduceLrOnPlateau(1.0);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> s.onEpochEnd(0, 1));
    assertEquals("epoch is 0; epochs count from 1, as EpochCounter does", e.getMessage());
  }
}
