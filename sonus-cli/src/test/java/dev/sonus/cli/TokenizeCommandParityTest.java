package dev.sonus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sonus.cli.MainTest.Result;
import dev.sonus.testing.FixtureManifest;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code sonus tokenize} with the SentencePiece models of {@code
 * <sonus.fixtures>/speechbrain-tokenizer}: every sentence of each case of its manifest, given in
 * one call, prints sentencepiece's ids (and, with {@code --pieces}, its pieces) one line each.
 */
class TokenizeCommandParityTest {
  private static final String FOLDER = "speechbrain-tokenizer";

  static Stream<String> models() {
    return FixtureManifest.cases(
        FOLDER, m -> m.get("cases").list().stream().map(c -> c.get("model").string()));
  }

  @ParameterizedTest
  @MethodSource("models")
  void printsSentencepiecesIdsAndPieces(String model) {
    FixtureManifest m = FixtureManifest.of(FOLDER);
    FixtureManifest.Node c =
        m.get("cases").list().stream()
            .filter(n -> n.get("model").string().equals(model))
            .findFirst()
            .orElseThrow();
    List<FixtureManifest.Node> sentences = c.get("encode").list();
    // "--" before the texts: a sentence is never taken for an option or the train command.
    List<String> args =
        new ArrayList<>(List.of("tokenize", "--model", m.path(model).toString(), "--"));
    List<String> ids = new ArrayList<>();
    List<String> pieces = new ArrayList<>();
    for (FixtureManifest.Node s : sentences) {
      args.add(s.get("text").string());
      ids.add(
          s.get("ids").list().stream()
              .map(n -> String.valueOf(n.longValue()))
              .collect(Collectors.joining(" ")));
      pieces.add(String.join(" ", s.get("pieces").strings()));
    }
    Result r = MainTest.run(args.toArray(new String[0]));
    assertEquals(0, r.status(), r.err());
    assertEquals(ids, List.of(r.out().split("\\R")), model + ": ids");

    List<String> withPieces = new ArrayList<>(args);
    withPieces.add(3, "--pieces");
    Result p = MainTest.run(withPieces.toArray(new String[0]));
    assertEquals(0, p.status(), p.err());
    assertEquals(pieces, List.of(p.out().split("\\R")), model + ": pieces");
  }
}
