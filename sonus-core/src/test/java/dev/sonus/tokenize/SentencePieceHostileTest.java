package dev.sonus.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.tokenize.SentencePieceModel.ModelException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged, truncated, oversized and inconsistent {@code .model} files: each is refused with a
 * {@link ModelException} that names the file, what is wrong and what to do, never with another
 * exception or by encoding wrongly.
 */
class SentencePieceHostileTest {
  @TempDir Path dir;

  private final byte[] good = TestModels.trained(SentencePieceModel.Type.UNIGRAM, 40).toByteArray();

  private Path write(String name, byte[] bytes) throws Exception {
    return Files.write(dir.resolve(name), bytes);
  }

  private ModelException refused(Path file) {
    ModelException e = assertThrows(ModelException.class, () -> SentencePiece.load(file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertEquals(file, e.file());
    return e;
  }

  private ModelException refusedEdit(
      String name, Consumer<com.google.protobuf.DynamicMessage.Builder> edit) throws Exception {
    return refused(write(name, TestModels.edited(good, edit)));
  }

  private static void says(ModelException e, String... parts) {
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
    }
  }

  @Test
  void aTruncatedModelIsRefusedAsTruncatedWithTheFix() throws Exception {
    for (int cut : new int[] {1, 7, good.length / 2, good.length - 1}) {
      Path f = write("cut" + cut + ".model", Arrays.copyOf(good, cut));
      ModelException e = assertThrows(ModelException.class, () -> SentencePiece.load(f));
      assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
      assertTrue(
          e.getMessage().contains("truncated or damaged") || e.getMessage().contains("damaged"),
          e.getMessage());
      assertTrue(e.getMessage().contains("copy it again"), e.getMessage());
    }
  }

  @Test
  void anEmptyFileIsRefused() throws Exception {
    says(refused(write("empty.model", new byte[0])), "empty", "copy it again");
  }

  @Test
  void textOrNoiseIsNotAModel() throws Exception {
    says(
        refused(write("notes.model", "this is not a model\n".getBytes(StandardCharsets.UTF_8))),
        "SentencePiece");
    byte[] noise = new byte[4096];
    new Random(7).nextBytes(noise);
    refused(write("noise.model", noise));
    says(refused(write("ff.model", new byte[] {(byte) 0xFF, (byte) 0xFF, 0x0F})), "damaged");
  }

  @Test
  void aMissingFileIsAnIoErrorNamingIt() {
    Path f = dir.resolve("absent.model");
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> SentencePiece.load(f));
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
  }

  @Test
  void aFileBeyondTheSizeLimitIsRefusedBeforeParsing() throws Exception {
    Path f = write("big.model", good);
    SentencePieceModel.Limits small = SentencePieceModel.Limits.defaults().withMaxFileBytes(100);
    ModelException e = assertThrows(ModelException.class, () -> SentencePiece.load(f, small));
    says(e, f.toString(), "maxFileBytes", "sonus.limits.tokenizer.maxFileBytes");
  }

  @Test
  void moreThanTheLimitOfPiecesIsRefusedBeforeParsing() throws Exception {
    Path f = write("many.model", good);
    SentencePieceModel.Limits few = SentencePieceModel.Limits.defaults().withMaxPieces(10);
    ModelException e = assertThrows(ModelException.class, () -> SentencePiece.load(f, few));
    says(e, "40 pieces", "maxPieces", "sonus.limits.tokenizer.maxPieces");
  }

  @Test
  void aModelWithoutAnUnknownPieceIsRefused() throws Exception {
    says(refusedEdit("nounk.model", TestModels.piece(0, null, null, "CONTROL")), "unknown piece");
  }

  @Test
  void twoUnknownPiecesAreRefused() throws Exception {
    says(
        refusedEdit("twounk.model", TestModels.piece(5, null, null, "UNKNOWN")),
        "two pieces are the unknown piece");
  }

