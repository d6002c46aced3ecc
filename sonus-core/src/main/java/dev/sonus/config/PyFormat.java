package dev.sonus.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Python's {@code str()} and {@code repr()} of recipe values, so that {@code !ref results/lr<lr>}
 * gives the same folder name as HyperPyYAML ({@code 1e-05}, {@code True}, {@code [32, 64]}).
 */
final class PyFormat {
  private PyFormat() {}

  /** Python {@code str(value)}: strings as they are, everything else as {@link #repr}. */
  static String str(Object value) {
    return value instanceof String s ? s : repr(value);
  }

  /** Python {@code repr(value)} for None, bools, ints, floats, strings, lists and dicts. */
  static String repr(Object value) {
    if (value == null) {
      return "None";
    }
    if (value instanceof Boolean b) {
      return b ? "True" : "False";
    }
    if (value instanceof Double || value instanceof Float) {
      return floatRepr(((Number) value).doubleValue());
    }
    if (value instanceof Number) {
      return value.toString();
    }
    if (value instanceof String s) {
      return stringRepr(s);
    }
    if (value instanceof List<?> list) {
      List<String> parts = new ArrayList<>();
      list.forEach(item -> parts.add(repr(item)));
      return "[" + String.join(", ", parts) + "]";
    }
    if (value instanceof Map<?, ?> map) {
      List<String> parts = new ArrayList<>();
      map.forEach((k, v) -> parts.add(repr(k) + ": " + repr(v)));
      return "{" + String.join(", ", parts) + "}";
    }
    return value.toString();
  }

  /**
   * Python {@code str()} of a resolved node, for string interpolation.
   *
   * @throws IllegalArgumentException for a node that builds an object (it has no text form)
   */
  static String nodeStr(Node node) {
    return node instanceof Node.Scalar s && s.tag == null ? str(s.value) : nodeRepr(node);
  }

  private static String nodeRepr(Node node) {
    LoadContext.spend(1, null, null);
    if (node.tag != null && !(node instanceof Node.Sequence seq && seq.isTuple())) {
      throw new IllegalArgumentException(
          node.describe() + " builds an object and has no text to interpolate");
    }
    if (node instanceof Node.Scalar s) {
      return repr(s.value);
    }
    if (node instanceof Node.Sequence seq) {
      List<String> parts = new ArrayList<>();
      seq.items.forEach(item -> parts.add(nodeRepr(item)));
      if (seq.isTuple()) {
        return "(" + String.join(", ", parts) + (parts.size() == 1 ? ",)" : ")");
      }
      return "[" + String.join(", ", parts) + "]";
    }
    Node.Mapping map = (Node.Mapping) node;
    List<String> parts = new ArrayList<>();
    map.entries.forEach((k, v) -> parts.add(stringRepr(k) + ": " + nodeRepr(v)));
    return "{" + String.join(", ", parts) + "}";
  }

  /**
   * Python {@code repr(float)}: shortest digits that read back the same; exponent form below 1e-4
   * or from 1e16.
   */
  static String floatRepr(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    String sign = (d < 0 || (d == 0 && 1 / d < 0)) ? "-" : "";
    double a = Math.abs(d);
    if (a == 0) {
      return sign + "0.0";
    }
    String sci = null;
    for (int p = 0; p < 17; p++) {
      String s = String.format(Locale.ROOT, "%." + p + "e", a);
      if (Double.parseDouble(s) == a) {
        sci = s;
        break;
      }
    }
    if (sci == null) {
      sci = String.format(Locale.ROOT, "%.16e", a);
    }
    int e = sci.indexOf('e');
    String digits = sci.substring(0, e).replace(".", "");
    int exp = Integer.parseInt(sci.substring(e + 1));
    digits = digits.replaceAll("0+$", "");
    if (digits.isEmpty()) {
      digits = "0";
    }
    if (exp < -4 || exp >= 16) {
      String mantissa =
          digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      return sign
          + mantissa
          + "e"
          + (exp < 0 ? "-" : "+")
          + (Math.abs(exp) < 10 ? "0" : "")
          + Math.abs(exp);
    }
    String fixed;
    if (exp < 0) {
      fixed = "0." + "0".repeat(-exp - 1) + digits;
    } else if (digits.length() <= exp + 1) {
      fixed = digits + "0".repeat(exp + 1 - digits.length()) + ".0";
    } else {
      fixed = digits.substring(0, exp + 1) + "." + digits.substring(exp + 1);
    }
    return sign + fixed;
  }

  /**
   * Python {@code repr(str)}: single quotes unless the text has a single quote and no double quote.
   */
  static String stringRepr(String s) {
    char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder sb = new StringBuilder(s.length() + 2).append(quote);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c == quote) {
            sb.append('\\').append(c);
          } else if (c < 0x20 || c == 0x7f) {
            sb.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append(quote).toString();
  }
}
