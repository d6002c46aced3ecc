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
 *
 * <p>Parsing treats its input as untrusted: nesting and the number of values are bounded by {@link
 * Limits} (deeper documents are refused instead of overflowing the stack), duplicate keys are
 * refused, and so are numbers beyond the range of a double (which would otherwise become
 * infinities).
 */
public final class Json {
  private Json() {}

  /**
   * Bounds on a parsed document.
   *
   * @param maxDepth how deeply arrays and objects may nest (default {@value #DEFAULT_MAX_DEPTH});
   *     parsing recurses once per level, so this also bounds the stack it needs
   * @param maxValues how many values (scalars, arrays and objects) the document may hold (default
   *     {@value #DEFAULT_MAX_VALUES}); each costs some 50 to 100 bytes of heap once parsed
   */
  public record Limits(int maxDepth, long maxValues) {
    /** Default of {@link #maxDepth()}. */
    public static final int DEFAULT_MAX_DEPTH = 512;

    /** Default of {@link #maxValues()}. */
    public static final long DEFAULT_MAX_VALUES = 50_000_000;

    /**
     * Checks that both limits are positive.
     *
     * @throws IllegalArgumentException naming the limit that is not
     */
    public Limits {
      ReadLimits.positive(maxDepth, "maxDepth");
      ReadLimits.positive(maxValues, "maxValues");
    }

    /** The documented defaults. */
    public static Limits defaults() {
      return new Limits(DEFAULT_MAX_DEPTH, DEFAULT_MAX_VALUES);
    }

    /** The same limits with another {@link #maxDepth()}. */
    public Limits withMaxDepth(int depth) {
      return new Limits(depth, maxValues);
    }

    /** The same limits with another {@link #maxValues()}. */
    public Limits withMaxValues(long values) {
      return new Limits(maxDepth, values);
    }
  }

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
    return parse(text, Limits.defaults());
  }

  /**
   * Parses a JSON document nested at most {@code maxDepth} levels (a guard for untrusted input:
   * deeper documents are refused instead of overflowing the stack). Duplicate keys in an object are
   * refused.
   *
   * @throws IllegalArgumentException naming the line, offset and what was expected
   */
  public static Object parse(String text, int maxDepth) {
    return parse(text, Limits.defaults().withMaxDepth(maxDepth));
  }

  /**
   * Parses a JSON document within {@code limits}. Duplicate keys in an object are refused.
   *
   * @throws IllegalArgumentException naming the line, offset and what was expected, or the limit
   *     exceeded
   */
  public static Object parse(String text, Limits limits) {
    Parser p = new Parser(text, limits);
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
    private final long maxValues;
    private int pos;
    private int depth;
    private long values;

    Parser(String s, Limits limits) {
      this.s = s;
      this.maxDepth = limits.maxDepth();
      this.maxValues = limits.maxValues();
    }

    private void enter() {
      if (++depth > maxDepth) {
        throw error("nested deeper than " + maxDepth + " levels (the limit maxDepth)");
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

    /**
     * Parses one value. Iterative, with the open arrays and objects on an explicit stack, so that
     * nesting costs heap, not Java stack: a deep document cannot overflow the stack of the thread
     * that parses it, whatever its size.
     */
    Object value() {
      List<Object> open = new ArrayList<>(); // the open containers, innermost last
      List<String> keys = new ArrayList<>(); // for each open object, the key awaiting its value
      while (true) {
        Object v = null;
        boolean complete = true;
        if (pos >= s.length()) {
          throw error("unexpected end of input");
        }
        if (++values > maxValues) {
          throw error(
              "more than "
                  + maxValues
                  + " values (the limit maxValues); pass a larger Json.Limits to parse a document"
                  + " this large");
        }
        char c = s.charAt(pos);
        switch (c) {
          case '{' -> {
            Map<String, Object> m = new LinkedHashMap<>();
            enter();
            pos++;
            skipSpace();
            if (peek() == '}') {
              pos++;
              depth--;
              v = m;
            } else {
              open.add(m);
              keys.add(key(m));
              complete = false;
            }
          }
          case '[' -> {
            List<Object> list = new ArrayList<>();
            enter();
            pos++;
            skipSpace();
            if (peek() == ']') {
              pos++;
              depth--;
              v = list;
            } else {
              open.add(list);
              keys.add(null);
              complete = false;
            }
          }
          case '"' -> v = string();
          case 't' -> v = literal("true", Boolean.TRUE);
          case 'f' -> v = literal("false", Boolean.FALSE);
          case 'n' -> v = literal("null", null);
          default -> {
            if (c == '-' || (c >= '0' && c <= '9')) {
              v = number();
            } else {
              throw error("unexpected character '" + c + "'");
            }
          }
        }
        // Hand the finished value to its container; close every container it completes.
        while (complete) {
          if (open.isEmpty()) {
            return v;
          }
          int last = open.size() - 1;
          Object top = open.get(last);
          boolean isObject = top instanceof Map<?, ?>;
          if (isObject) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) top;
            m.put(keys.get(last), v);
          } else {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) top;
            list.add(v);
          }
          skipSpace();
          char n = next();
          if (n == ',') {
            if (isObject) {
              @SuppressWarnings("unchecked")
              Map<String, Object> m = (Map<String, Object>) top;
              keys.set(last, key(m));
            } else {
              skipSpace();
            }
            complete = false;
          } else if (n == (isObject ? '}' : ']')) {
            depth--;
            open.remove(last);
            keys.remove(last);
            v = top;
          } else {
            pos--;
            throw error(isObject ? "expected ',' or '}'" : "expected ',' or ']'");
          }
        }
      }
    }

    /** Reads {@code "key" :} and what follows it up to the value; refuses a duplicate key. */
    private String key(Map<String, Object> m) {
      skipSpace();
      if (peek() != '"') {
        throw error("expected a quoted key");
      }
      int keyAt = pos;
      String key = string();
      if (m.containsKey(key)) {
        pos = keyAt;
        throw error(
            "duplicate key \"" + (key.length() > 100 ? key.substring(0, 100) + "..." : key) + "\"");
      }
      skipSpace();
      expect(':');
      skipSpace();
      return key;
    }

    private Object literal(String word, Object v) {
      if (!s.startsWith(word, pos)) {
        throw error("expected " + word);
      }
      pos += word.length();
      return v;
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
            return finite(start, t, Double.parseDouble(t));
          }
        }
        return finite(start, t, Double.parseDouble(t));
      } catch (NumberFormatException e) {
        pos = start;
        throw error(
            "malformed number '" + (t.length() > 40 ? t.substring(0, 40) + "..." : t) + "'");
      }
    }

    private Double finite(int start, String text, double v) {
      if (Double.isInfinite(v)) {
        pos = start;
        throw error(
            "the number '"
                + (text.length() > 40 ? text.substring(0, 40) + "..." : text)
                + "' is beyond the range of a double");
      }
      return v;
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
