package dev.sonus.metrics;

import java.util.Objects;

/**
 * Cosine similarity of speaker embeddings, the trial score of SpeechBrain's VoxCeleb recipe {@code
 * recipes/VoxCeleb/SpeakerRec/speaker_verification_cosine.py} ({@code
 * torch.nn.CosineSimilarity(dim=-1, eps=1e-6)}).
 *
 * <p>The formula is PyTorch's {@code cosine_similarity} of the 1.x series that SpeechBrain v1.0.0
 * ran on: {@code sum(a*b) / sqrt(max(sum(a*a) * sum(b*b), eps^2))}. It is evaluated in double
 * precision, so it agrees with float32 PyTorch to about 1e-6, not bit for bit. A zero vector
 * therefore scores 0 instead of failing.
 */
public final class CosineScoring {
  /** The {@code eps} of SpeechBrain's recipe. */
  public static final double DEFAULT_EPS = 1e-6;

  private CosineScoring() {}

  /**
   * Cosine similarity with {@link #DEFAULT_EPS}: in [-1, 1], 1 for parallel, 0 for orthogonal
   * vectors.
   */
  public static double cosine(float[] a, float[] b) {
    return cosine(a, b, DEFAULT_EPS);
  }

  /**
   * Cosine similarity {@code a.b / sqrt(max(|a|^2 |b|^2, eps^2))}.
   *
   * @param a an embedding
   * @param b an embedding of the same dimension
   * @param eps lower bound of the norm product; finite, {@code >= 0}
   */
  public static double cosine(float[] a, float[] b, double eps) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "embedding dimensions differ: "
              + a.length
              + " vs "
              + b.length
              + "; score embeddings produced by the same model");
    }
    if (a.length == 0) {
      throw new IllegalArgumentException(
          "embeddings are empty (dimension 0); pass the model's embedding vectors");
    }
    if (!Double.isFinite(eps) || eps < 0) {
      throw new IllegalArgumentException(
          "eps = " + eps + " must be finite and >= 0; SpeechBrain uses " + DEFAULT_EPS);
    }
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int i = 0; i < a.length; i++) {
      double x = a[i];
      double y = b[i];
      ab += x * y;
      aa += x * x;
      bb += y * y;
    }
    double result = ab / Math.sqrt(Math.max(aa * bb, eps * eps));
    if (!Double.isFinite(result)) {
      throw new IllegalArgumentException(
          "cosine similarity is "
              + result
              + "; an embedding contains NaN or infinite values - check the model output");
    }
    return result;
  }
}
