package dev.sonus.metrics;

import java.util.Arrays;
import java.util.Objects;

/**
 * Symmetric score normalisation (s-norm) of cosine trial scores against an impostor cohort,
 * optionally adaptive (top-k cohort), as in SpeechBrain v1.0.0's {@code get_verification_scores} in
 * {@code recipes/VoxCeleb/SpeakerRec/speaker_verification_cosine.py} with {@code score_norm:
 * s-norm}:
 *
 * <pre>
 *   s_e = cos(enrol, cohort_j)  for every cohort embedding j   (top cohortSize of them when adaptive)
 *   s_t = cos(test,  cohort_j)                                (likewise)
 *   score = 0.5 * ((s - mean(s_e)) / std(s_e) + (s - mean(s_t)) / std(s_t))
 * </pre>
 *
 * where {@code s = cos(enrol, test)} and {@code std} is {@code torch.std}'s default, the unbiased
 * (Bessel, {@code n - 1}) standard deviation. The recipe's {@code cohort_size} keeps the {@code k}
 * highest cohort scores ({@code torch.topk}, largest). {@link #zNorm} and {@link #tNorm} are the
 * recipe's other two options.
 *
 * <p>Arithmetic is in double (SpeechBrain: float32 tensors), so results agree to about 1e-6. Where
 * SpeechBrain would return infinity or NaN (a cohort of one, or cohort scores that are all equal so
 * {@code std = 0}) this class throws {@link IllegalArgumentException}. Instances are immutable and
 * thread-safe.
 */
public final class SNorm {
  private final float[][] cohort;
  private final int cohortSize;

  /**
   * Mean and unbiased standard deviation of an embedding's cosine scores against the (selected)
   * cohort.
   *
   * @param mean the mean score
   * @param std the unbiased standard deviation ({@code n - 1} in the denominator)
   */
  public record CohortStats(double mean, double std) {
    /** {@code (score - mean) / std}. */
    public double normalize(double score) {
      return (score - mean) / std;
    }
  }

  /**
   * S-norm against the whole cohort (no {@code cohort_size} in the recipe).
   *
   * @param cohort impostor embeddings, one row each; at least 2 rows, all of the same non-zero
   *     dimension. Copied.
   */
  public SNorm(float[][] cohort) {
    this(cohort, -1);
  }

  /**
   * Adaptive s-norm: only the {@code cohortSize} highest-scoring cohort embeddings (per enrol and
   * per test embedding) enter the statistics, as the recipe's {@code cohort_size}.
   *
   * @param cohort impostor embeddings, one row each; all of the same non-zero dimension. Copied.
   * @param cohortSize top-k size, between 2 and the number of cohort rows
   */
  public SNorm(float[][] cohort, int cohortSize) {
    Objects.requireNonNull(cohort, "cohort");
    if (cohort.length < 2) {
      throw new IllegalArgumentException(
          "the impostor cohort has "
              + cohort.length
              + " embedding(s); s-norm needs at least 2 for an unbiased standard deviation - add impostor embeddings");
    }
    float[][] copy = new float[cohort.length][];
    for (int j = 0; j < cohort.length; j++) {
      if (cohort[j] == null || cohort[j].length == 0) {
        throw new IllegalArgumentException(
            "cohort row "
                + j
                + " is "
                + (cohort[j] == null ? "null" : "empty")
                + "; every cohort row must be an embedding");
      }
      if (cohort[j].length != cohort[0].length) {
        throw new IllegalArgumentException(
            "cohort row "
                + j
                + " has dimension "
                + cohort[j].length
                + " but row 0 has "
                + cohort[0].length
                + "; all cohort embeddings must come from the same model");
      }
      copy[j] = cohort[j].clone();
    }
    if (cohortSize != -1 && (cohortSize < 2 || cohortSize > cohort.length)) {
      throw new IllegalArgumentException(
          "cohortSize = "
              + cohortSize
              + " is outside [2, "
              + cohort.length
              + "] (the cohort has "
              + cohort.length
              + " embeddings); pass a top-k size in that range, or use the"
              + " constructor without cohortSize to use the whole cohort");
    }
    this.cohort = copy;
    this.cohortSize = cohortSize == -1 ? cohort.length : cohortSize;
  }

  /** Number of cohort embeddings. */
  public int cohortCount() {
    return cohort.length;
  }

  /** Number of top cohort scores used per embedding (the cohort count when not adaptive). */
  public int cohortSize() {
    return cohortSize;
  }

  /** Embedding dimension of the cohort. */
  public int dimension() {
    return cohort[0].length;
  }

  /**
   * S-normalised cosine score of a trial: {@link #normalize} of {@link CosineScoring#cosine
   * cos(enrol, test)}.
   */
  public double score(float[] enrol, float[] test) {
    return normalize(CosineScoring.cosine(enrol, test), enrol, test);
  }

  /** S-norm of an already computed raw score: {@code 0.5 * (z-norm + t-norm)}. */
  public double normalize(double rawScore, float[] enrol, float[] test) {
    return 0.5 * (stats(enrol).normalize(rawScore) + stats(test).normalize(rawScore));
  }

  /**
   * Z-norm: {@code (score - mean_e) / std_e}, statistics of the enrol embedding against the cohort.
   */
  public double zNorm(double rawScore, float[] enrol) {
    return stats(enrol).normalize(rawScore);
  }

  /**
   * T-norm: {@code (score - mean_t) / std_t}, statistics of the test embedding against the cohort.
   */
  public double tNorm(double rawScore, float[] test) {
    return stats(test).normalize(rawScore);
  }

  /**
   * Cohort statistics of one embedding (top {@link #cohortSize()} cosine scores, mean and unbiased
   * std).
   */
  public CohortStats stats(float[] embedding) {
    Objects.requireNonNull(embedding, "embedding");
    if (embedding.length != dimension()) {
      throw new IllegalArgumentException(
          "embedding dimension "
              + embedding.length
              + " differs from the cohort's "
              + dimension()
              + "; use a cohort produced by the same model");
    }
    double[] scores = new double[cohort.length];
    for (int j = 0; j < cohort.length; j++) {
      scores[j] = CosineScoring.cosine(embedding, cohort[j]);
    }
    int k = cohortSize;
    if (k < scores.length) {
      Arrays.sort(scores);
      scores = Arrays.copyOfRange(scores, scores.length - k, scores.length);
    }
    double sum = 0;
    for (double s : scores) {
      sum += s;
    }
    double mean = sum / k;
    double ss = 0;
    for (double s : scores) {
      ss += (s - mean) * (s - mean);
    }
    double std = Math.sqrt(ss / (k - 1));
    if (!(std > 0)) {
      throw new IllegalArgumentException(
          "the "
              + k
              + " selected cohort scores of this embedding all equal "
              + mean
              + " (std 0), so s-norm would divide by zero; use a larger or more varied impostor cohort");
    }
    return new CohortStats(mean, std);
  }
}
