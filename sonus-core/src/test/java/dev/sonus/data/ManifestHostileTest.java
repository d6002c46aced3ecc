package dev.sonus.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.testing.Budget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and oversized manifests: each is refused with the file, line and limit, or loaded in
 * linear time.
 */
class ManifestHostileTest {
  @TempDir Path dir;

  @Test
  void aLargeJsonManifestLoadsInLinearTime() throws IOException {
    // 200,000 rows (13 MB): finding each row's line by searching the text from its start took
    // quadratic time.
    StringBuilder sb = new StringBuilder("{\n");
    int rows = 200_000;
    for (int i = 0; i < rows; i++) {
      sb.append(" \"utt")
          .append(i)
          .append("\": {\"wav\": \"{root}/")
          .append(i)
          .append(".wav\", \"duration\": 1.5, \"spk\": \"s")
          .append(i % 40)
          .append("\"}")
          .append(i + 1 < rows ? ",\n" : "\n");
    }
    Path p = Files.writeString(dir.resolve("big.json"), sb.append("}\n"));
    Budget.assertWithin(
        "JSON manifest of 200,000 rows (" + Files.size(p) + " bytes)",
        Budget.FUZZ,
        () -> {
          Manifest m = Manifest.load(p, Map.of("root", "/r"));
          assertEquals(rows, m.size());
          assertEquals(rows + 1, m.rows().get(rows - 1).line());
          return m;
        });
  }

  @Test
  void jsonRowLinesAreTheLinesOfTheirKeysEvenWhenAValueRepeatsAKey() throws IOException {
    Path p =
        Files.writeString(
            dir.resolve("m.json"),
            "{\"a\": {\"next\": \"b\", \"x\": {\"b\": 1}},\n\n \"b\": {\"k\": \"a\"}}");
    Manifest m = Manifest.load(p, Map.of());
    assertEquals(1, m.rows().get(0).line());
    assertEquals(3, m.rows().get(1).line());
  }

  @Test
  void aNanDurationIsRefusedNamingFileAndLine() throws IOException {
    Path p =
        Files.writeString(dir.resolve("nan.csv"), "ID,duration,wav\nu1,1.0,a.wav\nu2,NaN,b.wav\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Manifest.load(p, Map.of()));
    assertTrue(
        e.getMessage().startsWith(p + ":3: duration 'NaN' is not a finite number"), e.getMessage());
  }

  @Test
  void aCsvRecordWithMoreFieldsThanMaxColumnsIsRefused() throws IOException {
    Path p = Files.writeString(dir.resolve("wide.csv"), "ID" + ",c".repeat(2000) + "\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Manifest.load(p, Map.of()));
    assertTrue(
        e.getMessage().startsWith(p + ":1: ")
            && e.getMessage().contains("more than 1000 fields (the limit maxColumns)")
            && e.getMessage().contains("withMaxColumns(2000)"),
        e.getMessage());
    assertEquals(
        0, Manifest.load(p, Map.of(), Manifest.Limits.defaults().withMaxColumns(2001)).size());
  }

  @Test
  void aManifestLargerThanMaxFileBytesIsRefusedBeforeItIsRead() throws IOException {
    Path p = Files.writeString(dir.resolve("m.csv"), "ID,wav\n" + "u,a.wav\n".repeat(1000));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Manifest.load(p, Map.of(), Manifest.Limits.defaults().withMaxFileBytes(1000)));
    assertTrue(
        e.getMessage().startsWith(p + ": the manifest is 8007 bytes")
            && e.getMessage().contains("maxFileBytes"),
        e.getMessage());
  }

  @Test
  void aDeeplyNestedJsonManifestIsRefusedNamingMaxDepth() throws IOException {
    Path p =
        Files.writeString(
            dir.resolve("deep.json"),
            "{\"u\": {\"x\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}}");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Manifest.load(p, Map.of()));
    assertTrue(
        e.getMessage().startsWith(p + ": ")
            && e.getMessage().contains("nested deeper than 64 levels")
            && e.getMessage().contains("withMaxDepth(128)"),
        e.getMessage());
  }
}
