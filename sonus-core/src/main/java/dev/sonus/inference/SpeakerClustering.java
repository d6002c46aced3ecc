package dev.sonus.inference;

import dev.sonus.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Clustering of speaker embeddings for diarization: SpeechBrain v1.0.0's spectral clustering with
 * an unnormalised affinity ({@code speechbrain.processing.diarization.Spec_Clust_unorm}) and an
 * agglomerative alternative; then the labelled windows become speaker turns as SpeechBrain's {@code
 * merge_ssegs_same_speaker} and {@code distribute_overlap} make them.
 *
 * <p>Spectral clustering: cosine affinity of every pair of embeddings; p-pruning (each row keeps
 * its {@code pval} largest values, the rest become 0); symmetrisation {@code (A + Aᵀ) / 2}; the
 * unnormalised Laplacian {@code D - A} with a zero diagonal in {@code A}; its eigenvectors of the
 * smallest eigenvalues as the spectral embedding. The number of speakers, when not given, is where
 * the gap between consecutive eigenvalues 2..{@code maxSpeakers} is largest (at least {@code
 * minSpeakers}). The rows of the spectral embedding are then clustered by k-means (k-means++
 * initialisation, 10 starts, the lowest inertia kept; seeded, so the labels are reproducible, where
 * scikit-learn's {@code k_means} that SpeechBrain calls is not seeded).
 */
public final class SpeakerClustering {
  private SpeakerClustering() {}

  /**
   * Spectral clustering of {@code embeddings} (one row per window).
   *
   * @param numSpeakers the number of speakers, or null to estimate it by the eigengap
   * @param pval the fraction of each affinity row kept (SpeechBrain's {@code pval}, e.g. 0.3)
   * @param minSpeakers the fewest speakers an estimate may give (SpeechBrain: 2)
   * @param maxSpeakers the most speakers an estimate may give (SpeechBrain: 10)
   * @param seed k-means's seed
   * @return a cluster label 0..k-1 per window, numbered in order of first appearance
   */
  public static int[] spectral(
      float[][] embeddings,
      Integer numSpeakers,
      double pval,
      int minSpeakers,
      int maxSpeakers,
      long seed) {
    int n = check(embeddings);
    if (!(pval > 0 && pval <= 1)) {
      throw new IllegalArgumentException("pval is " + pval + "; give the fraction kept, in (0, 1]");
    }
    if (minSpeakers < 1 || maxSpeakers < minSpeakers) {
      throw new IllegalArgumentException(
          "min and max speakers are "
              + minSpeakers
              + " and "
              + maxSpeakers
              + "; need 1 <= min <= max");
    }
    if (numSpeakers != null && numSpeakers < 1) {
      throw new IllegalArgumentException("the number of speakers is " + numSpeakers);
    }
    if (n == 1) {
      return new int[] {0};
    }
    double[][] a = cosine(embeddings);
    int pruned = (int) ((1 - pval) * n);
    for (int i = 0; i < n; i++) {
      Integer[] order = new Integer[n];
      for (int j = 0; j < n; j++) {
        order[j] = j;
      }
      double[] row = a[i];
      Arrays.sort(order, (x, y) -> Double.compare(row[x], row[y]));
      for (int j = 0; j < pruned; j++) {
        row[order[j]] = 0;
      }
    }
    double[] lap = new double[n * n];
    for (int i = 0; i < n; i++) {
      double degree = 0;
      for (int j = 0; j < n; j++) {
        double s = i == j ? 0 : 0.5 * (a[i][j] + a[j][i]);
        lap[i * n + j] = -s;
        degree += Math.abs(s);
      }
      lap[i * n + i] = degree;
    }
    double[] values;
    double[][] vectors;
    try (PointerScope scope = new PointerScope()) {
      T_TensorTensor_T eig = torch.linalg_eigh(Tensors.fromDoubles(lap, n, n));
      values = Tensors.toDoubles(eig.get0());
      Tensor v = eig.get1().contiguous();
      double[] flat = Tensors.toDoubles(v);
      vectors = new double[n][n];
      for (int i = 0; i < n; i++) {
        System.arraycopy(flat, i * n, vectors[i], 0, n);
      }
    }
    int k;
    if (numSpeakers != null) {
      k = Math.min(numSpeakers, n);
    } else {
      // gaps between eigenvalues 1..maxSpeakers-1 (0-based), as SpeechBrain's lambdas[1:max]
      int best = -1;
      double bestGap = Double.NEGATIVE_INFINITY;
      for (int i = 1; i + 1 < Math.min(maxSpeakers, n); i++) {
        double gap = values[i + 1] - values[i];
        if (gap > bestGap) {
          bestGap = gap;
          best = i - 1;
        }
      }
      k = Math.max(minSpeakers, (best < 0 ? 0 : best) + 2);
      k = Math.min(k, n);
    }
    double[][] spectral = new double[n][k];
    for (int i = 0; i < n; i++) {
      System.arraycopy(vectors[i], 0, spectral[i], 0, k);
    }
    return renumber(kMeans(spectral, k, 10, 300, seed));
  }

  /**
   * Agglomerative clustering with average linkage over cosine distances (1 - cosine similarity),
   * down to {@code numSpeakers} clusters or, when that is null, while the closest two clusters are
   * nearer than {@code threshold}.
   *
   * @return a cluster label per window, numbered in order of first appearance
   */
  public static int[] agglomerative(float[][] embeddings, Integer numSpeakers, double threshold) {
    int n = check(embeddings);
    if (numSpeakers == null && !(threshold >= 0 && threshold <= 2)) {
      throw new IllegalArgumentException(
          "threshold is " + threshold + "; a cosine distance lies in [0, 2]");
    }
    if (numSpeakers != null && numSpeakers < 1) {
      throw new IllegalArgumentException("the number of speakers is " + numSpeakers);
    }
    double[][] sim = cosine(embeddings);
    List<List<Integer>> clusters = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      clusters.add(new ArrayList<>(List.of(i)));
    }
    // dist[a][b]: average distance between clusters a and b (kept up to date on each merge)
    double[][] dist = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        dist[i][j] = 1 - sim[i][j];
      }
    }
    boolean[] alive = new boolean[n];
    Arrays.fill(alive, true);
    int count = n;
    while (count > 1) {
      int bi = -1;
      int bj = -1;
      double best = Double.POSITIVE_INFINITY;
      for (int i = 0; i < n; i++) {
        if (!alive[i]) {
          continue;
        }
        for (int j = i + 1; j < n; j++) {
          if (alive[j] && dist[i][j] < best) {
            best = dist[i][j];
            bi = i;
            bj = j;
          }
        }
      }
      boolean enough = numSpeakers != null ? count <= numSpeakers : best >= threshold;
      if (enough) {
        break;
      }
      int si = clusters.get(bi).size();
      int sj = clusters.get(bj).size();
      for (int m = 0; m < n; m++) {
        if (alive[m] && m != bi && m != bj) {
          double d = (dist[bi][m] * si + dist[bj][m] * sj) / (si + sj);
          dist[bi][m] = d;
          dist[m][bi] = d;
        }
      }
      clusters.get(bi).addAll(clusters.get(bj));
      alive[bj] = false;
      count--;
    }
    int[] labels = new int[n];
    int next = 0;
    for (int i = 0; i < n; i++) {
      if (alive[i]) {
        for (int member : clusters.get(i)) {
          labels[member] = next;
        }
        next++;
      }
    }
    return renumber(labels);
  }

  /**
   * One labelled window.
   *
   * @param start seconds
   * @param end seconds
   * @param label its cluster
   */
  public record Window(double start, double end, int label) {}

  /**
   * Speaker turns from labelled, possibly overlapping windows sorted by start: runs of one label
   * whose windows touch or overlap are merged, then where two turns of different labels overlap the
   * overlap is split at its middle (SpeechBrain's {@code merge_ssegs_same_speaker} and {@code
   * distribute_overlap}).
   */
  public static List<Window> turns(List<Window> windows) {
    List<Window> sorted = new ArrayList<>(windows);
    sorted.sort((x, y) -> Double.compare(x.start(), y.start()));
    List<Window> merged = new ArrayList<>();
    for (Window w : sorted) {
      if (!merged.isEmpty()) {
        Window last = merged.get(merged.size() - 1);
        if (last.label() == w.label() && w.start() <= last.end()) {
          merged.set(
              merged.size() - 1,
              new Window(last.start(), Math.max(last.end(), w.end()), w.label()));
          continue;
        }
      }
      merged.add(w);
    }
    List<Window> out = new ArrayList<>();
    for (int i = 0; i < merged.size(); i++) {
      Window w = merged.get(i);
      double start = w.start();
      double end = w.end();
      if (!out.isEmpty()) {
        start = Math.max(start, out.get(out.size() - 1).end());
      }
      if (i + 1 < merged.size() && merged.get(i + 1).start() < end) {
        end = (end + merged.get(i + 1).start()) / 2;
      }
      if (end > start) {
        out.add(new Window(start, end, w.label()));
      }
    }
    return out;
  }

  private static int check(float[][] embeddings) {
    if (embeddings == null || embeddings.length == 0) {
      throw new IllegalArgumentException("no embeddings to cluster");
    }
    int d = embeddings[0].length;
    for (float[] e : embeddings) {
      if (e.length != d || d == 0) {
        throw new IllegalArgumentException("the embeddings must all have the same, non-zero size");
      }
      for (float v : e) {
        if (!Float.isFinite(v)) {
          throw new IllegalArgumentException("an embedding holds " + v);
        }
      }
    }
    return embeddings.length;
  }

  private static double[][] cosine(float[][] x) {
    int n = x.length;
    double[] norms = new double[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (float v : x[i]) {
        s += (double) v * v;
      }
      norms[i] = Math.max(Math.sqrt(s), 1e-12);
    }
    double[][] m = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        double s = 0;
        for (int k = 0; k < x[i].length; k++) {
          s += (double) x[i][k] * x[j][k];
        }
        m[i][j] = s / (norms[i] * norms[j]);
        m[j][i] = m[i][j];
      }
    }
    return m;
  }

  /** Lloyd's k-means with k-means++ starts; the labels of the start with the lowest inertia. */
  static int[] kMeans(double[][] x, int k, int starts, int maxIter, long seed) {
    int n = x.length;
    int d = x[0].length;
    SplittableRandom rng = new SplittableRandom(seed);
    int[] bestLabels = null;
    double bestInertia = Double.POSITIVE_INFINITY;
    for (int s = 0; s < starts; s++) {
      double[][] c = new double[k][];
      c[0] = x[rng.nextInt(n)].clone();
      double[] near = new double[n];
      for (int j = 1; j < k; j++) {
        double total = 0;
        for (int i = 0; i < n; i++) {
          near[i] = Double.POSITIVE_INFINITY;
          for (int m = 0; m < j; m++) {
            near[i] = Math.min(near[i], sq(x[i], c[m]));
          }
          total += near[i];
        }
        double r = rng.nextDouble() * total;
        int pick = n - 1;
        for (int i = 0; i < n; i++) {
          r -= near[i];
          if (r < 0) {
            pick = i;
            break;
          }
        }
        c[j] = x[pick].clone();
      }
      int[] labels = new int[n];
      double inertia = 0;
      for (int it = 0; it < maxIter; it++) {
        inertia = 0;
        boolean changed = it == 0;
        for (int i = 0; i < n; i++) {
          int arg = 0;
          double best = Double.POSITIVE_INFINITY;
          for (int m = 0; m < k; m++) {
            double dd = sq(x[i], c[m]);
            if (dd < best) {
              best = dd;
              arg = m;
            }
          }
          changed |= labels[i] != arg;
          labels[i] = arg;
          inertia += best;
        }
        if (!changed) {
          break;
        }
        double[][] sum = new double[k][d];
        int[] size = new int[k];
        for (int i = 0; i < n; i++) {
          size[labels[i]]++;
          for (int q = 0; q < d; q++) {
            sum[labels[i]][q] += x[i][q];
          }
        }
        for (int m = 0; m < k; m++) {
          if (size[m] > 0) {
            for (int q = 0; q < d; q++) {
              c[m][q] = sum[m][q] / size[m];
            }
          }
        }
      }
      if (inertia < bestInertia - 1e-12) {
        bestInertia = inertia;
        bestLabels = labels;
      }
    }
    return bestLabels;
  }

  private static double sq(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double t = a[i] - b[i];
      s += t * t;
    }
    return s;
  }

  /** Labels renumbered 0, 1, ... in order of first appearance. */
  private static int[] renumber(int[] labels) {
    int[] map = new int[labels.length + 1];
    Arrays.fill(map, -1);
    int next = 0;
    int[] out = new int[labels.length];
    for (int i = 0; i < labels.length; i++) {
      if (map[labels[i]] < 0) {
        map[labels[i]] = next++;
      }
      out[i] = map[labels[i]];
    }
    return out;
  }
}
