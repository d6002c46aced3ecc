package dev.sonus.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests {@link Json}: writing, parsing, and that every parse error names the line and offset. */
final class JsonTest {

  // ---------------------------------------------------------------------------------------------------------------
  // Round trips

  @Test
  void roundTripsNestedMapsListsEscapedAndUnicodeStringsNumbersBooleansAndNull() {
    Map<String, Object> doc = document();

    String json = Json.write(doc);

    assertEquals(doc, Json.parse(json));
    assertFalse(json.contains("\n"), () -> "compact output spans lines: " + json);
  }

  @Test
  void prettyOutputParsesBackEqual() {
    Map<String, Object> doc = document();

    assertEquals(doc, Json.parse(Json.writePretty(doc)));
  }

  @Test
  void prettyOutputIndentsByTwoSpaces() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("a", 1L);
    doc.put("b", List.of(1L, "x"));
    doc.put("c", Map.of());
    doc.put("d", List.of());
    doc.put("e", Map.of("f", true));

    assertEquals(
        """
        {
          "a": 1,
          "b": [
            1,
            "x"
          ],
          "c": {},
          "d": [],
          "e": {
            "f": true
          }
        }""",
        Json.writePretty(doc));
    assertEquals("{\"a\":1,\"b\":[1,\"x\"],\"c\":{},\"d\":[],\"e\":{\"f\":true}}", Json.write(doc));
  }

  @Test
  void keepsKeyOrder() {
    Object parsed = Json.parse("{\"z\": 1, \"a\": 2, \"m\": 3}");

    assertEquals(List.of("z", "a", "m"), new ArrayList<>(((Map<?, ?>) parsed).keySet()));
  }

  @Test
  void escapesQuotesBackslashesAndControlCharacters() {
    assertEquals(
        "\"a\\\"b\\\\c\\nd\\re\\tf\\bg\\fh\\u0001i\\u001f\"",
        Json.write("a\"b\\c\nd\re\tf\bg\fh\u0001i\u001f"));
    assertEquals("\"é 日本 😀\"", Json.write("é 日本 😀"), "non-ASCII is written as is");
  }

  @Test
  void parsesEveryEscapeIncludingUnicodeEscapesAndSurrogatePairs() {
    assertEquals(
        "\" \\ / \b \f \n \r \t é 😀 A",
        Json.parse("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00 \\u0041\""));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Numbers

  @Test
  void integralNumbersParseAsLongAndOthersAsDouble() {
    assertEquals(0L, Json.parse("0"));
    assertEquals(-12L, Json.parse("-12"));
    assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
    assertEquals(Long.MIN_VALUE, Json.parse("-9223372036854775808"));
    assertEquals(1.0, Json.parse("1.0"));
    assertEquals(1000.0, Json.parse("1e3"));
    assertEquals(0.01, Json.parse("1E-2"));
    assertEquals(-0.5, Json.parse("-0.5"));
    assertEquals(2.5e-8, Json.parse("2.5e-8"));
    // Too large for a long: a double, not an error.
    assertEquals(1.2345678901234567e19, Json.parse("12345678901234567890"));
    assertInstanceOf(Long.class, Json.parse("7"));
    assertInstanceOf(Double.class, Json.parse("7.0"));
  }

  @Test
  void writesIntegersPlainlyAndWholeDoublesWithAFraction() {
    assertEquals(
        "[3,3,-4,2.0,0.1,1.0E15,-3.0]",
        Json.write(List.of(3, 3L, (short) -4, 2.0, 0.1, 1e15, -3.0)));
    assertEquals(
        List.of(3L, 3L, -4L, 2.0, 0.1, 1e15, -3.0),
        Json.parse(Json.write(List.of(3, 3L, (short) -4, 2.0, 0.1, 1e15, -3.0))));
    assertEquals(0.5, Json.parse(Json.write(0.5f)), "floats are written through double");
    assertEquals(
        "1234567.0", Json.write(1234567.0), "whole doubles below 1e15 without an exponent");
    assertEquals("-0.0", Json.write(-0.0), "negative zero keeps its sign");
    assertEquals(-0.0, Json.parse(Json.write(-0.0)));
  }

  @Test
  void refusesNanAndInfinityOnWrite() {
    assertRefused(Double.NaN, "NaN");
    assertRefused(Double.POSITIVE_INFINITY, "Infinity");
    assertRefused(Float.NEGATIVE_INFINITY, "-Infinity");
    assertRefused(Map.of("nested", List.of(1.0, Double.NaN)), "NaN");
    assertRefused(new double[] {0, Double.NaN}, "NaN");
    assertRefused(new float[] {Float.POSITIVE_INFINITY}, "Infinity");
  }

  @Test
  void refusesNanAndInfinityOnParse() {
    for (String text : List.of("NaN", "Infinity", "-Infinity", "[1, NaN]")) {
      assertThrows(IllegalArgumentException.class, () -> Json.parse(text), text);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Other values

  @Test
  void writesPrimitiveAndObjectArraysAsLists() {
    assertEquals("[1,2]", Json.write(new int[] {1, 2}));
    assertEquals("[1,-2]", Json.write(new long[] {1, -2}));
    assertEquals("[0.25,1.0]", Json.write(new double[] {0.25, 1}));
    assertEquals("[0.5,1.0]", Json.write(new float[] {0.5f, 1f}));
    assertEquals("[1,-2]", Json.write(new short[] {1, -2}));
    assertEquals("[1,-2]", Json.write(new byte[] {1, -2}));
    assertEquals("[true,false]", Json.write(new boolean[] {true, false}));
    assertEquals("[\"a\",\"\\\"\"]", Json.write(new char[] {'a', '"'}));
    assertEquals("[\"x\",null,[1]]", Json.write(new Object[] {"x", null, new int[] {1}}));
  }

  @Test
  void writesEnumsAsLowerCaseNamesAndOtherObjectsAsStrings() {
    assertEquals("\"monday\"", Json.write(java.time.DayOfWeek.MONDAY));
    assertEquals("\"file:/x\"", Json.write(java.net.URI.create("file:/x")));
    assertEquals("{\"1\":true}", Json.write(Map.of(1, true)), "keys are written as strings");
  }

  @Test
  void parsesLiteralsAndSurroundingWhitespace() {
    assertEquals(true, Json.parse(" true"));
    assertEquals(false, Json.parse("false\n"));
    assertNull(Json.parse("\t null \r\n"));
    assertEquals(42L, Json.parse(" \n 42 \t"));
    assertEquals("", Json.parse("\"\""));
    assertEquals(Map.of(), Json.parse("{ }"));
    assertEquals(List.of(), Json.parse("[ ]"));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Malformed input: the message names line and offset

  @Test
  void rejectsMissingCommaNamingLineAndOffset() {
    assertMalformed("{\"a\": 1 \"b\": 2}", 1, 8, "expected ',' or '}'");
    assertMalformed("{\n  \"a\": 1\n  \"b\": 2\n}", 3, 13, "expected ',' or '}'");
    assertMalformed("[1 2]", 1, 3, "expected ',' or ']'");
  }

  @Test
  void rejectsTrailingText() {
    assertMalformed("{\"a\": 1} x", 1, 9, "unexpected text after the JSON value");
    assertMalformed("1 2", 1, 2, "unexpected text after the JSON value");
  }

  @Test
  void rejectsUnterminatedString() {
    assertMalformed("\"abc", 1, 4, "unterminated string");
    assertMalformed("{\"a\": \"abc}", 1, 11, "unterminated string");
  }

  @Test
  void rejectsBadEscapes() {
    assertMalformed("\"a\\x\"", 1, 4, "invalid escape \\x");
    assertMalformed("\"\\u12G4\"", 1, 3, "invalid \\u escape '\\u12G4'");
    assertMalformed("\"\\u-041\"", 1, 3, "invalid \\u escape");
    assertMalformed("\"\\u12\"", 1, 3, "truncated \\u escape");
  }

  @Test
  void rejectsOtherMalformedDocuments() {
    assertMalformed("", 1, 0, "unexpected end of input");
    assertMalformed("[1,]", 1, 3, "unexpected character ']'");
    assertMalformed("{\"a\": 1,}", 1, 8, "expected a quoted key");
    assertMalformed("{a: 1}", 1, 1, "expected a quoted key");
    assertMalformed("{\"a\" 1}", 1, 5, "expected ':'");
    assertMalformed("tru", 1, 0, "expected true");
    assertMalformed("[1, 2", 1, 5, "unexpected end of input");
    assertMalformed("-", 1, 0, "malformed number '-'");
    assertMalformed("[1.2.3]", 1, 1, "malformed number '1.2.3'");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Helpers

  /** A document using every kind of value, with numbers of the types that parsing returns. */
  private static Map<String, Object> document() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("empty list", List.of());
    inner.put("empty map", Map.of());
    inner.put("null", null);
    inner.put("deep", List.of(List.of(List.of(1L, 2L), List.of()), Map.of("k", "v")));

    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put(
        "escapes",
        "quote \" backslash \\ slash / newline \n return \r tab \t backspace \b formfeed \f "
            + "control \u0001\u001f delete \u007f");
    doc.put("unicode", "é ü ß 日本語 😀 \u2028 \uFEFF");
    doc.put("key with \"quotes\" and \n newline", "value");
    doc.put("", "empty key");
    doc.put("long", 42L);
    doc.put("negative", -7L);
    doc.put("max", Long.MAX_VALUE);
    doc.put("min", Long.MIN_VALUE);
    doc.put("fraction", 0.1);
    doc.put("tiny", 4.9e-324);
    doc.put("huge", 1.7976931348623157e308);
    doc.put("whole double", 2.0);
    doc.put("negative double", -1234.5678);
    doc.put("true", true);
    doc.put("false", false);
    doc.put("null", null);
    doc.put("list", Arrays.asList(1L, "two", 3.5, null, false, inner));
    doc.put("nested", inner);
    return doc;
  }

  private static void assertRefused(Object value, String named) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Json.write(value));
    assertTrue(e.getMessage().contains(named), e::getMessage);
    IllegalArgumentException pretty =
        assertThrows(IllegalArgumentException.class, () -> Json.writePretty(value));
    assertTrue(pretty.getMessage().contains(named), pretty::getMessage);
  }

  private static void assertMalformed(String text, int line, int offset, String problem) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Json.parse(text),
            () -> "parsed without error: " + text);
    String message = e.getMessage();
    String where = "line " + line + " (offset " + offset + ")";
    assertTrue(message.contains(where), () -> "message lacks '" + where + "': " + message);
    assertTrue(message.contains(problem), () -> "message lacks '" + problem + "': " + message);
  }

  @org.junit.jupiter.api.Test
  void duplicateKeysAndExcessiveNestingAreRefusedWithTheirPlace() {
    IllegalArgumentException dup =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> Json.parse("{\"a\": 1,\n \"a\": 2}"));
    org.junit.jupiter.api.Assertions.assertTrue(
        dup.getMessage().contains("line 2") && dup.getMessage().contains("duplicate key \"a\""),
        dup.getMessage());
    IllegalArgumentException deep =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> Json.parse("[".repeat(10) + "]".repeat(10), 5));
    org.junit.jupiter.api.Assertions.assertTrue(
        deep.getMessage().contains("deeper than 5"), deep.getMessage());
    org.junit.jupiter.api.Assertions.assertEquals(
        java.util.List.of(java.util.List.of()), Json.parse("[[]]", 2));
  }
}
