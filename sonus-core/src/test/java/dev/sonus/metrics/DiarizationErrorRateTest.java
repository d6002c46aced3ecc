package dev.sonus.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DER on hand-made reference and hypothesis pairs whose errors can be counted by hand. */
class DiarizationErrorRateTest {
  private static Rttm.Turn t(double start, double end, String speaker) {
    return Rttm.Turn.of("rec", start, end, speaker);
  }

  private static DiarizationErrorRate.Result der(List<Rttm.Turn> ref, List<Rttm.Turn> hyp) {
    return DiarizationErrorRate.compute(ref, hyp, 0, false);
  }

  @Test
  void theSameTurnsUnderOtherLabelsScoreZero() {
    List<Rttm.Turn> ref = List.of(t(0, 10, "A"), t(10, 20, "B"), t(22, 30, "A"));
    List<Rttm.Turn> hyp = List.of(t(0, 10, "spk1"), t(10, 20, "spk0"), t(22, 30, "spk1"));
    DiarizationErrorRate.Result r = der(ref, hyp);
    assertEquals(0, r.der(), 1e-12);
    assertEquals(28, r.reference(), 1e-12);
    assertEquals(Map.of("spk1", "A", "spk0", "B"), r.mapping().get("rec"));
  }

  @Test
  void aLateSpeakerChangeIsConfusion() {
    // A speaks 0-10 and B 10-20; the hypothesis changes speaker at 15: 5 s given to A's label
    DiarizationErrorRate.Result r =
        der(List.of(t(0, 10, "A"), t(10, 20, "B")), List.of(t(0, 15, "x"), t(15, 20, "y")));
    assertEquals(5, r.confusion(), 1e-12);
    assertEquals(0, r.missed() + r.falseAlarm(), 1e-12);
    assertEquals(25, r.der(), 1e-12);
  }

  @Test
  void silenceInTheHypothesisIsMissedAndSpeechInTheReferencesSilenceIsFalseAlarm() {
    DiarizationErrorRate.Result r =
        der(List.of(t(0, 10, "A"), t(20, 30, "B")), List.of(t(0, 8, "x"), t(12, 14, "x")));
    // missed 8-10 (2 s) and all of B (10 s); false alarm 12-14 (2 s); x maps to A
    assertEquals(12, r.missed(), 1e-12);
    assertEquals(2, r.falseAlarm(), 1e-12);
    assertEquals(0, r.confusion(), 1e-12);
    assertEquals(70, r.der(), 1e-9);
    assertEquals(100, der(List.of(t(0, 10, "A")), List.of()).der(), 1e-12);
  }

  @Test
  void overlappedSpeechCountsOncePerSpeaker() {
    // A 0-10, B joins 5-10; one hypothesis speaker over 0-10: B's 5 s are missed
    DiarizationErrorRate.Result r =
        der(List.of(t(0, 10, "A"), t(5, 10, "B")), List.of(t(0, 10, "x")));
    assertEquals(15, r.reference(), 1e-12);
    assertEquals(5, r.missed(), 1e-12);
    assertEquals(100.0 / 3, r.der(), 1e-9);
    // both speakers found in the overlap, but with their labels swapped there: 2 x 5 s confusion
    DiarizationErrorRate.Result swapped =
        der(
            List.of(t(0, 10, "A"), t(5, 10, "B")),
            List.of(t(0, 5, "x"), t(5, 10, "y"), t(5, 10, "z")));
    assertEquals(0, swapped.missed() + swapped.falseAlarm(), 1e-12);
    assertEquals(5, swapped.confusion(), 1e-12); // x=A over 0-5; y or z maps to B, the other wrong
  }

