package dev.sonus.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * EER / minDCF (SpeechBrain v1.0.0 {@code speechbrain/utils/metric_stats.py}), cosine scoring,
 * s-norm and trial lists ({@code recipes/VoxCeleb/SpeakerRec/speaker_verification_cosine.py}) on
 * scores made here; parity with SpeechBrain on its own scores is {@link
 * VerificationMetricsParityTest}.
 */
class VerificationMetricsTest {
  private static final double EPS = 1e-12;

  private static float[] f(float... v) {
    return v;
  }

  // ---- EER by hand
  // ---------------------------------------------------------------------------------------------

  @Test
  void eerIsZeroForPerfectSeparationAtFirstThresholdThatReachesIt() {
    // SpeechBrain's docstring example. |FAR - FRR| first reaches 0 at t = 0.4 (FRR 0, FAR 0); t =
    // 0.45 ties and
    // must not replace it (strict <).
    VerificationMetrics.Eer eer =
        VerificationMetrics.eer(f(0.6f, 0.7f, 0.8f, 0.5f), f(0.4f, 0.3f, 0.2f, 0.1f));
    assertEquals(0.0, eer.eer(), 0.0);
    assertEquals((double) 0.4f, eer.threshold(), 0.0);
  }

  @Test
  void eerIsHalfForIdenticalScoreSets() {
    // t=0.1: FRR 1/4, FAR 3/4; t=0.2: FRR 2/4, FAR 2/4 -> first zero difference.
    float[] s = f(0.1f, 0.2f, 0.3f, 0.4f);
    VerificationMetrics.Eer eer = VerificationMetrics.eer(s, s.clone());
    assertEquals(0.5, eer.eer(), 0.0);
    assertEquals((double) 0.2f, eer.threshold(), 0.0);
  }

  @Test
  void eerAveragesFarAndFrrAtClosestThresholdWithoutInterpolation() {
    // target {0.3, 0.9, 0.8}, nontarget {0.1, 0.4, 0.5, 0.2}:
    // t=0.1 |0.75-0|, t=0.2 |0.5-0|, t=0.3 |0.5-1/3|, t=0.4 |0.25-1/3| = 1/12 (smallest), t=0.5
    // |0-1/3| ...
    VerificationMetrics.Eer eer =
        VerificationMetrics.eer(f(0.3f, 0.9f, 0.8f), f(0.1f, 0.4f, 0.5f, 0.2f));
    double frr = 1f / 3f; // float32 rate, as torch's .float() / n
    assertEquals((0.25 + frr) / 2, eer.eer(), 0.0);
    assertEquals(0.29166667163372040, eer.eer(), EPS);
    assertEquals((double) 0.4f, eer.threshold(), 0.0);
  }

  // ---- minDCF by hand
  // ------------------------------------------------------------------------------------------

  @Test
  void minDcfWithEqualPriorsPicksSmallestTotalError() {
    // C = 0.5 * (Pmiss + Pfa): t=0.2 -> 0.25, t=0.4 -> 0.5*(1/3+1/4), t=0.5 -> 0.5*(1/3+0) = 1/6
    // (minimum, first
    // attained at 0.5; 0.65 and 0.8 do not tie-break it away).
    VerificationMetrics.MinDcf dcf =
        VerificationMetrics.minDcf(f(0.3f, 0.9f, 0.8f), f(0.1f, 0.4f, 0.5f, 0.2f), 1, 1, 0.5);
    assertEquals((double) ((1f / 3f) * 0.5f), dcf.minDcf(), 0.0);
    assertEquals(1.0 / 6, dcf.minDcf(), 1e-7);
    assertEquals(0.5, dcf.threshold(), 1e-7);
  }

  @Test
  void minDcfPriorShiftsTheOperatingPoint() {
    float[] pos = f(0.3f, 0.9f, 0.8f);
    float[] neg = f(0.1f, 0.4f, 0.5f, 0.2f);
    // p_target = 0.01: false alarms dominate; Pfa = 0 first at t=0.5 -> C = 0.01 * 1/3.
    VerificationMetrics.MinDcf low = VerificationMetrics.minDcf(pos, neg, 1, 1, 0.01);
    assertEquals(0.01 / 3, low.minDcf(), 1e-8);
    assertEquals((double) 0.5f, low.threshold(), 0.0);
    // p_target = 0.99: misses dominate; Pmiss = 0 with the fewest false alarms at t=0.2 -> C = 0.01
    // * 0.5.
    VerificationMetrics.MinDcf high = VerificationMetrics.minDcf(pos, neg, 1, 1, 0.99);
    assertEquals(0.005, high.minDcf(), 1e-8);
    assertEquals((double) 0.2f, high.threshold(), 0.0);
    // c_fa = 0 makes accepting everything free: C = 0 at the lowest threshold.
    VerificationMetrics.MinDcf free = VerificationMetrics.minDcf(pos, neg, 1, 0, 0.01);
    assertEquals(0.0, free.minDcf(), 0.0);
    assertEquals((double) 0.1f, free.threshold(), 0.0);
  }

