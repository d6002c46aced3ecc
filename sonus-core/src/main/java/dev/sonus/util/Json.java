package dev.sonus.util;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Minimal JSON (RFC 8259) writing and parsing for the project's own small documents: environment
 * records, metadata, logs. Objects map to {@link LinkedHashMap} (key order kept), arrays to {@link
 * List}, numbers to {@link Long} when integral and {@link Double} otherwise.
 */
public final class Json {
  private Json() {}

  /**
   * Serialises maps, iterables, arrays of primitives, strings, numbers, booleans and null, on one
   * line.
   */
  public static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, -1, 0);
    return sb.toString();
  }

  /** Serialises with two-space indentation. */
  public static String writePretty(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, 2, 0);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v, int indent, int level) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String s) {
      quote(sb, s);
    } else if (v instanceof Boolean b) {
      sb.append(b);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (!Double.isFinite(d)) {
        throw new IllegalArgumentException("JSON cannot represent the number " + d);
      }
      // Whole numbers below 1e15 as "1234567.0" rather than "1.234567E6"; -0.0 keeps its sign
      // ((long) -0.0 is 0).
      boolean negativeZero = d == 0 && Double.doubleToRawLongBits(d) != 0;
      sb.append(
          d == Math.rint(d) && Math.abs(d) < 1e15 && !negativeZero
              ? String.valueOf((long) d) + ".0"
              : String.valueOf(d));
    } else if (v instanceof Number n) {
      sb.append(n);
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
      boolean first = true;
      while (it.hasNext()) {
        Map.Entry<?, ?> e = it.next();
        if (!first) {
          sb.append(',');
        }
        first = false;
        newline(sb, indent, level + 1);
        quote(sb, String.valueOf(e.getKey()));
        sb.append(indent >= 0 ? ": " : ":");
        write(sb, e.getValue(), indent, level + 1);
      }
      if (!m.isEmpty()) {
        newline(sb, indent, level);
      }
      sb.append('}');
    } else if (v instanceof Iterable<?> list) {
      sb.append('[');
      boolean first = true;
      for (Object o : list) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        newline(sb, indent, level + 1);
        write(sb, o, indent, level + 1);
      }
      if (!first) {
        newline(sb, indent, level);
      }
      sb.append(']');
    } else if (v.getClass().isArray() && v.getClass().getComponentType().isPrimitive()) {
      // Any primitive array (float[], short[], boolean[], ... as well as int[], long[], double[]):
      // box each
      // element so it goes through the cases above; char[] elements become one-character strings.
      int n = java.lang.reflect.Array.getLength(v);
      List<Object> boxed = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        Object e = java.lang.reflect.Array.get(v, i);
        boxed.add(e instanceof Character c ? String.valueOf(c) : e);
      }
      write(sb, boxed, indent, level);
    } else if (v instanceof Object[] a) {
      write(sb, java.util.Arrays.asList(a), indent, level);
    } else if (v instanceof Enum<?> e) {
      quote(sb, e.name().toLowerCase(java.util.Locale.ROOT));
    } else {
      quote(sb, v.toString());
    }
  }

  private static void newline(StringBuilder sb, int indent, int level) {
    if (indent >= 0) {
      sb.append('\n').append(" ".repeat(indent * level));
    }
  }

  /**
   * Appends {@code s} as a JSON string, escaping only quote, backslash and control characters
   * (serde_json's form).
   */
  public static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  /**
   * Parses a JSON document.
   *
   * @throws IllegalArgumentException naming the character offset and what was expected
   */
  public static Object parse(String text) {
    return parse(text, 512);
  }

  /**
   * Parses a JSON document nested at most {@code maxDepth} levels (a guard for untrusted input:
   * deeper documents are refused instead of overflowing the stack). Duplicate keys in an object are
   * refused.
   *
   * @throws IllegalArgumentException naming the line, offset and what was expected
   */
  public static Object parse(String text, int maxDepth) {
    Parser p = new Parser(text, maxDepth);
    p.skipSpace();
    Object v = p.value();
    p.skipSpace();
    if (p.pos != text.length()) {
      throw p.error("unexpected text after the JSON value");
    }
    return v;
  }

  private static final class Parser {
    private final String s;
    private final int maxDepth;
    private int pos;
    private int depth;

    Parser(String s, int maxDepth) {
      this.s = s;
      this.maxDepth = maxDepth;
    }

    private void enter() {
      if (++depth > maxDepth) {
        throw error("nested deeper than " + maxDepth + " levels");
      }
    }

    IllegalArgumentException error(String what) {
      int line = 1;
      for (int i = 0; i < Math.min(pos, s.length()); i++) {
        if (s.charAt(i) == '\n') {
          line++;
        }
      }
      return new IllegalArgumentException(
          "invalid JSON at line " + line + " (offset " + pos + "): " + what);
    }

    void skipSpace() {
      // JSON whitespace only: space, tab, line feed, carriage return.
      while (pos < s.length()
          && (s.charAt(pos) == ' '
              || s.charAt(pos) == '\t'
              || s.charAt(pos) == '\n'
              || s.charAt(pos) == '\r')) {
        pos++;
      }
    }

    Object value() {
      if (pos >= s.length()) {
        throw error("unexpected end of input");
      }
      char c = s.charAt(pos);
      switch (c) {
        case '{':
          return object();
        case '[':
          return array();
        case '"':
          return string();
        case 't':
          return literal("true", Boolean.TRUE);
        case 'f':
          return literal("false", Boolean.FALSE);
        case 'n':
          return literal("null", null);
        default:
          if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
          }
          throw error("unexpected character '" + c + "'");
      }
    }

    private Object literal(String word, Object v) {
      if (!s.startsWith(word, pos)) {
        throw error("expected " + word);
      }
      pos += word.length();
      return v;
    }

    private Map<String, Object> object() {
      Map<String, Object> m = new LinkedHashMap<>();
      enter();
      pos++;
      skipSpace();
      if (peek() == '}') {
        pos++;
        depth--;
        return m;
      }
      while (true) {
        skipSpace();
        if (peek() != '"') {
          throw error("expected a quoted key");
        }
        int keyAt = pos;
        String key = string();
        if (m.containsKey(key)) {
          pos = keyAt;
          throw error("duplicate key \"" + key + "\"");
        }
        skipSpace();
        expect(':');
        skipSpace();
        m.put(key, value());
        skipSpace();
        char c = next();
        if (c == '}') {
          depth--;
          return m;
        }
        if (c != ',') {
          pos--;
          throw error("expected ',' or '}'");
        }
      }
    }

    private List<Object> array() {
      List<Object> list = new ArrayList<>();
      enter();
      pos++;
      skipSpace();
      if (peek() == ']') {
        pos++;
        depth--;
        return list;
      }
      while (true) {
        skipSpace();
        list.add(value());
        skipSpace();
        char c = next();
        if (c == ']') {
          depth--;
          return list;
        }
        if (c != ',') {
          pos--;
          throw error("expected ',' or ']'");
        }
      }
    }

    private String string() {
      pos++;
      StringBuilder sb = new StringBuilder();
      while (true) {
        if (pos >= s.length()) {
          throw error("unterminated string");
        }
        char c = s.charAt(pos++);
        if (c == '"') {
          return sb.toString();
        }
        if (c == '\\') {
          char e = next();
          switch (e) {
            case '"', '\\', '/' -> sb.append(e);
            case 'n' -> sb.append('\n');
            case 'r' -> sb.append('\r');
            case 't' -> sb.append('\t');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'u' -> {
              if (pos + 4 > s.length()) {
                throw error("truncated \\u escape");
              }
              int code = 0;
              for (int i = 0; i < 4; i++) {
                // ASCII hex only: Integer.parseInt would accept a sign and non-ASCII digits, and
                // its
                // NumberFormatException would not name the offset.
                char h = s.charAt(pos + i);
                int digit = h < 128 ? Character.digit(h, 16) : -1;
                if (digit < 0) {
                  throw error(
                      "invalid \\u escape '\\u"
                          + s.substring(pos, pos + 4)
                          + "': expected 4 hex digits");
                }
                code = code * 16 + digit;
              }
              sb.append((char) code);
              pos += 4;
            }
            default -> throw error("invalid escape \\" + e);
          }
        } else {
          sb.append(c);
        }
      }
    }

    private Number number() {
      int start = pos;
      if (peek() == '-') {
        pos++;
      }
      boolean integral = true;
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c >= '0' && c <= '9') {
          pos++;
        } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
          integral = false;
          pos++;
        } else {
          break;
        }
      }
      String t = s.substring(start, pos);
      try {
        if (integral) {
          try {
            return Long.parseLong(t);
          } catch (NumberFormatException tooBig) {
            return Double.parseDouble(t);
          }
        }
        return Double.parseDouble(t);
      } catch (NumberFormatException e) {
        pos = start;
        throw error("malformed number '" + t + "'");
      }
    }

    private char peek() {
      return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private char next() {
      if (pos >= s.length()) {
        throw error("unexpected end of input");
      }
      return s.charAt(pos++);
    }

    private void expect(char c) {
      if (next() != c) {
        pos--;
        throw error("expected '" + c + "'");
      }
    }
  }
}
