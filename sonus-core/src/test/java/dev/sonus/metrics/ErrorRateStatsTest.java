package dev.sonus.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorRateStatsTest {
  private static List<String> w(String text) {
    return TextTokens.words(text);
  }

  private static ErrorRateStats threeUtterances() {
    ErrorRateStats stats = new ErrorRateStats();
    stats.append("utt1", w("the cat sat on the mat"), w("the cat sit on mat today"), "spk1");
    stats.append("utt2", w("hello world"), w("hello world"), "spk2");
    stats.append("utt3", w("a b c"), w("a c"), "spk1");
    return stats;
  }

  @Test
  void summarisesAWorkedExampleWithKnownCounts() {
    ErrorRateStats.Summary s = threeUtterances().summary();
    assertEquals(new ErrorRateStats.Summary(3, 2, 11, 1, 2, 1, 8), s);
    assertEquals(4, s.edits());
    assertEquals(100.0 * 4 / 11, s.wer(), 1e-12);
    assertEquals(100.0 * 2 / 3, s.ser(), 1e-12);
    assertEquals("%WER 36.36 [ 4 / 11, 1 ins, 2 del, 1 sub ]", s.werLine());
    assertEquals("%SER 66.67 [ 2 / 3 ]", s.serLine());
  }

  @Test
  void identicalUtterancesGiveZeroRates() {
    ErrorRateStats stats = new ErrorRateStats();
    stats.append("u", w("one two"), w("one two"));
    assertEquals(0.0, stats.summary().wer());
    assertEquals(0.0, stats.summary().ser());
  }

  @Test
  void perSpeakerSumsEqualTheTotal() {
    ErrorRateStats stats = threeUtterances();
    Map<String, ErrorRateStats.Summary> bySpeaker = stats.perSpeaker();
    assertEquals(List.of("spk1", "spk2"), List.copyOf(bySpeaker.keySet()));
    assertEquals(new ErrorRateStats.Summary(2, 2, 9, 1, 2, 1, 6), bySpeaker.get("spk1"));
    long[] sums = new long[7];
    for (ErrorRateStats.Summary s : bySpeaker.values()) {
      long[] v = {
        s.utterances(),
        s.erroneousUtterances(),
        s.refTokens(),
        s.insertions(),
        s.deletions(),
        s.substitutions(),
        s.correct()
      };
      for (int k = 0; k < v.length; k++) {
        sums[k] += v[k];
      }
    }
    assertEquals(
        stats.summary(),
        new ErrorRateStats.Summary(sums[0], sums[1], sums[2], sums[3], sums[4], sums[5], sums[6]));
  }

  @Test
  void perSpeakerRefusesUtterancesWithoutASpeaker() {
    ErrorRateStats stats = new ErrorRateStats();
    stats.append("lonely", w("a"), w("a"));
    IllegalStateException ex = assertThrows(IllegalStateException.class, stats::perSpeaker);
    assertTrue(ex.getMessage().contains("'lonely'"), ex.getMessage());
  }

  @Test
  void emptyReferenceCountsInsertionsAndASentenceErrorButNoReferenceTokens() {
    ErrorRateStats stats = new ErrorRateStats();
    ErrorRateStats.Utterance u = stats.append("u", List.of(), w("uh huh"));
    assertTrue(Double.isNaN(u.errorRate()));
    ErrorRateStats.Summary s = stats.summary();
    assertEquals(2, s.insertions());
    assertEquals(0, s.refTokens());
    assertTrue(Double.isNaN(s.wer()));
    assertEquals(100.0, s.ser());
    stats.append("v", w("yes"), w("yes"));
    assertEquals(200.0, stats.summary().wer());
  }

  @Test
  void emptyAccumulatorHasNaNRates() {
    ErrorRateStats.Summary s = new ErrorRateStats().summary();
    assertTrue(Double.isNaN(s.wer()));
    assertTrue(Double.isNaN(s.ser()));
    assertEquals("%WER NaN [ 0 / 0, 0 ins, 0 del, 0 sub ]", s.werLine());
  }

  @Test
  void rejectsADuplicateUtteranceId() {
    ErrorRateStats stats = new ErrorRateStats();
    stats.append("utt1", w("a"), w("a"));
    IllegalArgumentException ex =
        assertThrows(IllegalArgumentException.class, () -> stats.append("utt1", w("b"), w("b")));
    assertTrue(ex.getMessage().contains("'utt1'"), ex.getMessage());
  }

  @Test
  void clearForgetsEverything() {
    ErrorRateStats stats = threeUtterances();
    stats.clear();
    assertEquals(0, stats.summary().utterances());
    stats.append("utt1", w("a"), w("a"));
    assertEquals(1, stats.utterances().size());
  }

  @Test
  void reportHasTheSummaryThenEachUtterancesAlignment() {
    ErrorRateStats stats = new ErrorRateStats();
    stats.append("utt1", w("the cat sat on the mat"), w("the cat sit on mat today"));
    String report = stats.report();
    assertTrue(
        report.startsWith("%WER 50.00 [ 3 / 6, 1 ins, 1 del, 1 sub ]\n%SER 100.00 [ 1 / 1 ]\n"),
        report);
    String utterance =
        "=".repeat(80)
            + "\n"
            + "utt1, %WER 50.00 [ 3 / 6, 1 ins, 1 del, 1 sub ]\n"
            + "the ; cat ; sat ; on ;  the  ; mat ; <eps>\n"
            + " =  ;  =  ;  S  ; =  ;   D   ;  =  ;   I  \n"
            + "the ; cat ; sit ; on ; <eps> ; mat ; today\n";
    assertTrue(report.endsWith(utterance), report);
  }

  @Test
  void characterErrorRateUsesTheSpaceToken() {
    ErrorRateStats stats = new ErrorRateStats();
    stats.append("u", TextTokens.characters("ab cd"), TextTokens.characters("abxcd"));
    ErrorRateStats.Summary s = stats.summary();
    assertEquals(5, s.refTokens());
    assertEquals(1, s.substitutions());
    assertEquals(20.0, s.wer());
  }
}
