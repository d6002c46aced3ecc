package dev.sonus.metrics;

import java.util.Arrays;
import java.util.Objects;

/**
 * Speaker-verification error metrics: equal error rate (EER) and minimum detection cost (minDCF).
 *
 * <p>Counterparts of {@code EER} and {@code minDCF} in {@code speechbrain/utils/metric_stats.py}
 * (SpeechBrain v1.0.0), reproduced operation by operation so that the values and thresholds agree
 * bit for bit:
 *
 * <ul>
 *   <li><b>Candidate thresholds.</b> The distinct values of the union of both score sets, sorted
 *       ascending, plus the midpoint {@code (t[i] + t[i + 1]) / 2} of every neighbouring pair, all
 *       sorted together. The midpoints are computed in the dtype of the scores: the {@code float[]}
 *       overloads round them to float32 as SpeechBrain does on float32 tensors, the {@code
 *       double[]} overloads keep float64 as SpeechBrain does on float64 tensors.
 *   <li><b>Error rates.</b> At threshold {@code t}: {@code FRR = #(target <= t) / #target} (missed
 *       targets) and {@code FAR = #(nontarget > t) / #nontarget} (accepted impostors). Both are
 *       float32 whatever the score dtype, because SpeechBrain converts the counts with {@code
 *       .float()} before dividing.
 *   <li><b>EER.</b> Scanning thresholds in ascending order, the first threshold that strictly
 *       lowers {@code |FAR - FRR|} is kept (the float32 difference is compared against the double
 *       difference of the kept pair, as in SpeechBrain's loop). The EER is {@code (FAR + FRR) / 2}
 *       at that threshold, in double; there is no interpolation between thresholds.
 *   <li><b>minDCF.</b> {@code C = c_miss * P_miss * p_target + c_fa * P_fa * (1 - p_target)}
 *       evaluated in float32 left to right at every threshold; the minimum and the first threshold
 *       that attains it are returned.
 * </ul>
 *
 * <p>Differences from SpeechBrain, all on inputs it does not handle meaningfully: empty score
 * arrays, NaN or infinite scores, and a prior outside the open interval (0, 1) or
 * negative/non-finite costs are rejected with an {@link IllegalArgumentException}; SpeechBrain
 * would raise on empty input and return NaN-dependent values for the rest. The computation is O((n
 * + m) log(n + m)): counts come from binary searches in the sorted scores, which gives the same
 * counts as SpeechBrain's element-wise comparisons.
 */
public final class VerificationMetrics {
  private VerificationMetrics() {}

  /**
   * An equal error rate and the threshold at which it was found.
   *
   * @param eer the equal error rate as a fraction in [0, 1]: the mean of the false-acceptance and
   *     false-rejection rates at {@code threshold}
   * @param threshold the candidate threshold; a trial is accepted when its score is greater than it
   */
  public record Eer(double eer, double threshold) {}

  /**
   * A minimum detection cost and the threshold at which it is attained.
   *
   * @param minDcf the minimum of the detection cost over all candidate thresholds (not normalised)
   * @param threshold the first candidate threshold at which the minimum is attained
   */
  public record MinDcf(double minDcf, double threshold) {}

  /**
   * EER of float32 scores, exactly as SpeechBrain's {@code EER} on float32 tensors.
   *
   * @param targetScores scores of same-speaker trials (SpeechBrain's {@code positive_scores});
   *     non-empty, finite
   * @param nontargetScores scores of different-speaker trials ({@code negative_scores}); non-empty,
   *     finite
   */
  public static Eer eer(float[] targetScores, float[] nontargetScores) {
    return eer(
        toDouble(targetScores, "targetScores"), toDouble(nontargetScores, "nontargetScores"), true);
  }

