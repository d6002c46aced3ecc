package dev.sonus.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelEncoderTest {
  @TempDir Path dir;

  @Test
  void ctcEncoderPutsTheBlankFirstAndRoundTripsText() {
    LabelEncoder e = LabelEncoder.forCtc(List.of("seven", "one two"), false);
    assertEquals(0, e.blankIndex());
    assertEquals(List.of("<blank>", " ", "e", "n", "o", "s", "t", "v", "w"), e.labels());
    long[] ids = e.encodeChars("two seven");
    assertEquals("two seven", e.decodeChars(ids));
  }

  @Test
  void unknownCharactersMapToUnkOrFailWithTheLabel() {
    LabelEncoder strict = LabelEncoder.forCtc(List.of("ab"), false);
    IllegalArgumentException ex =
        assertThrows(IllegalArgumentException.class, () -> strict.encodeChars("abc"));
    assertTrue(ex.getMessage().contains("'c'"), ex.getMessage());
    LabelEncoder lenient = LabelEncoder.forCtc(List.of("ab"), true);
    assertArrayEquals(new long[] {1, 3}, lenient.encodeChars("ac"));
  }

  @Test
  void savesAndLoadsSpeechBrainsFormat() {
    LabelEncoder e = LabelEncoder.forCtc(List.of("it's"), true);
    Path p = dir.resolve("label_encoder.txt");
    e.save(p);
    LabelEncoder back = LabelEncoder.load(p);
    assertEquals(e.labels(), back.labels());
    assertEquals(back.encode("<unk>"), back.encode("z"));
  }
}