  @Test
  void aPieceDefinedTwiceIsRefusedWithBothIds() throws Exception {
    String first =
        SentencePieceModel.parse(good, null, SentencePieceModel.Limits.defaults())
            .pieces()
            .get(3)
            .piece();
    says(
        refusedEdit("dup.model", TestModels.piece(9, first, null, null)),
        "'" + first + "' is defined twice (ids 3 and 9)");
  }

  @Test
  void anEmptyPieceOrANanScoreIsRefused() throws Exception {
    says(refusedEdit("emptypiece.model", TestModels.piece(4, "", null, null)), "piece 4 is empty");
    says(refusedEdit("nan.model", TestModels.piece(4, null, Float.NaN, null)), "NaN");
  }

  @Test
  void bytePiecesNeedByteFallbackAndAllOfThem() throws Exception {
    says(
        refusedEdit("byte.model", TestModels.addPiece("<0x41>", 0, "BYTE")),
        "byte_fallback is false");
    says(
        refusedEdit(
            "fallback.model",
            TestModels.setIn("trainer_spec", "byte_fallback", true)
                .andThen(TestModels.addPiece("<0x41>", 0, "BYTE"))),
        "<0x00> is missing");
    says(
        refusedEdit(
            "badbyte.model",
            TestModels.setIn("trainer_spec", "byte_fallback", true)
                .andThen(TestModels.addPiece("<0xZZ>", 0, "BYTE"))),
        "not of the form <0xXX>");
  }

  @Test
  void anUnknownModelOrPieceTypeIsRefusedByNumber() throws Exception {
    // Field 3 of TrainerSpec (model_type) and of a piece (type) with an undefined enum number.
    byte[] badType = concat(good, new byte[] {0x12, 0x02, 0x18, 0x09});
    says(refused(write("type9.model", badType)), "model_type is [9]");
    byte[] badPiece = concat(good, new byte[] {0x0A, 0x05, 0x0A, 0x01, 'q', 0x18, 0x07});
    says(refused(write("piece7.model", badPiece)), "has type [7]");
  }

  @Test
  void aCharsmapWhoseTrieExceedsItIsRefused() throws Exception {
    byte[] blob = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(400).array();
    says(
        refusedEdit(
            "charsmap.model", TestModels.setIn("normalizer_spec", "precompiled_charsmap", blob)),
        "trie takes 400 bytes");
    says(
        refusedEdit(
            "tiny.model",
            TestModels.setIn("normalizer_spec", "precompiled_charsmap", new byte[] {1, 0})),
        "at least 5");
  }

  @Test
  void aDamagedCharsmapTrieNeverReadsOutsideIt() throws Exception {
    Random random = new Random(3);
    byte[] real = TestModels.charsMap(Map.of("\uFF21", "A", "\uFB01", "fi"));
    for (int round = 0; round < 200; round++) {
      byte[] blob = real.clone();
      for (int k = 0; k < 8; k++) {
        int at = 4 + random.nextInt(blob.length - 4);
        blob[at] = (byte) random.nextInt(256);
      }
      Path f =
          write(
              "garbled.model",
              TestModels.edited(
                  good, TestModels.setIn("normalizer_spec", "precompiled_charsmap", blob)));
      SentencePiece sp = SentencePiece.load(f);
      int[] ids = sp.encode("THE \uFF21\uFB01 CAT \u00E9\uFFFF");
      sp.decode(ids);
    }
  }

  @Test
  void garbledModelsAreRefusedOrWorkNeverCrash() throws Exception {
    Random random = new Random(11);
    int refused = 0;
    for (int round = 0; round < 300; round++) {
      byte[] bytes = good.clone();
      for (int k = 0; k < 1 + random.nextInt(4); k++) {
        bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
      }
      Path f = write("garbled" + round + ".model", bytes);
      try {
        SentencePiece sp = SentencePiece.load(f);
        sp.decode(sp.encode("THE CAT SAT \u00E9"));
      } catch (ModelException e) {
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        refused++;
      }
    }
    assertTrue(refused > 0, "no garbled model was refused");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