  @Test
  void minDcfDefaultsAreSpeechBrains() {
    float[] pos = f(0.3f, 0.9f, 0.8f, 0.45f);
    float[] neg = f(0.1f, 0.4f, 0.5f, 0.2f, 0.35f);
    assertEquals(
        VerificationMetrics.minDcf(pos, neg, 1.0, 1.0, 0.01),
        VerificationMetrics.minDcf(pos, neg),
        "defaults are c_miss=1, c_fa=1, p_target=0.01");
  }

  @Test
  void minDcfIsZeroForPerfectSeparation() {
    VerificationMetrics.MinDcf dcf =
        VerificationMetrics.minDcf(f(0.6f, 0.7f, 0.8f, 0.5f), f(0.4f, 0.3f, 0.2f, 0.1f));
    assertEquals(0.0, dcf.minDcf(), 0.0);
    assertEquals((double) 0.4f, dcf.threshold(), 0.0);
  }

  // ---- validation
  // ----------------------------------------------------------------------------------------------

  @Test
  void rejectsEmptyNanAndBadPrior() {
    IllegalArgumentException empty =
        assertThrows(
            IllegalArgumentException.class, () -> VerificationMetrics.eer(new float[0], f(0.1f)));
    assertTrue(empty.getMessage().contains("targetScores is empty"), empty.getMessage());
    IllegalArgumentException emptyNeg =
        assertThrows(
            IllegalArgumentException.class,
            () -> VerificationMetrics.minDcf(new double[] {0.1}, new double[0]));
    assertTrue(emptyNeg.getMessage().contains("nontargetScores is empty"), emptyNeg.getMessage());
    IllegalArgumentException nan =
        assertThrows(
            IllegalArgumentException.class,
            () -> VerificationMetrics.eer(f(0.1f), f(0.2f, Float.NaN)));
    assertTrue(nan.getMessage().contains("nontargetScores[1] = NaN"), nan.getMessage());
    for (double p : new double[] {0.0, 1.0, -0.5, Double.NaN}) {
      IllegalArgumentException bad =
          assertThrows(
              IllegalArgumentException.class,
              () -> VerificationMetrics.minDcf(f(0.9f), f(0.1f), 1, 1, p));
      assertTrue(
          bad.getMessage().contains("pTarget = " + p)
              && bad.getMessage().contains("between 0 and 1"),
          bad.getMessage());
    }
    IllegalArgumentException cost =
        assertThrows(
            IllegalArgumentException.class,
            () -> VerificationMetrics.minDcf(f(0.9f), f(0.1f), -1, 1, 0.01));
    assertTrue(cost.getMessage().contains("cMiss = -1.0"), cost.getMessage());
  }

  @Test
  void inputsAreNotModified() {
    float[] pos = f(0.9f, 0.3f, 0.8f);
    float[] neg = f(0.5f, 0.1f);
    double[] posD = {0.9, 0.3, 0.8};
    VerificationMetrics.eer(pos, neg);
    VerificationMetrics.minDcf(posD, new double[] {0.5, 0.1});
    assertEquals(0.9f, pos[0]);
    assertEquals(0.5f, neg[0]);
    assertEquals(0.9, posD[0]);
  }

  // ---- cosine
  // --------------------------------------------------------------------------------------------------

  @Test
  void cosineOfParallelAntiparallelOrthogonalAndZeroVectors() {
    assertEquals(1.0, CosineScoring.cosine(f(1, 2, 3), f(2, 4, 6)), EPS);
    assertEquals(-1.0, CosineScoring.cosine(f(1, 2, 3), f(-3, -6, -9)), EPS);
    assertEquals(0.0, CosineScoring.cosine(f(1, 0, 0), f(0, 5, 0)), EPS);
    assertEquals(0.5, CosineScoring.cosine(f(1, 0), f(1, (float) Math.sqrt(3))), 1e-7);
    assertEquals(
        0.0,
        CosineScoring.cosine(f(0, 0), f(1, 1)),
        0.0,
        "eps clamp: zero vector scores 0, not NaN");
    IllegalArgumentException dim =
        assertThrows(
            IllegalArgumentException.class, () -> CosineScoring.cosine(f(1, 2), f(1, 2, 3)));
    assertTrue(dim.getMessage().contains("2 vs 3"), dim.getMessage());
  }

  // ---- s-norm
  // --------------------------------------------------------------------------------------------------

  private static final float[][] COHORT = {{5, 0}, {-1, 0}, {0, 0.5f}};

