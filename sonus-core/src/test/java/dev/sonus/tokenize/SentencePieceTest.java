package dev.sonus.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.tokenize.SentencePieceModel.PieceType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Training, saving, loading, encoding and decoding SentencePiece models made here. */
class SentencePieceTest {
  @TempDir Path dir;

  private static int vocabFor(SentencePieceModel.Type type) {
    return type == SentencePieceModel.Type.CHAR ? 0 : 40;
  }

  @ParameterizedTest
  @EnumSource(
      value = SentencePieceModel.Type.class,
      names = {"UNIGRAM", "BPE", "CHAR"})
  void aTrainedModelSavesLoadsAndEncodesItsTextBack(SentencePieceModel.Type type) throws Exception {
    SentencePieceModel trained = TestModels.trained(type, vocabFor(type));
    Path file = dir.resolve(type + ".model");
    trained.save(file);
    SentencePiece sp = SentencePiece.load(file);
    assertEquals(type, sp.model().type());
    if (type != SentencePieceModel.Type.CHAR) {
      assertEquals(40, sp.size(), TestModels.describe(sp.model()));
    }
    assertEquals(0, sp.unkId());
    assertEquals("<unk>", sp.idToPiece(0));
    assertEquals(-1, sp.bosId());
    assertEquals(-1, sp.eosId());
    for (String text : TestModels.transcripts(60)) {
      int[] ids = sp.encode(text);
      assertTrue(ids.length > 0);
      for (int id : ids) {
        assertTrue(
            id != sp.unkId(), () -> "'" + text + "' needs <unk>: " + sp.encodeAsPieces(text));
      }
      assertEquals(text, sp.decode(ids), "round trip of ids");
      assertEquals(text, sp.decodePieces(sp.encodeAsPieces(text)), "round trip of pieces");
      assertEquals(ids.length, sp.encodeAsPieces(text).size());
    }
    assertArrayEquals(trained.toByteArray(), Files.readAllBytes(file));
  }

  @ParameterizedTest
  @EnumSource(
      value = SentencePieceModel.Type.class,
      names = {"UNIGRAM", "BPE", "CHAR"})
  void trainingIsDeterministic(SentencePieceModel.Type type) {
    assertArrayEquals(
        TestModels.trained(type, vocabFor(type)).toByteArray(),
        TestModels.trained(type, vocabFor(type)).toByteArray());
  }

  @Test
  void subwordModelsLearnFrequentWordsAndEveryCharacter() {
    for (SentencePieceModel.Type type :
        List.of(SentencePieceModel.Type.UNIGRAM, SentencePieceModel.Type.BPE)) {
      SentencePiece sp = new SentencePiece(TestModels.trained(type, 40));
      String vocab = TestModels.describe(sp.model());
      assertTrue(sp.pieceToId("\u2581THE") != sp.unkId(), type + ": " + vocab);
      for (String text : TestModels.transcripts(60)) {
        for (char c : text.replace(" ", "").toCharArray()) {
          assertTrue(sp.pieceToId(String.valueOf(c)) != sp.unkId(), type + " lacks " + c);
        }
      }
      for (SentencePieceModel.Piece p : sp.model().pieces()) {
        String body = p.piece().startsWith("\u2581") ? p.piece().substring(1) : p.piece();
        assertFalse(body.contains("\u2581"), type + ": a piece crosses a word: " + p.piece());
      }
    }
  }

  @Test
  void bpeScoresAreMinusTheMergeRankAndCharPiecesAreLogProbabilities() {
    List<SentencePieceModel.Piece> bpe =
        TestModels.trained(SentencePieceModel.Type.BPE, 40).pieces();
    for (int id = 1; id < bpe.size(); id++) {
      assertEquals(-(id - 1), bpe.get(id).score(), 0, bpe.get(id).piece());
    }
    double sum = 0;
    for (SentencePieceModel.Piece p :
        TestModels.trained(SentencePieceModel.Type.CHAR, 0).pieces()) {
      if (p.type() == PieceType.NORMAL) {
        sum += Math.exp(p.score());
        assertTrue(p.score() < 0);
      }
    }
    assertEquals(1.0, sum, 1e-5);
  }