  /**
   * EER of float64 scores, exactly as SpeechBrain's {@code EER} on float64 tensors (threshold
   * midpoints in double). For scores that came out of a float32 model, prefer {@link #eer(float[],
   * float[])}.
   *
   * @param targetScores scores of same-speaker trials; non-empty, finite
   * @param nontargetScores scores of different-speaker trials; non-empty, finite
   */
  public static Eer eer(double[] targetScores, double[] nontargetScores) {
    return eer(copy(targetScores, "targetScores"), copy(nontargetScores, "nontargetScores"), false);
  }

  /**
   * minDCF of float32 scores, exactly as SpeechBrain's {@code minDCF} on float32 tensors.
   *
   * @param targetScores scores of same-speaker trials; non-empty, finite
   * @param nontargetScores scores of different-speaker trials; non-empty, finite
   * @param cMiss cost of a missed target (SpeechBrain's default 1.0); finite, {@code >= 0}
   * @param cFa cost of a false alarm (default 1.0); finite, {@code >= 0}
   * @param pTarget prior probability of a target trial (default 0.01); strictly between 0 and 1
   */
  public static MinDcf minDcf(
      float[] targetScores, float[] nontargetScores, double cMiss, double cFa, double pTarget) {
    return minDcf(
        toDouble(targetScores, "targetScores"),
        toDouble(nontargetScores, "nontargetScores"),
        true,
        cMiss,
        cFa,
        pTarget);
  }

  /**
   * minDCF of float64 scores, exactly as SpeechBrain's {@code minDCF} on float64 tensors. The costs
   * are still float32 there (the error rates are), and so they are here.
   *
   * @see #minDcf(float[], float[], double, double, double)
   */
  public static MinDcf minDcf(
      double[] targetScores, double[] nontargetScores, double cMiss, double cFa, double pTarget) {
    return minDcf(
        copy(targetScores, "targetScores"),
        copy(nontargetScores, "nontargetScores"),
        false,
        cMiss,
        cFa,
        pTarget);
  }

  /** minDCF with SpeechBrain's defaults {@code c_miss = 1, c_fa = 1, p_target = 0.01}. */
  public static MinDcf minDcf(float[] targetScores, float[] nontargetScores) {
    return minDcf(targetScores, nontargetScores, 1.0, 1.0, 0.01);
  }

  /** minDCF with SpeechBrain's defaults {@code c_miss = 1, c_fa = 1, p_target = 0.01}. */
  public static MinDcf minDcf(double[] targetScores, double[] nontargetScores) {
    return minDcf(targetScores, nontargetScores, 1.0, 1.0, 0.01);
  }

  // ---------------------------------------------------------------------------------------------------------------

  private static Eer eer(double[] pos, double[] neg, boolean float32) {
    double[] thresholds = thresholds(pos, neg, float32);
    Arrays.sort(pos);
    Arrays.sort(neg);
    int minIndex = 0;
    float finalFrr = 0f;
    float finalFar = 0f;
    for (int i = 0; i < thresholds.length; i++) {
      double t = thresholds[i];
      float frr = rate(countAtMost(pos, t), pos.length);
      float far = rate(neg.length - countAtMost(neg, t), neg.length);
      // SpeechBrain: (FAR - FRR).abs().item() is a float32 tensor op; abs(final_FAR - final_FRR) is
      // Python (double).
      double diff = Math.abs(far - frr);
      if (diff < Math.abs((double) finalFar - (double) finalFrr) || i == 0) {
        minIndex = i;
        finalFrr = frr;
        finalFar = far;
      }
    }
    double eer = ((double) finalFar + (double) finalFrr) / 2;
    return new Eer(eer, thresholds[minIndex]);
  }