  @Test
  void theCollarForgivesBoundariesAndSkippingOverlapLeavesItOut() {
    List<Rttm.Turn> ref = List.of(t(1, 10, "A"), t(10, 20, "B"));
    List<Rttm.Turn> hyp = List.of(t(1.2, 10.2, "x"), t(10.2, 19.9, "y"));
    assertTrue(der(ref, hyp).der() > 0);
    DiarizationErrorRate.Result forgiven = DiarizationErrorRate.compute(ref, hyp, 0.25, false);
    assertEquals(0, forgiven.der(), 1e-12);
    // ±0.25 s around the boundaries at 1, 10 and 20 s removes 0.25 + 0.5 + 0.25 s of speech
    assertEquals(19 - 1.0, forgiven.reference(), 1e-9);

    List<Rttm.Turn> overlapping = List.of(t(0, 10, "A"), t(5, 10, "B"));
    DiarizationErrorRate.Result skipped =
        DiarizationErrorRate.compute(overlapping, List.of(t(0, 10, "x")), 0, true);
    assertEquals(5, skipped.reference(), 1e-12);
    assertEquals(0, skipped.der(), 1e-12);
  }

  @Test
  void recordingsAddTheirTimesAndAFileOnlyInTheHypothesisIsFalseAlarm() {
    List<Rttm.Turn> ref = List.of(Rttm.Turn.of("a", 0, 10, "A"), Rttm.Turn.of("b", 0, 30, "B"));
    List<Rttm.Turn> hyp =
        List.of(
            Rttm.Turn.of("a", 0, 5, "x"),
            Rttm.Turn.of("b", 0, 30, "x"),
            Rttm.Turn.of("c", 0, 4, "x"));
    DiarizationErrorRate.Result r = DiarizationErrorRate.compute(ref, hyp, 0, false);
    assertEquals(40, r.reference(), 1e-12);
    assertEquals(5, r.missed(), 1e-12);
    assertEquals(4, r.falseAlarm(), 1e-12);
    assertEquals(100 * 9.0 / 40, r.der(), 1e-9);
    assertEquals("A", r.mapping().get("a").get("x"));
    assertEquals("B", r.mapping().get("b").get("x"), "the mapping is made per recording");
  }

  @Test
  void rttmFilesRoundTripAndBadOnesNameTheirLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("ref.rttm");
    List<Rttm.Turn> turns = List.of(t(0.5, 2.25, "A"), t(2.25, 4, "B"));
    Rttm.write(file, turns);
    List<Rttm.Turn> back = Rttm.read(file);
    assertEquals(2, back.size());
    assertEquals(0, der(turns, back).der(), 1e-12);
    assertEquals(1.75, back.get(0).duration(), 1e-12);

    Path comments = dir.resolve("c.rttm");
    Files.writeString(
        comments,
        ";; a comment\nSPKR-INFO rec 1 <NA> <NA> <NA> unknown A <NA> <NA>\n\n"
            + "SPEAKER rec 1 1.0 2.0 <NA> <NA> A <NA> <NA>\n");
    assertEquals(1, Rttm.read(comments).size());

    String[][] bad = {
      {"SPEAKER rec 1 -1.0 2.0 <NA> <NA> A <NA> <NA>", "start -1.0 is negative"},
      {"SPEAKER rec 1 1.0 -2.0 <NA> <NA> A <NA> <NA>", "duration -2.0 is negative"},
      {"SPEAKER rec 1 one 2.0 <NA> <NA> A <NA> <NA>", "start 'one' is not a number"},
      {"SPEAKER rec 1 1.0 NaN <NA> <NA> A <NA> <NA>", "not a finite number"},
      {"SPEAKER rec 1 1.0", "has 4"},
    };
    for (String[] c : bad) {
      Path p = dir.resolve("bad.rttm");
      Files.writeString(p, ";; header\n" + c[0] + "\n");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rttm.read(p));
      assertTrue(e.getMessage().startsWith(p + ":2: "), e.getMessage());
      assertTrue(e.getMessage().contains(c[1]), e.getMessage());
    }
    Path overlap = dir.resolve("overlap.rttm");
    Files.writeString(
        overlap,
        "SPEAKER rec 1 0.0 5.0 <NA> <NA> A <NA> <NA>\n"
            + "SPEAKER rec 1 2.0 1.0 <NA> <NA> B <NA> <NA>\n"
            + "SPEAKER rec 1 4.0 3.0 <NA> <NA> A <NA> <NA>\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Rttm.read(overlap));
    assertTrue(
        e.getMessage().startsWith(overlap + ":3: speaker A's turn at 4.000 s overlaps")
            && e.getMessage().contains("line 1"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Rttm.read(dir.resolve("missing.rttm")));
  }
}