  @Test
  void unseenCharactersRunTogetherIntoOneUnknownPiece() {
    SentencePiece sp = new SentencePiece(TestModels.trained(SentencePieceModel.Type.UNIGRAM, 40));
    List<String> pieces = sp.encodeAsPieces("THE ÅÆØ CAT");
    int[] ids = sp.encode("THE ÅÆØ CAT");
    int at = pieces.indexOf("ÅÆØ");
    assertTrue(at >= 0, pieces.toString());
    assertEquals(sp.unkId(), ids[at]);
    assertEquals("THE \u2047 CAT", sp.decode(ids).replace("  ", " ").strip());
    assertEquals("THE ÅÆØ CAT", sp.decodePieces(pieces), "an unknown piece decodes as itself");
  }

  @Test
  void byteFallbackEncodesUnseenCharactersAsTheirUtf8Bytes() {
    SentencePieceTrainer.Options o =
        SentencePieceTrainer.Options.of(SentencePieceModel.Type.BPE, 40 + 256)
            .withByteFallback(true);
    SentencePiece sp = new SentencePiece(SentencePieceTrainer.train(TestModels.transcripts(60), o));
    List<String> pieces = sp.encodeAsPieces("CAT é");
    assertTrue(pieces.containsAll(List.of("<0xC3>", "<0xA9>")), pieces.toString());
    assertEquals(PieceType.BYTE, sp.type(sp.pieceToId("<0xC3>")));
    assertEquals("CAT é", sp.decode(sp.encode("CAT é")));
    assertEquals("\uFFFD", sp.decodePieces(List.of("<0xC3>")), "a lone lead byte");
  }

  @Test
  void userDefinedSymbolsStayWholeAndControlSymbolsHaveNoSurface() {
    SentencePieceTrainer.Options o =
        SentencePieceTrainer.Options.of(SentencePieceModel.Type.UNIGRAM, 45)
            .withSpecialIds(0, 1, 2, -1)
            .withUserDefinedSymbols(List.of("[NOISE]"))
            .withControlSymbols(List.of("<en>"));
    SentencePiece sp = new SentencePiece(SentencePieceTrainer.train(TestModels.transcripts(60), o));
    assertEquals(1, sp.bosId());
    assertEquals(2, sp.eosId());
    assertEquals(PieceType.CONTROL, sp.type(sp.pieceToId("<en>")));
    int noise = sp.pieceToId("[NOISE]");
    assertEquals(PieceType.USER_DEFINED, sp.type(noise));
    List<String> pieces = sp.encodeAsPieces("THE CAT[NOISE]SAT");
    assertTrue(pieces.contains("[NOISE]"), pieces.toString());
    int[] ids = sp.encode("THE CAT[NOISE]SAT");
    assertEquals("THE CAT[NOISE]SAT", sp.decode(ids));
    int[] framed = new int[ids.length + 2];
    framed[0] = sp.bosId();
    System.arraycopy(ids, 0, framed, 1, ids.length);
    framed[framed.length - 1] = sp.eosId();
    assertEquals("THE CAT[NOISE]SAT", sp.decode(framed), "<s> and </s> decode to nothing");
    int en = sp.pieceToId("<en>");
    assertFalse(
        java.util.Arrays.stream(sp.encode("THE <en> CAT")).anyMatch(id -> id == en),
        "text never makes a control piece");
  }

  @Test
  void spacesAreNormalisedAndTheLeadingOneDropped() {
    SentencePiece sp = new SentencePiece(TestModels.trained(SentencePieceModel.Type.CHAR, 0));
    assertEquals(List.of("\u2581", "A", "\u2581", "C", "A", "T"), sp.encodeAsPieces("  A   CAT "));
    assertEquals("A CAT", sp.decode(sp.encode("  A   CAT ")));
    assertEquals(0, sp.encode("   ").length);
    assertEquals("", sp.decode());
    assertEquals(
        "A  C",
        sp.decodePieces(List.of("\u2581", "\u2581", "A", "\u2581", "\u2581", "C")),
        "every leading space goes, later ones stay");
  }

