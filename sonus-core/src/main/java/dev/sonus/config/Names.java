package dev.sonus.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Naming helpers: snake_case and camelCase, and "did you mean" suggestions for misspelled names.
 */
final class Names {
  private static final int MAX_KNOWN = 40;

  private Names() {}

  /** {@code n_mels -> nMels}; a name without underscores is returned as it is. */
  static String camel(String snake) {
    if (snake.indexOf('_') < 0) {
      return snake;
    }
    StringBuilder sb = new StringBuilder(snake.length());
    boolean upper = false;
    for (int i = 0; i < snake.length(); i++) {
      char c = snake.charAt(i);
      if (c == '_' && sb.length() > 0) {
        upper = true;
      } else {
        sb.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return sb.toString();
  }

  /** {@code nMels -> n_mels}, {@code winLengthMs -> win_length_ms}. */
  static String snake(String camel) {
    StringBuilder sb = new StringBuilder(camel.length() + 4);
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      if (Character.isUpperCase(c)) {
        if (i > 0 && camel.charAt(i - 1) != '_') {
          sb.append('_');
        }
        sb.append(Character.toLowerCase(c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /**
   * Known names close to {@code given}: edit distance at most 2 (1 for names under 4 characters,
   * ignoring case), or one a prefix of the other (3 characters at least); only the closest (and
   * names that {@code given} begins), at most 3.
   */
  static List<String> similar(String given, Collection<String> known) {
    String g = given.toLowerCase(Locale.ROOT);
    List<String> out = new ArrayList<>();
    for (String k : known) {
      String kl = k.toLowerCase(Locale.ROOT);
      boolean prefix =
          (g.length() >= 3 && kl.startsWith(g)) || (kl.length() >= 3 && g.startsWith(kl));
      // One edit for short names, two from four characters: "y" suggesting "x" helps nobody.
      int maxEdits = g.length() >= 4 ? 2 : g.length() >= 2 ? 1 : 0;
      if (!kl.equals(g) && (levenshtein(g, kl) <= maxEdits || prefix) && !out.contains(k)) {
        out.add(k);
      }
    }
    out.sort(Comparator.comparingInt(k -> levenshtein(g, k.toLowerCase(Locale.ROOT))));
    if (!out.isEmpty()) {
      // Keep only the closest: "gren" suggests green, not also red.
      int best = levenshtein(g, out.get(0).toLowerCase(Locale.ROOT));
      out.removeIf(
          k ->
              levenshtein(g, k.toLowerCase(Locale.ROOT)) > best
                  && !k.toLowerCase(Locale.ROOT).startsWith(g));
    }
    return out.size() > 3 ? out.subList(0, 3) : out;
  }

  /**
   * {@code "; did you mean n_mels?"} (or {@code "... n_mels or n_fft?"}), or "" when nothing is
   * close.
   */
  static String didYouMean(String given, Collection<String> known) {
    List<String> close = similar(given, known);
    return close.isEmpty() ? "" : "; did you mean " + String.join(" or ", close) + "?";
  }

  /**
   * The tail of an unknown-name message: {@code "; did you mean n_mels? Known: a, b"}, or {@code ".
   * Known: a, b"} when nothing is close.
   */
  static String suggest(String given, Collection<String> known) {
    String close = didYouMean(given, known);
    return (close.isEmpty() ? "." : close) + " " + known(known);
  }

  /** {@code "Known: a, b, c"}, cut after 40 names. */
  static String known(Collection<String> known) {
    if (known.isEmpty()) {
      return "Known: (none)";
    }
    List<String> list = new ArrayList<>(known);
    String head = String.join(", ", list.size() > MAX_KNOWN ? list.subList(0, MAX_KNOWN) : list);
    return "Known: " + head + (list.size() > MAX_KNOWN ? ", ..." : "");
  }

  /** Edit distance (insertions, deletions, substitutions). */
  static int levenshtein(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /**
   * Splits a key path: {@code a.b[c][0] -> [a, b, c, 0]}; dots and brackets may be mixed.
   *
   * @return the parts, or null when a part is empty or a bracket is not closed
   */
  static List<String> path(String key) {
    List<String> parts = new ArrayList<>();
    StringBuilder part = new StringBuilder();
    int i = 0;
    boolean afterBracket = false;
    while (i < key.length()) {
      char c = key.charAt(i);
      if (c == '.') {
        if (part.length() == 0 && !afterBracket) {
          return null;
        }
        if (part.length() > 0) {
          parts.add(part.toString().trim());
        }
        part.setLength(0);
        afterBracket = false;
        i++;
      } else if (c == '[') {
        if (part.length() > 0) {
          parts.add(part.toString().trim());
          part.setLength(0);
        } else if (parts.isEmpty()) {
          return null;
        }
        int close = key.indexOf(']', i);
        if (close < 0 || close == i + 1) {
          return null;
        }
        parts.add(key.substring(i + 1, close).trim());
        i = close + 1;
        afterBracket = true;
      } else {
        if (afterBracket) {
          return null;
        }
        part.append(c);
        i++;
      }
    }
    if (part.length() > 0) {
      parts.add(part.toString().trim());
    } else if (!afterBracket) {
      return null;
    }
    for (String p : parts) {
      if (p.isEmpty()) {
        return null;
      }
    }
    return parts;
  }

  /**
   * Joins a dotted key: {@code join("model", "n_mels") -> "model.n_mels"}, {@code join("", "a") ->
   * "a"}.
   */
  static String join(String prefix, String part) {
    return prefix == null || prefix.isEmpty() ? part : prefix + "." + part;
  }
}
