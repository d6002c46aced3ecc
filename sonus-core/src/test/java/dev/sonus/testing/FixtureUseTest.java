package dev.sonus.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the rule that a test class which reads the reference fixtures is named {@code *ParityTest},
 * so that {@code -Dtest='*ParityTest'} runs exactly them and a plain unit test never skips for want
 * of {@code ../shared}. Checks the test sources of every module; the helpers in {@code
 * dev/sonus/testing} are exempt.
 */
class FixtureUseTest {
  private static final Pattern READS_FIXTURES =
      Pattern.compile("Shared\\.fixture\\(|FixtureManifest\\.|Shared\\.require\\(\"fixtures/");

  @Test
  void classesThatReadFixturesAreParityTests() throws IOException {
    Path root = Shared.repoRoot();
    List<Path> testDirs;
    try (Stream<Path> modules = Files.list(root)) {
      testDirs = modules.map(m -> m.resolve("src/test/java")).filter(Files::isDirectory).toList();
    }
    assertTrue(!testDirs.isEmpty(), "no src/test/java under " + root);
    List<String> offenders;
    try (Stream<Path> files = testDirs.stream().flatMap(FixtureUseTest::javaFiles)) {
      offenders =
          files
              .filter(f -> !f.getParent().endsWith(Path.of("dev/sonus/testing")))
              .filter(f -> !f.getFileName().toString().endsWith("ParityTest.java"))
              .filter(f -> READS_FIXTURES.matcher(read(f)).find())
              .map(f -> root.relativize(f).toString())
              .sorted()
              .toList();
    }
    assertTrue(
        offenders.isEmpty(),
        "these test classes read ../shared/fixtures but are not named *ParityTest; "
            + "move the fixture checks into a *ParityTest class: "
            + offenders);
  }

  private static Stream<Path> javaFiles(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(f -> f.toString().endsWith(".java")).toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
