package dev.sonus.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CtcGreedyTest {
  /** One-hot-ish log-probabilities over {@code [-, a, b]} following the given frame labels. */
  static float[][] frames(int vocab, int... labels) {
    float[][] out = new float[labels.length][vocab];
    for (int t = 0; t < labels.length; t++) {
      for (int v = 0; v < vocab; v++) {
        out[t][v] = (float) Math.log(v == labels[t] ? 0.9 : 0.1 / (vocab - 1));
      }
    }
    return out;
  }

  @Test
  void collapsesRepeatsAndKeepsRepeatsSeparatedByBlank() {
    // frames a a - a b b -> "aab"
    int[] ids = new CtcGreedy().decode(frames(3, 1, 1, 0, 1, 2, 2));
    assertArrayEquals(new int[] {1, 1, 2}, ids);
  }

  @Test
  void usesConfigurableBlank() {
    int[] ids = new CtcGreedy(2).decode(frames(3, 0, 2, 0, 1, 1, 2));
    assertArrayEquals(new int[] {0, 0, 1}, ids);
  }

  @Test
  void decodesOnlyTheGivenFrames() {
    assertArrayEquals(new int[] {1}, new CtcGreedy().decode(frames(3, 1, 2, 2), 1));
  }

  @Test
  void rejectsNegativeBlank() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new CtcGreedy(-1));
    assertTrue(e.getMessage().contains("-1"), e.getMessage());
  }
}
