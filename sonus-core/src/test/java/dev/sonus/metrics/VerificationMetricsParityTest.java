package dev.sonus.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sonus.tensor.Npy;
import dev.sonus.testing.FixtureManifest;
import dev.sonus.testing.FixtureManifest.Node;
import org.junit.jupiter.api.Test;

/**
 * EER / minDCF equal to SpeechBrain v1.0.0's ({@code speechbrain/utils/metric_stats.py}) on the
 * scores of {@code <sonus.fixtures>/speechbrain-model-folder}. The score files, the expected values
 * and thresholds and the minDCF arguments are the manifest's {@code eer_mindcf}; the comparison is
 * exact (tolerance 0).
 */
class VerificationMetricsParityTest {
  private static Node reference() {
    return FixtureManifest.of("speechbrain-model-folder").get("eer_mindcf");
  }

  private static Npy.Array scores(String key) {
    String file = reference().get(key).string();
    Npy.Array a = FixtureManifest.of("speechbrain-model-folder").npy(file);
    assertEquals("<f4", a.dtype(), file + " should be float32 as SpeechBrain scored it");
    return a;
  }

  private static VerificationMetrics.MinDcf minDcf(double[] pos, double[] neg) {
    Node args = reference().get("minDCF_args");
    return VerificationMetrics.minDcf(
        pos,
        neg,
        args.get("c_miss").doubleValue(),
        args.get("c_fa").doubleValue(),
        args.get("p_target").doubleValue());
  }

  @Test
  void eerMatchesSpeechBrainOnFixtureScoresExactly() {
    Node ref = reference();
    float[] pos = scores("target_scores").floats();
    float[] neg = scores("nontarget_scores").floats();
    VerificationMetrics.Eer eer = VerificationMetrics.eer(pos, neg);
    assertEquals(ref.get("EER").doubleValue(), eer.eer(), 0.0, () -> "EER (tolerance 0): " + eer);
    assertEquals(
        ref.get("EER_threshold").doubleValue(),
        eer.threshold(),
        0.0,
        () -> "threshold (tolerance 0): " + eer);
  }

  @Test
  void minDcfMatchesSpeechBrainOnFixtureScoresExactly() {
    Node ref = reference();
    Node args = ref.get("minDCF_args");
    float[] pos = scores("target_scores").floats();
    float[] neg = scores("nontarget_scores").floats();
    VerificationMetrics.MinDcf dcf =
        VerificationMetrics.minDcf(
            pos,
            neg,
            args.get("c_miss").doubleValue(),
            args.get("c_fa").doubleValue(),
            args.get("p_target").doubleValue());
    assertEquals(
        ref.get("minDCF").doubleValue(), dcf.minDcf(), 0.0, () -> "minDCF (tolerance 0): " + dcf);
    assertEquals(
        ref.get("minDCF_threshold").doubleValue(),
        dcf.threshold(),
        0.0,
        () -> "threshold (tolerance 0): " + dcf);
  }

  @Test
  void doubleOverloadsAgreeOnFixtureScores() {
    Node ref = reference();
    double[] pos = scores("target_scores").doubles();
    double[] neg = scores("nontarget_scores").doubles();
    assertEquals(
        new VerificationMetrics.Eer(
            ref.get("EER").doubleValue(), ref.get("EER_threshold").doubleValue()),
        VerificationMetrics.eer(pos, neg));
    assertEquals(
        new VerificationMetrics.MinDcf(
            ref.get("minDCF").doubleValue(), ref.get("minDCF_threshold").doubleValue()),
        minDcf(pos, neg));
  }
}
