package dev.sonus.metrics;

import java.util.Arrays;

/**
 * The optimal one-to-one assignment of columns to rows (Hungarian algorithm, O(n³) with potentials)
 * for a rectangular matrix: the mapping of hypothesis to reference speakers of {@link
 * DiarizationErrorRate}, and any other matching of two label sets by a score.
 */
final class Assignment {
  private Assignment() {}

  /**
   * The assignment that maximises the total of {@code score[row][col]} over the assigned pairs.
   *
   * @return for each column, its row, or -1 when it has none (more columns than rows)
   */
  static int[] maximise(double[][] score, int rows, int cols) {
    int n = Math.max(rows, cols);
    int[] out = new int[cols];
    Arrays.fill(out, -1);
    if (rows == 0 || cols == 0) {
      return out;
    }
    double max = 0;
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        if (!Double.isFinite(score[r][c])) {
          throw new IllegalArgumentException("score[" + r + "][" + c + "] is " + score[r][c]);
        }
        max = Math.max(max, score[r][c]);
      }
    }
    // minimise max - score over a square matrix; padded cells cost max (score 0)
    double[][] cost = new double[n + 1][n + 1];
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < n; c++) {
        cost[r + 1][c + 1] = max - (r < rows && c < cols ? score[r][c] : 0);
      }
    }
    double[] u = new double[n + 1];
    double[] v = new double[n + 1];
    int[] rowOfCol = new int[n + 1]; // 1-based row matched to each column; 0: none yet
    int[] way = new int[n + 1];
    for (int r = 1; r <= n; r++) {
      rowOfCol[0] = r;
      int c0 = 0;
      double[] minv = new double[n + 1];
      Arrays.fill(minv, Double.POSITIVE_INFINITY);
      boolean[] used = new boolean[n + 1];
      do {
        used[c0] = true;
        int r0 = rowOfCol[c0];
        double delta = Double.POSITIVE_INFINITY;
        int c1 = 0;
        for (int c = 1; c <= n; c++) {
          if (!used[c]) {
            double cur = cost[r0][c] - u[r0] - v[c];
            if (cur < minv[c]) {
              minv[c] = cur;
              way[c] = c0;
            }
            if (minv[c] < delta) {
              delta = minv[c];
              c1 = c;
            }
          }
        }
        for (int c = 0; c <= n; c++) {
          if (used[c]) {
            u[rowOfCol[c]] += delta;
            v[c] -= delta;
          } else {
            minv[c] -= delta;
          }
        }
        c0 = c1;
      } while (rowOfCol[c0] != 0);
      do {
        int c1 = way[c0];
        rowOfCol[c0] = rowOfCol[c1];
        c0 = c1;
      } while (c0 != 0);
    }
    for (int c = 1; c <= cols; c++) {
      int r = rowOfCol[c] - 1;
      out[c - 1] = r < rows ? r : -1;
    }
    return out;
  }
}
