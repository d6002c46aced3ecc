package dev.sonus.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sonus.decode.VadBoundaries.Segment;
import java.util.List;
import org.junit.jupiter.api.Test;

class VadBoundariesTest {
  private static boolean[] flags(String s) {
    boolean[] b = new boolean[s.length()];
    for (int i = 0; i < b.length; i++) {
      b[i] = s.charAt(i) == '1';
    }
    return b;
  }

  @Test
  void hysteresisStartsHighAndEndsLow() {
    float[] p = {0.1f, 0.6f, 0.3f, 0.26f, 0.2f, 0.4f, 0.9f, 0.5f};
    assertArrayEquals(flags("01110011"), VadBoundaries.threshold(p, 0.5, 0.25));
    assertThrows(IllegalArgumentException.class, () -> VadBoundaries.threshold(p, 0.2, 0.5));
  }

  @Test
  void boundariesFollowSpeechBrainsFrameConvention() {
    // runs 1-3 and 6-9 (the end): SpeechBrain gives (1, 3) and (6, 8) frames
    assertEquals(
        List.of(new Segment(0.01, 0.03), new Segment(0.06, 0.08)),
        round(VadBoundaries.boundaries(flags("0111001111"), 0.01)));
    // speech from the first frame; a run of only the last frame; a run of two at the end
    assertEquals(
        List.of(new Segment(0, 0.01)), round(VadBoundaries.boundaries(flags("11000"), 0.01)));
    assertEquals(
        List.of(new Segment(0.04, 0.04)), round(VadBoundaries.boundaries(flags("00001"), 0.01)));
    assertEquals(
        List.of(new Segment(0.03, 0.03)), round(VadBoundaries.boundaries(flags("00011"), 0.01)));
    assertEquals(List.of(), VadBoundaries.boundaries(flags("0000"), 0.01));
  }

  private static List<Segment> round(List<Segment> s) {
    return s.stream()
        .map(x -> new Segment(Math.round(x.start() * 1e6) / 1e6, Math.round(x.end() * 1e6) / 1e6))
        .toList();
  }

  @Test
  void closeSegmentsMergeAndShortOnesGo() {
    List<Segment> s = List.of(new Segment(0, 1), new Segment(1.2, 2), new Segment(3, 3.1));
    assertEquals(
        List.of(new Segment(0, 2), new Segment(3, 3.1)), VadBoundaries.mergeClose(s, 0.25));
    assertEquals(
        List.of(new Segment(0, 1), new Segment(1.2, 2)), VadBoundaries.removeShort(s, 0.25));
  }

  @Test
  void theEnergyCheckFindsTheLoudPartOfASegment() {
    int rate = 16000;
    float[] x = new float[3 * rate];
    java.util.SplittableRandom g = new java.util.SplittableRandom(1);
    for (int i = 0; i < x.length; i++) {
      boolean loud = i >= rate && i < 2 * rate;
      x[i] = (float) (g.nextGaussian() * (loud ? 0.3 : 0.001));
    }
    List<Segment> fine =
        VadBoundaries.energy(x, rate, List.of(new Segment(0, 3)), 0.01, 0.5, 0.3, 1e-6);
    assertEquals(1, fine.size(), fine.toString());
    assertEquals(1.0, fine.get(0).start(), 0.02);
    assertEquals(2.0, fine.get(0).end(), 0.02);
  }

  @Test
  void framesAreScoredAgainstTheReference() {
    boolean[] ref = VadBoundaries.frames(List.of(new Segment(0.1, 0.5)), 100, 0.01);
    assertEquals(40, count(ref));
    boolean[] hyp = VadBoundaries.frames(List.of(new Segment(0.3, 0.7)), 100, 0.01);
    VadBoundaries.Scores s = VadBoundaries.score(ref, hyp);
    assertEquals(0.5, s.precision(), 1e-12);
    assertEquals(0.5, s.recall(), 1e-12);
    assertEquals(0.5, s.f1(), 1e-12);
  }

  private static int count(boolean[] b) {
    int c = 0;
    for (boolean v : b) {
      c += v ? 1 : 0;
    }
    return c;
  }
}
