package dev.sonus.config;

import java.math.BigInteger;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evaluates the arithmetic that HyperPyYAML allows in a {@code !ref} after interpolation, with
 * Python's rules.
 *
 * <p>Numbers, {@code + - * / // % **}, unary signs and parentheses. Integers are unbounded and stay
 * integers except under {@code /} (true division gives a float, as in Python 3) and a negative
 * power; {@code //} and {@code %} floor towards minus infinity. Anything else (a path, a word) is
 * not arithmetic and the text stays a string. Unlike HyperPyYAML, unary minus works ({@code -2 * 3}
 * is -6, not the string "-2 * 3").
 */
final class Arithmetic {
  private static final Pattern NUMBER =
      Pattern.compile(
          "0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+"
              + "|(?:(?:[0-9](?:_?[0-9])*)?\\.[0-9](?:_?[0-9])*|[0-9](?:_?[0-9])*\\.?)(?:[eE][+-]?[0-9](?:_?[0-9])*)?");
  private static final Pattern BAD_DECIMAL_INT = Pattern.compile("0+[1-9][0-9_]*");
  private static final BigInteger MAX_EXPONENT = BigInteger.valueOf(100_000);

  /**
   * Longest numeric literal accepted, characters; longer ones are refused (no real recipe has
   * them).
   */
  static final int MAX_LITERAL = 100;

  /** Deepest nesting of parentheses and unary signs accepted. */
  static final int MAX_DEPTH = 100;

  private final String text;
  private int pos;
  private int depth;

  private Arithmetic(String text) {
    this.text = text;
  }

  /**
   * Thrown for a valid expression that Python would reject too: division by zero, a huge or complex
   * power.
   */
  static final class EvalException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EvalException(String message) {
      super(message);
    }
  }

  /**
   * Evaluates {@code expression}; empty when it is not arithmetic (then the caller keeps the
   * string).
   *
   * @return an {@code Integer}, {@code Long}, {@code BigInteger} (the smallest that holds it) or
   *     {@code Double}
   * @throws EvalException on division by zero and the like
   */
  static Optional<Object> evaluate(String expression) {
    Arithmetic parser = new Arithmetic(expression);
    try {
      Object value = parser.expr();
      parser.skipSpace();
      if (parser.pos != expression.length()) {
        return Optional.empty();
      }
      return Optional.of(narrow(value));
    } catch (NotArithmetic e) {
      return Optional.empty();
    }
  }

  /** Smallest boxed type holding a whole number: Integer, then Long, then BigInteger. */
  static Object narrow(Object value) {
    if (value instanceof BigInteger big) {
      if (big.bitLength() < 32) {
        return big.intValue();
      }
      return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }
    return value;
  }

  private static final class NotArithmetic extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotArithmetic() {
      super(null, null, false, false);
    }
  }

  private Object expr() {
    Object left = term();
    while (true) {
      skipSpace();
      if (accept("+")) {
        left = add(left, term(), 1);
      } else if (accept("-")) {
        left = add(left, term(), -1);
      } else {
        return left;
      }
    }
  }

  private Object term() {
    Object left = unary();
    while (true) {
      skipSpace();
      if (accept("//")) {
        left = floorDiv(left, unary());
      } else if (accept("*")) {
        left = mul(left, unary());
      } else if (accept("/")) {
        left = trueDiv(left, unary());
      } else if (accept("%")) {
        left = mod(left, unary());
      } else {
        return left;
      }
    }
  }

  private Object unary() {
    skipSpace();
    boolean minus = accept("-");
    if (minus || accept("+")) {
      if (++depth > MAX_DEPTH) {
        throw new EvalException(
            "the expression is nested more than "
                + MAX_DEPTH
                + " levels deep; write it out flatter");
      }
      Object v = unary();
      depth--;
      return !minus ? v : v instanceof BigInteger b ? b.negate() : (Object) (-(Double) v);
    }
    return power();
  }

  private Object power() {
    Object base = atom();
    skipSpace();
    if (accept("**")) {
      return pow(base, unary());
    }
    return base;
  }

  private Object atom() {
    skipSpace();
    if (accept("(")) {
      if (++depth > MAX_DEPTH) {
        throw new EvalException(
            "the expression is nested more than "
                + MAX_DEPTH
                + " levels deep; write it out flatter");
      }
      Object v = expr();
      depth--;
      skipSpace();
      if (!accept(")")) {
        throw new NotArithmetic();
      }
      return v;
    }
    int end = pos;
    while (end < text.length() && isLiteralChar(text, end, pos)) {
      end++;
    }
    boolean numeric =
        pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.');
    if (numeric && end - pos > MAX_LITERAL) {
      throw new EvalException(
          "a numeric literal of "
              + (end - pos)
              + " digits; at most "
              + MAX_LITERAL
              + " are accepted (write large numbers with an exponent, 1e300)");
    }
    // The literal cannot reach further than its characters; bounding the region keeps the regex's
    // recursion bounded too.
    Matcher m = NUMBER.matcher(text).region(pos, end);
    if (!m.lookingAt()) {
      throw new NotArithmetic();
    }
    String literal = m.group();
    pos = m.end();
    if (pos < text.length()
        && (Character.isLetterOrDigit(text.charAt(pos))
            || text.charAt(pos) == '_'
            || text.charAt(pos) == '.')) {
      throw new NotArithmetic();
    }
    String clean = literal.replace("_", "");
    String lower = clean.toLowerCase(java.util.Locale.ROOT);
    if (lower.startsWith("0x")) {
      return new BigInteger(clean.substring(2), 16);
    }
    if (lower.startsWith("0o")) {
      return new BigInteger(clean.substring(2), 8);
    }
    if (lower.startsWith("0b")) {
      return new BigInteger(clean.substring(2), 2);
    }
    if (lower.contains(".") || lower.contains("e")) {
      return Double.parseDouble(clean);
    }
    if (BAD_DECIMAL_INT.matcher(literal).matches()) {
      throw new NotArithmetic(); // Python rejects leading zeros such as 012
    }
    return new BigInteger(clean);
  }

  /**
   * Whether {@code text[i]} can belong to a literal starting at {@code start} (a sign only after
   * e/E).
   */
  private static boolean isLiteralChar(String text, int i, int start) {
    char c = text.charAt(i);
    if (c == '+' || c == '-') {
      return i > start && (text.charAt(i - 1) == 'e' || text.charAt(i - 1) == 'E');
    }
    return Character.isLetterOrDigit(c) || c == '_' || c == '.';
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private boolean accept(String op) {
    if (text.startsWith(op, pos)) {
      if (op.equals("*") && text.startsWith("**", pos)) {
        return false;
      }
      if (op.equals("/") && text.startsWith("//", pos)) {
        return false;
      }
      pos += op.length();
      return true;
    }
    return false;
  }

  private static double d(Object v) {
    return v instanceof BigInteger b ? b.doubleValue() : (Double) v;
  }

  private static boolean ints(Object a, Object b) {
    return a instanceof BigInteger && b instanceof BigInteger;
  }

  private static Object add(Object a, Object b, int sign) {
    if (ints(a, b)) {
      return sign > 0
          ? ((BigInteger) a).add((BigInteger) b)
          : ((BigInteger) a).subtract((BigInteger) b);
    }
    return sign > 0 ? d(a) + d(b) : d(a) - d(b);
  }

  private static Object mul(Object a, Object b) {
    return ints(a, b) ? ((BigInteger) a).multiply((BigInteger) b) : (Object) (d(a) * d(b));
  }

  private static Object trueDiv(Object a, Object b) {
    if (d(b) == 0) {
      throw new EvalException("division by zero");
    }
    if (ints(a, b)) {
      return new java.math.BigDecimal((BigInteger) a)
          .divide(new java.math.BigDecimal((BigInteger) b), java.math.MathContext.DECIMAL64)
          .doubleValue();
    }
    return d(a) / d(b);
  }

  private static Object floorDiv(Object a, Object b) {
    if (d(b) == 0) {
      throw new EvalException("integer division or modulo by zero");
    }
    if (ints(a, b)) {
      BigInteger[] qr = ((BigInteger) a).divideAndRemainder((BigInteger) b);
      boolean adjust = qr[1].signum() != 0 && qr[1].signum() != ((BigInteger) b).signum();
      return adjust ? qr[0].subtract(BigInteger.ONE) : qr[0];
    }
    return Math.floor(d(a) / d(b));
  }

  private static Object mod(Object a, Object b) {
    if (d(b) == 0) {
      throw new EvalException("integer division or modulo by zero");
    }
    if (ints(a, b)) {
      BigInteger r = ((BigInteger) a).remainder((BigInteger) b);
      return r.signum() != 0 && r.signum() != ((BigInteger) b).signum() ? r.add((BigInteger) b) : r;
    }
    double r = d(a) % d(b);
    return r != 0 && (r < 0) != (d(b) < 0) ? r + d(b) : r;
  }

  private static Object pow(Object a, Object b) {
    if (ints(a, b) && ((BigInteger) b).signum() >= 0) {
      BigInteger base = (BigInteger) a;
      BigInteger exp = (BigInteger) b;
      if (exp.compareTo(MAX_EXPONENT) > 0 && base.abs().compareTo(BigInteger.ONE) > 0) {
        throw new EvalException("power " + a + " ** " + b + " is too large");
      }
      return base.pow(exp.intValue());
    }
    double x = d(a);
    double y = d(b);
    if (x == 0 && y < 0) {
      throw new EvalException("0.0 cannot be raised to a negative power");
    }
    double r = Math.pow(x, y);
    if (Double.isNaN(r) && !Double.isNaN(x) && !Double.isNaN(y)) {
      throw new EvalException(
          PyFormat.repr(x) + " ** " + PyFormat.repr(y) + " is a complex number");
    }
    return r;
  }
}
