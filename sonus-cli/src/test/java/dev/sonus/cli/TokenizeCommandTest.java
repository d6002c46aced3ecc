package dev.sonus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.cli.MainTest.Result;
import dev.sonus.tokenize.SentencePiece;
import dev.sonus.tokenize.SentencePieceModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sonus tokenize} and {@code sonus tokenize train}, on manifests made here. */
class TokenizeCommandTest {
  private static final String[] WORDS = {
    "THE", "CAT", "SAT", "ON", "A", "MAT", "THAT", "WAS", "FLAT", "AND", "THEN", "RAN", "AWAY",
    "HAT"
  };

  @TempDir Path dir;

  /** A manifest of {@code n} made-up transcripts in column {@code wrd}, audio under $data_root. */
  private Path manifest(String name, int n) throws Exception {
    StringBuilder csv = new StringBuilder("ID,duration,wav,spk_id,wrd\n");
    for (int i = 0; i < n; i++) {
      List<String> words = new ArrayList<>();
      for (int w = 0; w < 3 + i % 5; w++) {
        words.add(WORDS[(i * 7 + w * 3) % WORDS.length]);
      }
      csv.append("utt")
          .append(i)
          .append(",1.5,$data_root/utt")
          .append(i)
          .append(".wav,spk")
          .append(i % 3)
          .append(',')
          .append(String.join(" ", words))
          .append('\n');
    }
    return Files.writeString(dir.resolve(name), csv);
  }

