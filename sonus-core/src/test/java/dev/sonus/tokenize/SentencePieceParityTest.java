package dev.sonus.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.testing.FixtureManifest;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tokenizers of {@code <sonus.fixtures>/speechbrain-tokenizer}: SentencePiece models that
 * SpeechBrain trained with sentencepiece 0.1.97, and the ids, pieces and decoded text sentencepiece
 * gives for held-out sentences (an unseen word among them). Each case of the manifest names its
 * model file and vocabulary size; the model type and unknown id come from the manifest's
 * description of the file ({@code model_type=..., unk_id=...}). Ids and pieces must be equal.
 */
class SentencePieceParityTest {
  private static final String FOLDER = "speechbrain-tokenizer";

  static Stream<String> models() {
    return FixtureManifest.cases(
        FOLDER, m -> m.get("cases").list().stream().map(c -> c.get("model").string()));
  }

  private static FixtureManifest.Node caseOf(FixtureManifest m, String model) {
    return m.get("cases").list().stream()
        .filter(c -> c.get("model").string().equals(model))
        .findFirst()
        .orElseThrow();
  }

  @ParameterizedTest
  @MethodSource("models")
  void idsPiecesAndDecodedTextEqualSentencepieces(String model) {
    FixtureManifest m = FixtureManifest.of(FOLDER);
    FixtureManifest.Node c = caseOf(m, model);
    Path file = m.path(model);
    SentencePiece sp = SentencePiece.load(file);
    assertEquals(c.get("vocab_size").intValue(), sp.size(), model + ": vocabulary size");
    Map<String, String> made = FixtureManifest.callArgs(m.file(model).get("description").string());
    if (made.containsKey("model_type")) {
      assertEquals(
          made.get("model_type"),
          sp.model().type().name().toLowerCase(Locale.ROOT),
          model + ": model type");
    }
    if (made.containsKey("unk_id")) {
      assertEquals(Integer.parseInt(made.get("unk_id")), sp.unkId(), model + ": unk id");
    }
    List<FixtureManifest.Node> sentences = c.get("encode").list();
    assertFalse(sentences.isEmpty(), model + ": no sentences in the manifest");
    for (FixtureManifest.Node s : sentences) {
      String text = s.get("text").string();
      int[] ids = s.get("ids").list().stream().mapToInt(FixtureManifest.Node::intValue).toArray();
      assertArrayEquals(ids, sp.encode(text), () -> model + ": ids of '" + text + "'");
      assertEquals(
          s.get("pieces").strings(),
          sp.encodeAsPieces(text),
          () -> model + ": pieces of '" + text + "'");
      if (s.has("decoded")) {
        assertEquals(s.get("decoded").string(), sp.decode(ids), () -> model + ": decoded ids");
        assertEquals(
            s.get("decoded").string(),
            sp.decodePieces(s.get("pieces").strings()),
            () -> model + ": decoded pieces");
      }
    }
    System.out.printf(
        "%s (%s, %d pieces): %d sentences encode to sentencepiece's ids and pieces%n",
        model, sp.model().type(), sp.size(), sentences.size());
  }

  /**
   * The models' {@code nmt_nfkc} charsmap normalises fullwidth forms, ligatures and enclosed
   * numbers as Unicode NFKC does (java.text.Normalizer gives the expected text).
   */
  @ParameterizedTest
  @MethodSource("models")
  void theNmtNfkcCharsmapNormalisesLikeNfkc(String model) {
    FixtureManifest m = FixtureManifest.of(FOLDER);
    SentencePieceModel spm = SentencePieceModel.load(m.path(model));
    SentencePieceModel.Normalization spec = spm.normalizer();
    if (!spec.name().equals("nmt_nfkc")) {
      return; // another rule set: nothing of NFKC to compare
    }
    assertTrue(spec.precompiledCharsmap().length > 0, model + ": nmt_nfkc without a charsmap");
    SentencePieceNormalizer normalizer = new SentencePieceNormalizer(spec, false, null, model);
    int checked = 0;
    int[][] ranges = {{0xFF21, 0xFF3A}, {0xFF41, 0xFF5A}, {0xFF10, 0xFF19}, {0xFB00, 0xFB04}};
    for (int[] r : ranges) {
      for (int c = r[0]; c <= r[1]; c++) {
        String in = new String(Character.toChars(c));
        String expected = "\u2581" + Normalizer.normalize(in, Normalizer.Form.NFKC);
        assertEquals(expected, normalizer.normalize(in), String.format("U+%04X", c));
        checked++;
      }
    }
    assertEquals("\u2581A\u2581B", normalizer.normalize("  \uFF21 \u3000 B "), "spaces");
    assertTrue(checked > 50);
  }
}