  @Test
  void theCharsmapReplacesTheLongestRuleAndCopiesTheRest() {
    byte[] charsMap =
        TestModels.charsMap(
            Map.of("\uFF21", "A", "\uFB01", "fi", "\uFF21\uFF21", "AA!", "\u0007", ""));
    SentencePieceModel.Normalization spec =
        new SentencePieceModel.Normalization("test", charsMap, true, true, true);
    SentencePieceNormalizer n = new SentencePieceNormalizer(spec, false, null, "test");
    assertEquals("\u2581A\u2581\uFB00fi", n.normalize("\uFF21 \uFB00\uFB01"));
    assertEquals("\u2581AA!A", n.normalize("\uFF21\uFF21\uFF21"), "longest rule first");
    assertEquals("\u2581xy", n.normalize("x\u0007y"), "a rule may delete");
    SentencePieceModel.Normalization raw =
        new SentencePieceModel.Normalization("test", charsMap, false, false, false);
    assertEquals(
        "  A  x", new SentencePieceNormalizer(raw, false, null, "t").normalize("  \uFF21  x"));
    SentencePieceModel.Normalization suffix =
        new SentencePieceModel.Normalization("identity", new byte[0], true, true, true);
    assertEquals(
        "A\u2581B\u2581", new SentencePieceNormalizer(suffix, true, null, "t").normalize(" A B"));
  }

  @Test
  void aModelsOwnCharsmapIsAppliedBeforeEncoding() {
    byte[] charsMap = TestModels.charsMap(Map.of("\uFF23", "C", "\uFF21", "A", "\uFF34", "T"));
    byte[] bytes =
        TestModels.edited(
            TestModels.trained(SentencePieceModel.Type.BPE, 40).toByteArray(),
            TestModels.setIn("normalizer_spec", "precompiled_charsmap", charsMap)
                .andThen(TestModels.setIn("normalizer_spec", "name", "nmt_nfkc")));
    SentencePiece sp =
        new SentencePiece(
            SentencePieceModel.parse(bytes, null, SentencePieceModel.Limits.defaults()));
    assertArrayEquals(sp.encode("THE CAT"), sp.encode("THE \uFF23\uFF21\uFF34"));
  }

  @Test
  void aWordModelKeepsWholeWords() {
    byte[] bytes =
        TestModels.edited(
            TestModels.trained(SentencePieceModel.Type.CHAR, 0).toByteArray(),
            TestModels.setIn("trainer_spec", "model_type", "WORD")
                .andThen(TestModels.addPiece("\u2581CAT", -1, "NORMAL")));
    SentencePiece sp =
        new SentencePiece(
            SentencePieceModel.parse(bytes, null, SentencePieceModel.Limits.defaults()));
    assertEquals(List.of("\u2581CAT", "\u2581DOG"), sp.encodeAsPieces("CAT DOG"));
    assertEquals(sp.unkId(), sp.encode("CAT DOG")[1]);
  }

  @Test
  void anUnusedPieceIsSplitBackIntoWhatItWasMergedFrom() {
    SentencePieceModel bpe = TestModels.trained(SentencePieceModel.Type.BPE, 40);
    int the = -1;
    for (int id = 0; id < bpe.size(); id++) {
      if (bpe.pieces().get(id).piece().equals("\u2581THE")) {
        the = id;
      }
    }
    assertTrue(the > 0, TestModels.describe(bpe));
    byte[] bytes =
        TestModels.edited(bpe.toByteArray(), TestModels.piece(the, null, null, "UNUSED"));
    SentencePiece sp =
        new SentencePiece(
            SentencePieceModel.parse(bytes, null, SentencePieceModel.Limits.defaults()));
    List<String> pieces = sp.encodeAsPieces("THE");
    assertTrue(pieces.size() > 1 && String.join("", pieces).equals("\u2581THE"), pieces.toString());
  }