  private Path train(String type, String vocab) throws Exception {
    Path out = dir.resolve(type + ".model");
    List<String> args =
        new ArrayList<>(
            List.of(
                "tokenize",
                "train",
                "--type",
                type,
                "--manifest",
                manifest("train.csv", 40).toString(),
                "--out",
                out.toString()));
    if (vocab != null) {
      args.addAll(List.of("--vocab", vocab));
    }
    Result r = MainTest.run(args.toArray(new String[0]));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("wrote " + out) && r.out().contains("40 transcripts"), r.out());
    return out;
  }

  @Test
  void trainsEachTypeAndEncodesWithTheModelItWrote() throws Exception {
    for (String[] t : new String[][] {{"unigram", "25"}, {"bpe", "25"}, {"char", null}}) {
      Path model = train(t[0], t[1]);
      SentencePiece sp = SentencePiece.load(model);
      assertEquals(t[0].toUpperCase(java.util.Locale.ROOT), sp.model().type().name());
      if (t[1] != null) {
        assertEquals(Integer.parseInt(t[1]), sp.size());
      }
      Result ids = MainTest.run("tokenize", "--model", model.toString(), "THE CAT", "A HAT SAT");
      assertEquals(0, ids.status(), ids.err());
      String[] lines = ids.out().split("\\R");
      assertEquals(2, lines.length, ids.out());
      assertEquals(
          Arrays.toString(sp.encode("THE CAT")),
          Arrays.toString(
              Arrays.stream(lines[0].split(" ")).mapToInt(Integer::parseInt).toArray()));
      Result pieces =
          MainTest.run("tokenize", "--model", model.toString(), "--pieces", "A HAT SAT");
      assertEquals(String.join(" ", sp.encodeAsPieces("A HAT SAT")), pieces.out().strip());
      Result decoded = MainTest.run("tokenize", "--model", model.toString(), "--decode", lines[1]);
      assertEquals("A HAT SAT", decoded.out().strip(), decoded.err());
      Result fromPieces =
          MainTest.run(
              "tokenize",
              "--model",
              model.toString(),
              "--decode",
              "--pieces",
              pieces.out().strip());
      assertEquals("A HAT SAT", fromPieces.out().strip(), fromPieces.err());
    }
  }

  @Test
  void specialPiecesAndSymbolsComeFromTheOptions() throws Exception {
    Path out = dir.resolve("special.model");
    Result r =
        MainTest.run(
            "tokenize",
            "train",
            "--type",
            "unigram",
            "--vocab",
            "30",
            "--manifest",
            manifest("a.csv", 20).toString(),
            manifest("b.csv", 20).toString(),
            "--out",
            out.toString(),
            "--bos-id",
            "1",
            "--eos-id",
            "2",
            "--user-defined-symbols",
            "[NOISE],[LAUGH]",
            "--control-symbols",
            "<en>");
    assertEquals(0, r.status(), r.err());
    SentencePiece sp = SentencePiece.load(out);
    assertEquals(1, sp.bosId());
    assertEquals(2, sp.eosId());
    assertEquals(SentencePieceModel.PieceType.USER_DEFINED, sp.type(sp.pieceToId("[LAUGH]")));
    assertEquals(SentencePieceModel.PieceType.CONTROL, sp.type(sp.pieceToId("<en>")));
    Result p = MainTest.run("tokenize", "--model", out.toString(), "--pieces", "THE [LAUGH] CAT");
    assertTrue(p.out().contains(" [LAUGH] "), p.out());
  }

  @Test
  void aTextThatIsTheWordTrainFollowsADoubleDash() throws Exception {
    Path model = train("char", null);
    Result r = MainTest.run("tokenize", "--model", model.toString(), "--pieces", "--", "train");
    assertEquals(0, r.status(), r.err());
    assertEquals("\u2581 train", r.out().strip(), "the space, then one unknown piece");
  }

  @Test
  void wrongArgumentsAreUsageErrorsThatSayWhatToGive() throws Exception {
    Path csv = manifest("m.csv", 10);
    Object[][] cases = {
      {new String[] {"tokenize", "THE CAT"}, "--model is missing"},
      {new String[] {"tokenize", "--model", "x.model"}, "no TEXT given"},
      {
        new String[] {
          "tokenize",
          "train",
          "--type",
          "wordpiece",
          "--vocab",
          "10",
          "--manifest",
          csv.toString(),
          "--out",
          dir.resolve("o.model").toString()
        },
        "--type is 'wordpiece'"
      },
      {
        new String[] {
          "tokenize",
          "train",
          "--type",
          "bpe",
          "--manifest",
          csv.toString(),
          "--out",
          dir.resolve("o.model").toString()
        },
        "--vocab is missing"
      },
      {
        new String[] {
          "tokenize",
          "train",
          "--type",
          "bpe",
          "--vocab",
          "0",
          "--manifest",
          csv.toString(),
          "--out",
          dir.resolve("o.model").toString()
        },
        "--vocab is 0"
      },
      {
        new String[] {
          "tokenize",
          "train",
          "--type",
          "unigram",
          "--vocab",
          "30",
          "--manifest",
          csv.toString(),
          "--out",
          dir.resolve("o.model").toString(),
          "--character-coverage",
          "0.5"
        },
        "--character-coverage is 0.5"
      },
      {
        new String[] {
          "tokenize",
          "train",
          "--type",
          "unigram",
          "--vocab",
          "30",
          "--manifest",
          csv.toString(),
          "--out",
          dir.resolve("o.model").toString(),
          "--column",
          "words"
        },
        "has no column 'words'"
      },
      {
        new String[] {
          "tokenize",
          "train",
          "--type",
          "unigram",
          "--vocab",
          "30",
          "--manifest",
          csv.toString(),
          "--out",
          dir.resolve("o.model").toString(),
          "--bos-id",
          "30"
        },
        "--bos-id is 30"
      },
      {new String[] {"tokenize", "train", "--type", "bpe", "--vocab", "10"}, "--manifest"},
    };
    for (Object[] c : cases) {
      String[] args = (String[]) c[0];
      Result r = MainTest.run(args);
      assertEquals(2, r.status(), Arrays.toString(args) + ": " + r.err());
      assertTrue(r.err().contains((String) c[1]), "'" + c[1] + "' in: " + r.err());
    }
    assertFalse(Files.exists(dir.resolve("o.model")), "no model is written on a usage error");
  }

  @Test
  void problemsWithTheDataOrTheModelFailNamingThem() throws Exception {
    Path csv = manifest("m.csv", 10);
    Result small =
        MainTest.run(
            "tokenize",
            "train",
            "--type",
            "unigram",
            "--vocab",
            "5",
            "--manifest",
            csv.toString(),
            "--out",
            dir.resolve("o.model").toString());
    assertEquals(1, small.status(), small.err());
    assertTrue(small.err().contains("use a vocabulary of at least"), small.err());

    Path missing = dir.resolve("absent.model");
    Result m = MainTest.run("tokenize", "--model", missing.toString(), "THE");
    assertEquals(1, m.status(), m.err());
    assertTrue(m.err().contains(missing.toString()), m.err());

    Path junk = Files.writeString(dir.resolve("junk.model"), "<html>not found</html>");
    Result j = MainTest.run("tokenize", "--model", junk.toString(), "THE");
    assertEquals(1, j.status(), j.err());
    assertTrue(j.err().contains(junk.toString()) && j.err().contains("copy it again"), j.err());
    assertFalse(j.err().contains("internal error"), j.err());

    Path model = train("char", null);
    Result bad = MainTest.run("tokenize", "--model", model.toString(), "--decode", "1 x 2");
    assertEquals(2, bad.status(), bad.err());
    assertTrue(bad.err().contains("'x' is not one"), bad.err());
    Result range = MainTest.run("tokenize", "--model", model.toString(), "--decode", "1 9999");
    assertEquals(2, range.status(), range.err());
    assertTrue(range.err().contains("id 9999 is outside"), range.err());
  }
}
