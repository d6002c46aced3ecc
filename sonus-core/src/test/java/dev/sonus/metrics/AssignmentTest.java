package dev.sonus.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AssignmentTest {
  /** The best total over every one-to-one assignment, by brute force. */
  private static double best(double[][] s, int rows, int cols, int col, boolean[] usedRows) {
    if (col == cols) {
      return 0;
    }
    double b = best(s, rows, cols, col + 1, usedRows); // column left unassigned
    for (int r = 0; r < rows; r++) {
      if (!usedRows[r]) {
        usedRows[r] = true;
        b = Math.max(b, s[r][col] + best(s, rows, cols, col + 1, usedRows));
        usedRows[r] = false;
      }
    }
    return b;
  }

  @Test
  void theAssignmentIsTheBestOfAllOnRandomRectangularMatrices() {
    SplittableRandom g = new SplittableRandom(7);
    for (int trial = 0; trial < 300; trial++) {
      int rows = 1 + g.nextInt(5);
      int cols = 1 + g.nextInt(5);
      double[][] s = new double[rows][cols];
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          s[r][c] = g.nextInt(4) == 0 ? 0 : g.nextDouble() * 10;
        }
      }
      int[] a = Assignment.maximise(s, rows, cols);
      boolean[] seen = new boolean[rows];
      double total = 0;
      for (int c = 0; c < cols; c++) {
        if (a[c] >= 0) {
          assertEquals(false, seen[a[c]], "row " + a[c] + " assigned twice");
          seen[a[c]] = true;
          total += s[a[c]][c];
        }
      }
      assertEquals(best(s, rows, cols, 0, new boolean[rows]), total, 1e-9, "trial " + trial);
    }
  }

  @Test
  void moreColumnsThanRowsLeaveTheWeakestUnassigned() {
    double[][] s = {{1, 9, 3}};
    assertArrayEquals(new int[] {-1, 0, -1}, Assignment.maximise(s, 1, 3));
  }
}