  @Test
  void aSelfTestSampleIsChecked() {
    byte[] model = TestModels.trained(SentencePieceModel.Type.CHAR, 0).toByteArray();
    byte[] good = TestModels.edited(model, TestModels.selfTest("CAT", "\u2581 C A T"));
    new SentencePiece(SentencePieceModel.parse(good, null, SentencePieceModel.Limits.defaults()));
    byte[] bad = TestModels.edited(model, TestModels.selfTest("CAT", "\u2581C AT"));
    SentencePieceModel.ModelException e =
        assertThrows(
            SentencePieceModel.ModelException.class,
            () ->
                new SentencePiece(
                    SentencePieceModel.parse(bad, null, SentencePieceModel.Limits.defaults())));
    assertTrue(
        e.getMessage().contains("self-test") && e.getMessage().contains("'CAT'"), e.getMessage());
  }

  @Test
  void longIdsForTensorsEncodeAndDecodeAsInts() {
    SentencePiece sp = new SentencePiece(TestModels.trained(SentencePieceModel.Type.BPE, 40));
    long[] ids = sp.encodeIds("THE CAT SAT");
    assertArrayEquals(
        java.util.Arrays.stream(sp.encode("THE CAT SAT")).asLongStream().toArray(), ids);
    assertEquals("THE CAT SAT", sp.decodeIds(ids));
    assertThrows(IllegalArgumentException.class, () -> sp.decodeIds(new long[] {1L << 33}));
  }

  @Test
  void anIdOutsideTheVocabularyIsRefusedByValue() {
    SentencePiece sp = new SentencePiece(TestModels.trained(SentencePieceModel.Type.CHAR, 0));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> sp.decode(1, sp.size()));
    assertTrue(e.getMessage().contains("id " + sp.size()), e.getMessage());
    assertEquals(sp.unkId(), sp.pieceToId("no such piece"));
  }

  @Test
  void aVocabularyTooSmallForTheCharactersIsRefusedWithTheSizeNeeded() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SentencePieceTrainer.train(
                    TestModels.transcripts(60),
                    SentencePieceTrainer.Options.of(SentencePieceModel.Type.UNIGRAM, 10)));
    assertTrue(e.getMessage().contains("at least"), e.getMessage());
  }

  @Test
  void aVocabularyLargerThanTheTextGivesIsRefusedWithTheMost() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SentencePieceTrainer.train(
                    List.of("AB AB"),
                    SentencePieceTrainer.Options.of(SentencePieceModel.Type.BPE, 500)));
    assertTrue(e.getMessage().contains("at most"), e.getMessage());
  }

  @Test
  void badTrainingOptionsNameTheValue() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SentencePieceTrainer.Options.of(SentencePieceModel.Type.UNIGRAM, 100)
                    .withCharacterCoverage(0.5));
    assertTrue(e.getMessage().contains("0.5"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SentencePieceTrainer.Options.of(SentencePieceModel.Type.BPE, 0));
    assertTrue(e.getMessage().contains("vocabSize is 0"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SentencePieceTrainer.train(
                    List.of("", ""),
                    SentencePieceTrainer.Options.of(SentencePieceModel.Type.CHAR, 0)));
    assertTrue(e.getMessage().contains("no text"), e.getMessage());
  }

  @Test
  void rareCharactersBelowTheCoverageBecomeUnknown() {
    List<String> text = new java.util.ArrayList<>(TestModels.transcripts(200));
    text.add("THE CAT Q");
    SentencePiece sp =
        new SentencePiece(
            SentencePieceTrainer.train(
                text,
                SentencePieceTrainer.Options.of(SentencePieceModel.Type.CHAR, 0)
                    .withCharacterCoverage(0.999)));
    assertEquals(sp.unkId(), sp.pieceToId("Q"), TestModels.describe(sp.model()));
  }
}
