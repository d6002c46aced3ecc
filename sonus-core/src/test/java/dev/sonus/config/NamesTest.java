package dev.sonus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class NamesTest {

  @Test
  void snakeAndCamelConvertBothWays() {
    assertEquals("nMels", Names.camel("n_mels"));
    assertEquals("winLengthMs", Names.camel("win_length_ms"));
    assertEquals("nMels", Names.camel("nMels"));
    assertEquals("n_fft", Names.snake("nFft"));
    assertEquals("win_length_ms", Names.snake("winLengthMs"));
    assertEquals("size", Names.snake("size"));
  }

  @Test
  void suggestionsAreTheClosestNamesOnly() {
    List<String> known = List.of("sample_rate", "n_fft", "n_mels", "deltas");
    assertEquals(List.of("n_mels"), Names.similar("n_mel", known));
    assertEquals(List.of("deltas"), Names.similar("delta", known));
    assertEquals(List.of(), Names.similar("bogus", known));
    assertEquals("; did you mean n_mels?", Names.didYouMean("n_mel", known));
    assertEquals("", Names.didYouMean("xyz", known));
  }

  @Test
  void keyPathsMixDotsAndBrackets() {
    assertEquals(List.of("a", "b", "c", "0"), Names.path("a.b[c][0]"));
    assertEquals(List.of("a", "b", "c"), Names.path("a[b].c"));
    assertNull(Names.path("a..b"));
    assertNull(Names.path(""));
    assertNull(Names.path("a[b"));
  }
}