  @Test
  void sNormOverWholeCohortUsesUnbiasedStd() {
    // enrol (2,0) vs cohort: cos = 1, -1, 0 -> mean 0, unbiased std sqrt(2/2) = 1.
    // test (0,3) vs cohort: cos = 0, 0, 1 -> mean 1/3, unbiased std sqrt((1/9+1/9+4/9)/2) =
    // sqrt(1/3).
    // raw cos(enrol, test) = 0 -> 0.5 * ((0-0)/1 + (0-1/3)/sqrt(1/3)) = -1/(2*sqrt(3)).
    SNorm norm = new SNorm(COHORT);
    float[] enrol = f(2, 0);
    float[] test = f(0, 3);
    SNorm.CohortStats e = norm.stats(enrol);
    assertEquals(0.0, e.mean(), EPS);
    assertEquals(1.0, e.std(), EPS);
    SNorm.CohortStats t = norm.stats(test);
    assertEquals(1.0 / 3, t.mean(), EPS);
    assertEquals(Math.sqrt(1.0 / 3), t.std(), EPS);
    assertEquals(-1 / (2 * Math.sqrt(3)), norm.score(enrol, test), EPS);
    assertEquals(-1 / (2 * Math.sqrt(3)), norm.normalize(0.0, enrol, test), EPS);
    assertEquals(0.0, norm.zNorm(0.0, enrol), EPS);
    assertEquals(-Math.sqrt(1.0 / 3), norm.tNorm(0.0, test), EPS);
    // a raw score of 1: 0.5 * ((1-0)/1 + (1-1/3)/sqrt(1/3))
    assertEquals(0.5 * (1 + (2.0 / 3) / Math.sqrt(1.0 / 3)), norm.normalize(1.0, enrol, test), EPS);
  }

  @Test
  void adaptiveSNormKeepsTopKCohortScores() {
    // top-2: enrol {1, 0} -> mean 0.5, std sqrt(0.5); test {1, 0} -> same; s = 0 -> -0.5/sqrt(0.5)
    // = -1/sqrt(2).
    SNorm norm = new SNorm(COHORT, 2);
    assertEquals(2, norm.cohortSize());
    SNorm.CohortStats e = norm.stats(f(2, 0));
    assertEquals(0.5, e.mean(), EPS);
    assertEquals(Math.sqrt(0.5), e.std(), EPS);
    assertEquals(-1 / Math.sqrt(2), norm.score(f(2, 0), f(0, 3)), EPS);
    IllegalArgumentException k =
        assertThrows(IllegalArgumentException.class, () -> new SNorm(COHORT, 4));
    assertTrue(k.getMessage().contains("cohortSize = 4"), k.getMessage());
    IllegalArgumentException one =
        assertThrows(IllegalArgumentException.class, () -> new SNorm(new float[][] {{1, 0}}));
    assertTrue(one.getMessage().contains("has 1 embedding"), one.getMessage());
  }

  @Test
  void sNormRejectsZeroVarianceCohortAndDimensionMismatch() {
    SNorm flat = new SNorm(new float[][] {{1, 0}, {2, 0}});
    IllegalArgumentException zero =
        assertThrows(IllegalArgumentException.class, () -> flat.stats(f(1, 1)));
    assertTrue(zero.getMessage().contains("std 0"), zero.getMessage());
    IllegalArgumentException dim =
        assertThrows(IllegalArgumentException.class, () -> new SNorm(COHORT).stats(f(1, 2, 3)));
    assertTrue(dim.getMessage().contains("dimension 3"), dim.getMessage());
  }

  // ---- trial lists
  // ---------------------------------------------------------------------------------------------

  @Test
  void parsesVoxCelebTrialListSkippingBlankLines(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("veri_test.txt");
    Files.writeString(
        file,
        "1 id10270/x6uYqmx31kE/00001.wav id10270/8jEAjG6SegY/00008.wav\n"
            + "\n"
            + "0 id10270/x6uYqmx31kE/00001.wav\tid10300/ize_eiCFEg0/00003.wav  \n"
            + "   \n",
        StandardCharsets.UTF_8);
    List<Trials.Trial> trials = Trials.read(file);
    assertEquals(2, trials.size());
    assertEquals(
        new Trials.Trial(true, "id10270/x6uYqmx31kE/00001.wav", "id10270/8jEAjG6SegY/00008.wav", 1),
        trials.get(0));
    Trials.Trial second = trials.get(1);
    assertEquals(false, second.target());
    assertEquals(0, second.label());
    assertEquals(3, second.line());
    assertEquals("id10270/x6uYqmx31kE/00001", second.enrolId());
    assertEquals("id10300/ize_eiCFEg0/00003", second.testId());
  }

  @Test
  void badLabelNamesFileLineAndToken() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Trials.parse(List.of("1 a.wav b.wav", "", "2 a.wav c.wav"), "trials.txt"));
    assertTrue(e.getMessage().startsWith("trials.txt:3: label '2'"), e.getMessage());
    IllegalArgumentException fields =
        assertThrows(
            IllegalArgumentException.class,
            () -> Trials.parse(List.of("1 a.wav b.wav extra"), "t.txt"));
    assertTrue(
        fields.getMessage().startsWith("t.txt:1: expected 3 fields")
            && fields.getMessage().contains("'extra'"),
        fields.getMessage());
    IllegalArgumentException few =
        assertThrows(
            IllegalArgumentException.class, () -> Trials.parse(List.of("0 a.wav"), "t.txt"));
    assertTrue(few.getMessage().contains("found 2"), few.getMessage());
  }
}
