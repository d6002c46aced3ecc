package dev.sonus.tokenize;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A normaliser's {@code precompiled_charsmap}: the rules of {@code nmt_nfkc}, {@code nfkc_cf} and
 * the like, compiled by sentencepiece into a darts-clone double-array trie of UTF-8 byte strings
 * whose values point at NUL-terminated replacements.
 *
 * <p>Layout (little-endian): {@code uint32 trieBytes}, then {@code trieBytes / 4} uint32 units,
 * then the replacement strings. A unit holds a label (low 8 bits; a leaf unit has bit 31 set and
 * never matches a label), a has-leaf flag (bit 8) and an offset to its children ({@code unit >>>
 * 10}, shifted left by 8 more when bit 9 is set); a leaf unit's low 31 bits are the value.
 *
 * <p>Unlike sentencepiece, every index into the units and the strings is checked: a path of a
 * damaged trie that leads outside the blob ends the match there (the bytes are kept as they are),
 * it never reads past the blob.
 */
final class CharsMap {
  private final int[] units;
  private final byte[] replacements;

  private CharsMap(int[] units, byte[] replacements) {
    this.units = units;
    this.replacements = replacements;
  }

  /**
   * Splits a {@code precompiled_charsmap} blob into its trie and its strings, as sentencepiece's
   * {@code DecodePrecompiledCharsMap} does.
   *
   * @param source the model and field, for messages
   * @throws IllegalArgumentException when the blob is too short or its trie size exceeds it
   */
  static CharsMap parse(byte[] blob, String source) {
    if (blob.length <= 4) {
      throw new IllegalArgumentException(
          source + " is " + blob.length + " bytes; a precompiled charsmap has at least 5");
    }
    ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
    long trieBytes = Integer.toUnsignedLong(b.getInt());
    if (trieBytes >= blob.length) {
      throw new IllegalArgumentException(
          source
              + " says its trie takes "
              + trieBytes
              + " bytes, but the whole charsmap is "
              + blob.length
              + " bytes");
    }
    int[] units = new int[(int) (trieBytes / 4)];
    for (int i = 0; i < units.length; i++) {
      units[i] = b.getInt(4 + 4 * i);
    }
    int start = 4 + (int) trieBytes;
    byte[] strings = java.util.Arrays.copyOfRange(blob, start, blob.length);
    if (units.length == 0) {
      throw new IllegalArgumentException(source + " has an empty trie");
    }
    return new CharsMap(units, strings);
  }

  /**
   * The longest rule that matches {@code in[from, to)} at {@code from}: its length in bytes in the
   * high 32 bits and the offset of its replacement in the low 32, or -1 when none matches.
   */
  long longestMatch(byte[] in, int from, int to) {
    long best = -1;
    int pos = offset(units[0]);
    for (int i = from; i < to; i++) {
      int label = in[i] & 0xFF;
      pos ^= label;
      if (pos < 0 || pos >= units.length) {
        return best;
      }
      int unit = units[pos];
      if ((unit & ((1 << 31) | 0xFF)) != label) {
        return best;
      }
      pos ^= offset(unit);
      if (((unit >>> 8) & 1) == 1) {
        if (pos < 0 || pos >= units.length) {
          return best;
        }
        int value = units[pos] & 0x7FFFFFFF;
        if (value < replacements.length) {
          best = ((long) (i + 1 - from) << 32) | value;
        }
      }
    }
    return best;
  }

  /** The replacement that starts at {@code offset}: up to the next NUL (or the blob's end). */
  int replacementEnd(int offset) {
    int end = offset;
    while (end < replacements.length && replacements[end] != 0) {
      end++;
    }
    return end;
  }

  /** The replacement strings, indexed by {@link #longestMatch}'s offsets. */
  byte[] replacements() {
    return replacements;
  }

  private static int offset(int unit) {
    return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
  }
}
