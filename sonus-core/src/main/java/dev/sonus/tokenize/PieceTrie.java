package dev.sonus.tokenize;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The keys that are prefixes of a text at a position, as the double-array tries of sentencepiece
 * find them ({@code commonPrefixSearch}), shortest first.
 *
 * <p>The keys are kept sorted, and a search narrows the range of keys that share the text's first
 * {@code d} characters one character at a time by binary search: {@code O(L log N)} for a match of
 * {@code L} characters among {@code N} keys, with no memory beyond the keys themselves (a hostile
 * model cannot make a node table blow up). Keys and texts are compared by UTF-16 unit; since both
 * are whole strings, every match ends at a code point boundary. A text of ISO-8859-1 characters
 * stands for bytes, which is how the normaliser matches user-defined symbols in UTF-8.
 */
final class PieceTrie {
  /** Receives one match. */
  @FunctionalInterface
  interface Match {
    /** A key of {@code length} characters with {@code value} matched. */
    void found(int length, int value);
  }

  private final String[] keys;
  private final int[] values;

  /**
   * A trie of distinct, non-empty {@code keys} with their {@code values}.
   *
   * @throws IllegalArgumentException for an empty or duplicate key
   */
  PieceTrie(List<String> keys, int[] values) {
    if (keys.size() != values.length) {
      throw new IllegalArgumentException(keys.size() + " keys but " + values.length + " values");
    }
    Integer[] order = new Integer[keys.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparing(keys::get));
    this.keys = new String[order.length];
    this.values = new int[order.length];
    for (int i = 0; i < order.length; i++) {
      this.keys[i] = keys.get(order[i]);
      this.values[i] = values[order[i]];
      if (this.keys[i].isEmpty()) {
        throw new IllegalArgumentException("empty key");
      }
      if (i > 0 && this.keys[i].equals(this.keys[i - 1])) {
        throw new IllegalArgumentException("duplicate key '" + this.keys[i] + "'");
      }
    }
  }

  /** Number of keys. */
  int size() {
    return keys.length;
  }

  /**
   * Reports every key that equals {@code text[from, from + length)} for some {@code length <= to -
   * from}, by increasing length.
   */
  void prefixes(CharSequence text, int from, int to, Match match) {
    int lo = 0;
    int hi = keys.length;
    for (int d = 0; lo < hi; d++) {
      // Every key in [lo, hi) starts with text[from, from + d) and has at least d characters;
      // sorted first is the one of exactly d characters, if any.
      if (d > 0 && keys[lo].length() == d) {
        match.found(d, values[lo]);
        lo++;
      }
      if (lo >= hi || from + d >= to) {
        return;
      }
      char c = text.charAt(from + d);
      int first = lowerBound(lo, hi, d, c);
      int end = lowerBound(first, hi, d, (char) (c + 1));
      if (c == Character.MAX_VALUE) {
        end = hi;
      }
      lo = first;
      hi = end;
    }
  }

  /** Length of the longest key that is a prefix of {@code text[from, to)}, or 0. */
  int longestPrefix(CharSequence text, int from, int to) {
    int[] longest = {0};
    prefixes(text, from, to, (length, value) -> longest[0] = length);
    return longest[0];
  }

  /** The value of {@code key}, or -1. */
  int get(String key) {
    int i = Arrays.binarySearch(keys, key);
    return i >= 0 ? values[i] : -1;
  }

  /** First index in [lo, hi) whose key has a character >= c at d (all keys there are longer). */
  private int lowerBound(int lo, int hi, int d, char c) {
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (keys[mid].charAt(d) < c) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
