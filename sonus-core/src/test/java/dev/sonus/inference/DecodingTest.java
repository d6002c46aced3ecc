package dev.sonus.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.decode.CtcDecoder;
import dev.sonus.decode.CtcGreedy;
import dev.sonus.decode.CtcPrefixBeamSearch;
import dev.sonus.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecodingTest {

  private static Path arpa(Path dir) throws IOException {
    Path lm = dir.resolve("ab.arpa");
    Files.writeString(
        lm,
        """
        \\data\\
        ngram 1=4

        \\1-grams:
        -0.30103 </s>
        -99 <s>
        -0.30103 ab
        -5.0 ba

        \\end\\
        """);
    return lm;
  }

  @Test
  void nothingGivenKeepsTheRecipesDecoder() {
    CtcDecoder greedy = new CtcGreedy(0);
    assertSame(greedy, Decoding.override(greedy, new Decoding.Change(null, null, null)));
  }

  @Test
  void aBeamSizeTurnsGreedyIntoBeamSearchWithSpeechBrainsDefaults() {
    CtcDecoder d = Decoding.override(new CtcGreedy(0), new Decoding.Change(7, null, null));
    CtcPrefixBeamSearch beam = assertInstanceOf(CtcPrefixBeamSearch.class, d);
    assertEquals(7, beam.settings().beamSize());
    assertEquals(
        CtcPrefixBeamSearch.Settings.defaults().beamPruneLogp(), beam.settings().beamPruneLogp());
  }

  @Test
  void theRecipesBeamSettingsAreKeptWhereTheOverrideIsSilent(@TempDir Path tmp) throws IOException {
    CtcPrefixBeamSearch recipe =
        new CtcPrefixBeamSearch(
            CtcPrefixBeamSearch.Settings.defaults()
                .withBeamSize(3)
                .withLm(arpa(tmp))
                .withLmWeight(0.8));
    CtcPrefixBeamSearch d =
        (CtcPrefixBeamSearch) Decoding.override(recipe, new Decoding.Change(null, null, 1.5));
    assertEquals(3, d.settings().beamSize());
    assertEquals(1.5, d.settings().lmWeight());
    assertEquals(arpa(tmp), d.settings().lmPath());
  }

  @Test
  void anLmWeightWithoutAnLmIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Decoding.override(new CtcGreedy(0), new Decoding.Change(4, null, 0.5)));
    assertTrue(e.getMessage().contains("--lm FILE"), e.getMessage());
  }

  @Test
  void aMissingLmFileIsNamed(@TempDir Path tmp) {
    Path missing = tmp.resolve("nope.arpa");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Decoding.override(new CtcGreedy(0), new Decoding.Change(4, missing, null)));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }

  @Test
  void labelsNameTheDecoderForResultFiles(@TempDir Path tmp) throws IOException {
    assertEquals("beam10_lm-ab_w0.5", new Decoding.Change(10, arpa(tmp), 0.5).label());
    assertEquals("beam4", new Decoding.Change(4, null, null).label());
  }

  @Test
  void theLmAndLexiconOfARecipeDecoderSteerTheText(@TempDir Path tmp) throws IOException {
    // Frames favour "ba" slightly; the LM and the lexicon both prefer "ab".
    List<String> vocab = List.of("<blank>", "a", "b");
    float[] p = {
      (float) Math.log(0.1), (float) Math.log(0.45), (float) Math.log(0.45),
      (float) Math.log(0.1), (float) Math.log(0.45), (float) Math.log(0.45)
    };
    Path lexicon = tmp.resolve("words.txt");
    Files.writeString(lexicon, "# allowed words\nab a b\n");
    try (PointerScope scope = new PointerScope()) {
      var logProbs = Tensors.fromFloats(p, 1, 2, 3);
      var rel = Tensors.fromFloats(new float[] {1f}, 1);
      CtcPrefixBeamSearch.Settings base = CtcPrefixBeamSearch.Settings.defaults().withBeamSize(8);
      List<String> withLexicon =
          new CtcPrefixBeamSearch(
                  new CtcPrefixBeamSearch.Settings(
                      base.beamSize(),
                      base.beamPruneLogp(),
                      base.tokenPruneMinLogp(),
                      base.pruneHistory(),
                      base.blankSkipThreshold(),
                      null,
                      base.lmWeight(),
                      base.wordBonus(),
                      base.unkScoreOffset(),
                      lexicon,
                      " ",
                      0))
              .decode(logProbs, rel, vocab);
      assertEquals(List.of("ab"), withLexicon, "only 'ab' is a word of the lexicon");
      List<String> withLm =
          new CtcPrefixBeamSearch(base.withLm(arpa(tmp)).withLmWeight(2.0))
              .decode(logProbs, rel, vocab);
      assertEquals(List.of("ab"), withLm, "the LM gives 'ab' a far higher probability than 'ba'");
    }
  }
}
