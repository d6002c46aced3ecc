package dev.sonus.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EditDistanceTest {
  private static List<String> w(String text) {
    return TextTokens.words(text);
  }

  private static String ops(EditDistance d) {
    StringBuilder sb = new StringBuilder();
    d.alignment().forEach(p -> sb.append(p.op().symbol()));
    return sb.toString();
  }

  @Test
  void identicalSequencesHaveNoErrors() {
    EditDistance d = EditDistance.align(w("a b c"), w("a b c"));
    assertEquals(0, d.edits());
    assertEquals(3, d.correct());
    assertEquals(0.0, d.errorRate());
    assertEquals("===", ops(d));
  }

  @Test
  void oneSubstitution() {
    EditDistance d = EditDistance.align(w("a b c"), w("a x c"));
    assertEquals(List.of(1, 0, 0), List.of(d.substitutions(), d.insertions(), d.deletions()));
    assertEquals(new AlignedPair(EditOp.SUBSTITUTION, "b", "x"), d.alignment().get(1));
    assertEquals(100.0 / 3, d.errorRate(), 1e-12);
  }

  @Test
  void oneInsertion() {
    EditDistance d = EditDistance.align(w("a c"), w("a b c"));
    assertEquals(List.of(0, 1, 0), List.of(d.substitutions(), d.insertions(), d.deletions()));
    assertEquals(new AlignedPair(EditOp.INSERTION, null, "b"), d.alignment().get(1));
    assertEquals(50.0, d.errorRate());
  }

  @Test
  void oneDeletion() {
    EditDistance d = EditDistance.align(w("a b c"), w("a c"));
    assertEquals(List.of(0, 0, 1), List.of(d.substitutions(), d.insertions(), d.deletions()));
    assertEquals(new AlignedPair(EditOp.DELETION, "b", null), d.alignment().get(1));
  }

  @Test
  void emptyReferenceMakesEveryHypothesisTokenAnInsertionAndTheRateNaN() {
    EditDistance d = EditDistance.align(List.of(), w("a b"));
    assertEquals("II", ops(d));
    assertEquals(2, d.insertions());
    assertEquals(0, d.refLength());
    assertTrue(Double.isNaN(d.errorRate()));
  }

  @Test
  void emptyHypothesisMakesEveryReferenceTokenADeletion() {
    EditDistance d = EditDistance.align(w("a b"), List.of());
    assertEquals("DD", ops(d));
    assertEquals(100.0, d.errorRate());
  }

  @Test
  void bothEmptyGiveAnEmptyAlignment() {
    EditDistance d = EditDistance.align(List.of(), List.of());
    assertTrue(d.alignment().isEmpty());
    assertEquals(0, d.edits());
    assertTrue(Double.isNaN(d.errorRate()));
  }

  // Expected alignments below were produced by speechbrain.utils.edit_distance (v1.0.0) op_table +
  // alignment.
  @Test
  void workedExampleMatchesSpeechBrain() {
    EditDistance d = EditDistance.words("the cat sat on the mat", "the cat sit on mat today");
    assertEquals(
        List.of(
            new AlignedPair(EditOp.CORRECT, "the", "the"),
            new AlignedPair(EditOp.CORRECT, "cat", "cat"),
            new AlignedPair(EditOp.SUBSTITUTION, "sat", "sit"),
            new AlignedPair(EditOp.CORRECT, "on", "on"),
            new AlignedPair(EditOp.DELETION, "the", null),
            new AlignedPair(EditOp.CORRECT, "mat", "mat"),
            new AlignedPair(EditOp.INSERTION, null, "today")),
        d.alignment());
    assertEquals(
        List.of(1, 1, 1, 4),
        List.of(d.insertions(), d.deletions(), d.substitutions(), d.correct()));
    assertEquals(50.0, d.errorRate());
  }

  @Test
  void tiesPreferInsertionThenDeletionFromTheEndLikeSpeechBrain() {
    assertEquals("=I", ops(EditDistance.align(w("a"), w("a a"))));
    assertEquals("D=I", ops(EditDistance.align(w("a b"), w("b a"))));
    assertEquals("SDD", ops(EditDistance.align(w("a b c"), w("x"))));
    assertEquals("=S=D", ops(EditDistance.align(w("a b c d"), w("a x c"))));
  }

  @Test
  void printsTheAlignmentInThreeCentredLines() {
    EditDistance d = EditDistance.words("the cat sat on the mat", "the cat sit on mat today");
    String expected =
        ""
            + "the ; cat ; sat ; on ;  the  ; mat ; <eps>\n"
            + " =  ;  =  ;  S  ; =  ;   D   ;  =  ;   I  \n"
            + "the ; cat ; sit ; on ; <eps> ; mat ; today\n";
    assertEquals(expected, d.formatAlignment());
  }

  @Test
  void characterErrorRateKeepsWordBoundariesAsAToken() {
    assertEquals(List.of("a", "<space>", "b", "c"), TextTokens.characters("  a   bc "));
    assertEquals(List.of("a", "b", "c"), TextTokens.characters("a bc", null));
    EditDistance d = EditDistance.cer("ab c", "abc");
    assertEquals(1, d.deletions());
    assertEquals(new AlignedPair(EditOp.DELETION, "<space>", null), d.alignment().get(2));
    assertEquals(25.0, d.errorRate());
  }

  @Test
  void rejectsNullTokensNamingThePosition() {
    IllegalArgumentException ex =
        assertThrows(
            IllegalArgumentException.class,
            () -> EditDistance.align(Arrays.asList("a", null), List.of("a")));
    assertTrue(ex.getMessage().contains("ref token 1 of 2"), ex.getMessage());
  }

  @Test
  void rejectsAPairThatContradictsItsOp() {
    IllegalArgumentException ex =
        assertThrows(
            IllegalArgumentException.class, () -> new AlignedPair(EditOp.SUBSTITUTION, "a", "a"));
    assertTrue(ex.getMessage().contains("'a'"), ex.getMessage());
  }
}
