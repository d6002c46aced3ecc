package dev.sonus.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CtcPrefixBeamSearchTest {
  private static float[][] logOf(double[][] probs) {
    float[][] out = new float[probs.length][];
    for (int t = 0; t < probs.length; t++) {
      out[t] = new float[probs[t].length];
      for (int v = 0; v < probs[t].length; v++) {
        out[t][v] = (float) Math.log(probs[t][v]);
      }
    }
    return out;
  }

  @Test
  void beamFindsMoreProbableLabellingThanGreedy() {
    // Blank wins every frame (0.6), but "a" sums three paths: 0.16 + 0.24 + 0.24 = 0.64 > 0.36.
    float[][] lp = logOf(new double[][] {{0.6, 0.4}, {0.6, 0.4}});
    assertArrayEquals(new int[0], new CtcGreedy().decode(lp));
    CtcPrefixBeamSearch search =
        new CtcPrefixBeamSearch(List.of("-", "a"), 0, CtcPrefixBeamSearch.Options.defaults());
    CtcHypothesis best = search.decode(lp).get(0);
    assertEquals("a", best.text());
    assertEquals(Math.log(0.64), best.score(), 1e-6);
  }

  @Test
  void returnsAtMostTopkHypothesesBestFirst() {
    float[][] lp = logOf(new double[][] {{0.6, 0.4}, {0.6, 0.4}});
    CtcPrefixBeamSearch search =
        new CtcPrefixBeamSearch(
            List.of("-", "a"),
            0,
            CtcPrefixBeamSearch.Options.defaults().withTopk(3).withPruning(-10, -5, false));
    List<CtcHypothesis> hyps = search.decode(lp);
    // Two frames allow only two labellings ("aa" would need a blank between the a's).
    assertEquals(List.of("a", ""), hyps.stream().map(CtcHypothesis::text).toList());
    assertEquals(Math.log(0.64), hyps.get(0).score(), 1e-6);
    assertEquals(Math.log(0.36), hyps.get(1).score(), 1e-6);
  }

  @Test
  void languageModelChangesTheWinner(@TempDir Path dir) throws IOException {
    Path arpa = dir.resolve("tiny.arpa");
    Files.writeString(
        arpa,
        String.join(
            "\n",
            "\\data\\",
            "ngram 1=5",
            "ngram 2=2",
            "",
            "\\1-grams:",
            "-1.0 </s>",
            "-99 <s> -0.3",
            "-2.0 <unk>",
            "-3.0 a -0.2",
            "-0.3 b -0.2",
            "",
            "\\2-grams:",
            "-0.1 <s> b",
            "-0.2 b </s>",
            "",
            "\\end\\",
            ""));
    ArpaLm lm = ArpaLm.read(arpa);
    // One frame: "a" 0.5, "b" 0.4; the LM strongly prefers "b".
    float[][] lp = logOf(new double[][] {{0.1, 0.5, 0.4, 1e-3}});
    List<String> vocab = List.of("-", "a", "b", " ");
    CtcPrefixBeamSearch.Options options =
        CtcPrefixBeamSearch.Options.defaults().withLmWeights(1.0, 0.0);
    CtcPrefixBeamSearch plain = new CtcPrefixBeamSearch(vocab, 0, " ", options, null, null);
    assertEquals("a", plain.decode(lp).get(0).text());
    CtcHypothesis fused = plain.withLm(lm).decode(lp).get(0);
    assertEquals("b", fused.text());
    double expectedLm = Math.log(10) * (-0.1 + -0.2);
    assertEquals(Math.log(0.4) + expectedLm, fused.lmScore(), 1e-5);
    assertEquals(Math.log(0.4), fused.score(), 1e-6);
  }

  @Test
  void wordBonusAppliesPerCompletedWord(@TempDir Path dir) throws IOException {
    Path arpa = dir.resolve("uni.arpa");
    Files.writeString(
        arpa,
        String.join(
            "\n",
            "\\data\\",
            "ngram 1=4",
            "",
            "\\1-grams:",
            "-1.0 </s>",
            "-99 <s>",
            "-1.0 a",
            "-1.0 b",
            "",
            "\\end\\",
            ""));
    // Frames spell "a b" clearly.
    float[][] lp =
        logOf(
            new double[][] {
              {0.01, 0.97, 0.01, 0.01}, {0.01, 0.01, 0.01, 0.97}, {0.01, 0.01, 0.97, 0.01}
            });
    CtcPrefixBeamSearch search =
        new CtcPrefixBeamSearch(
            List.of("-", "a", "b", " "),
            0,
            " ",
            CtcPrefixBeamSearch.Options.defaults().withLmWeights(0.5, 2.0),
            ArpaLm.read(arpa),
            null);
    CtcHypothesis best = search.decode(lp).get(0);
    assertEquals("a b", best.text());
    double lm = 0.5 * Math.log(10) * (-1.0 - 1.0 - 1.0) + 2 * 2.0;
    assertEquals(best.score() + lm, best.lmScore(), 1e-5);
  }

  @Test
  void lexiconRemovesNonWord() {
    List<String> vocab = List.of("-", "a", "b", "c");
    float[][] lp =
        logOf(
            new double[][] {
              {0.1, 0.3, 0.0001, 0.6}, {0.05, 0.9, 0.025, 0.025}, {0.05, 0.025, 0.9, 0.025}
            });
    CtcPrefixBeamSearch plain =
        new CtcPrefixBeamSearch(vocab, 0, CtcPrefixBeamSearch.Options.defaults());
    assertEquals("cab", plain.decode(lp).get(0).text());
    assertEquals("ab", plain.withLexicon(Set.of("ab", "ba")).decode(lp).get(0).text());
  }

  @Test
  void arpaBacksOffToShorterHistory(@TempDir Path dir) throws IOException {
    Path arpa = dir.resolve("bo.arpa");
    Files.writeString(
        arpa,
        String.join(
            "\n",
            "\\data\\",
            "ngram 1=4",
            "ngram 2=1",
            "",
            "\\1-grams:",
            "-1.0 </s>",
            "-99 <s> -0.5",
            "-0.7 a -0.25",
            "-0.9 <unk>",
            "",
            "\\2-grams:",
            "-0.2 <s> a",
            "",
            "\\end\\",
            ""));
    ArpaLm lm = ArpaLm.read(arpa);
    assertEquals(2, lm.order());
    assertEquals(-0.2, lm.logProb10(List.of("<s>"), "a"), 1e-12);
    assertEquals(-0.25 + -1.0, lm.logProb10(List.of("<s>", "a"), "</s>"), 1e-12);
    assertEquals(-0.5 + -0.9, lm.logProb10(List.of("<s>"), "zebra"), 1e-12);
    assertEquals(-0.2 - 1.25, lm.sentenceLogProb10(List.of("a")), 1e-12);
  }

  @Test
  void arpaRejectsTruncatedFile(@TempDir Path dir) throws IOException {
    Path arpa = dir.resolve("bad.arpa");
    Files.writeString(arpa, "\\data\\\nngram 1=1\n\n\\1-grams:\n-1.0 a\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ArpaLm.read(arpa));
    assertTrue(
        e.getMessage().contains("bad.arpa") && e.getMessage().contains("missing"), e.getMessage());
  }

  @Test
  void rejectsBlankOutsideVocabulary() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new CtcPrefixBeamSearch(
                    List.of("-", "a"), 5, CtcPrefixBeamSearch.Options.defaults()));
    assertTrue(e.getMessage().contains("5"), e.getMessage());
  }

  @Test
  void rejectsZeroBeam() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> CtcPrefixBeamSearch.Options.defaults().withBeamSize(0));
    assertTrue(e.getMessage().contains("beamSize is 0"), e.getMessage());
  }
}