  private static MinDcf minDcf(
      double[] pos, double[] neg, boolean float32, double cMiss, double cFa, double pTarget) {
    requireCost(cMiss, "cMiss");
    requireCost(cFa, "cFa");
    if (!(pTarget > 0 && pTarget < 1)) {
      throw new IllegalArgumentException(
          "pTarget = "
              + pTarget
              + " is not a prior probability strictly between 0 and 1; pass the target prior, e.g. 0.01 (SpeechBrain's"
              + " default) or 0.05");
    }
    double[] thresholds = thresholds(pos, neg, float32);
    Arrays.sort(pos);
    Arrays.sort(neg);
    // Python scalars meet float32 tensors: each is rounded to float32 before the float32 multiply.
    float cMissF = (float) cMiss;
    float cFaF = (float) cFa;
    float pTargetF = (float) pTarget;
    float pNonTargetF = (float) (1 - pTarget);
    int minIndex = 0;
    float cMin = Float.NaN;
    for (int i = 0; i < thresholds.length; i++) {
      double t = thresholds[i];
      float pMiss = rate(countAtMost(pos, t), pos.length);
      float pFa = rate(neg.length - countAtMost(neg, t), neg.length);
      float missTerm = (cMissF * pMiss) * pTargetF;
      float faTerm = (cFaF * pFa) * pNonTargetF;
      float cDet = missTerm + faTerm;
      if (i == 0 || cDet < cMin) {
        cMin = cDet;
        minIndex = i;
      }
    }
    return new MinDcf(cMin, thresholds[minIndex]);
  }

  /**
   * Sorted distinct scores plus the midpoints of neighbours (in float32 when {@code float32}),
   * sorted together.
   */
  private static double[] thresholds(double[] pos, double[] neg, boolean float32) {
    double[] all = new double[pos.length + neg.length];
    System.arraycopy(pos, 0, all, 0, pos.length);
    System.arraycopy(neg, 0, all, pos.length, neg.length);
    Arrays.sort(all);
    int unique = 0;
    for (int i = 0; i < all.length; i++) {
      if (unique == 0
          || all[i] != all[unique - 1]) { // == also merges -0.0 with 0.0, as torch.unique does
        all[unique++] = all[i];
      }
    }
    double[] out = new double[2 * unique - 1];
    System.arraycopy(all, 0, out, 0, unique);
    for (int i = 0; i + 1 < unique; i++) {
      out[unique + i] =
          float32
              ? (double) (((float) all[i] + (float) all[i + 1]) / 2f)
              : (all[i] + all[i + 1]) / 2;
    }
    Arrays.sort(out);
    return out;
  }

  /** The float32 rate {@code count.float() / n}, as torch computes it. */
  private static float rate(int count, int n) {
    return (float) count / (float) n;
  }

  /** Number of elements of the ascending array {@code sorted} that are {@code <= t}. */
  private static int countAtMost(double[] sorted, double t) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] <= t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static void requireCost(double cost, String name) {
    if (!Double.isFinite(cost) || cost < 0) {
      throw new IllegalArgumentException(
          name
              + " = "
              + cost
              + " is not a valid cost; pass a finite, non-negative number (SpeechBrain's default is 1.0)");
    }
  }

  private static double[] toDouble(float[] scores, String name) {
    Objects.requireNonNull(scores, name);
    double[] out = new double[scores.length];
    for (int i = 0; i < scores.length; i++) {
      out[i] = scores[i];
    }
    return check(out, name);
  }

  private static double[] copy(double[] scores, String name) {
    Objects.requireNonNull(scores, name);
    return check(scores.clone(), name);
  }

  private static double[] check(double[] scores, String name) {
    if (scores.length == 0) {
      throw new IllegalArgumentException(
          name
              + " is empty; the metric needs at least one "
              + ("targetScores".equals(name)
                  ? "same-speaker (label 1)"
                  : "different-speaker (label 0)")
              + " trial score - check that the trial list contains both kinds of trials");
    }
    for (int i = 0; i < scores.length; i++) {
      if (!Double.isFinite(scores[i])) {
        throw new IllegalArgumentException(
            name
                + "["
                + i
                + "] = "
                + scores[i]
                + " is not a finite score; remove that trial or fix its embedding/normalisation (e.g. a zero-variance"
                + " cohort) before computing the metric");
      }
    }
    return scores;
  }
}
