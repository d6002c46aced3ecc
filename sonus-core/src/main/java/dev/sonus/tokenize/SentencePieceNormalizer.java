package dev.sonus.tokenize;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * sentencepiece's {@code normalizer::Normalizer}: applies a model's {@code NormalizerSpec} to text,
 * on its UTF-8 bytes as sentencepiece does.
 *
 * <p>At each position the longest user-defined symbol is kept as it is; otherwise the longest rule
 * of the {@code precompiled_charsmap} replaces what it matches ({@code nmt_nfkc} maps e.g. {@code
 * Ａ} to {@code A}, {@code ﬁ} to {@code fi}, and removes control characters); otherwise one
 * character is copied (a malformed byte becomes U+FFFD). With {@code remove_extra_whitespaces},
 * leading, trailing and repeated spaces are dropped; with {@code add_dummy_prefix} a space is put
 * first (last when the model treats whitespace as a suffix); with {@code escape_whitespaces} spaces
 * become {@code ▁} (U+2581).
 */
final class SentencePieceNormalizer {
  /** U+2581 in UTF-8. */
  private static final byte[] SPACE_SYMBOL = {(byte) 0xE2, (byte) 0x96, (byte) 0x81};

  private static final byte[] REPLACEMENT = {(byte) 0xEF, (byte) 0xBF, (byte) 0xBD};

  private final SentencePieceModel.Normalization spec;
  private final boolean treatWhitespaceAsSuffix;
  private final CharsMap charsMap;
  private final PieceTrie userDefined;

  /**
   * A normaliser.
   *
   * @param userDefined the user-defined symbols as ISO-8859-1 strings of their UTF-8 bytes, or null
   */
  SentencePieceNormalizer(
      SentencePieceModel.Normalization spec,
      boolean treatWhitespaceAsSuffix,
      PieceTrie userDefined,
      String source) {
    this.spec = spec;
    this.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix;
    this.charsMap =
        spec.precompiledCharsmap().length == 0
            ? null
            : CharsMap.parse(spec.precompiledCharsmap(), source);
    this.userDefined = userDefined == null || userDefined.size() == 0 ? null : userDefined;
  }

  /**
   * What one step of normalisation produced: {@code src[off, off + len)}, from {@code consumed}.
   */
  private static final class Span {
    byte[] src;
    int off;
    int len;
    int consumed;

    void set(byte[] src, int off, int len, int consumed) {
      this.src = src;
      this.off = off;
      this.len = len;
      this.consumed = consumed;
    }

    boolean isOneSpace() {
      return len == 1 && src[off] == ' ';
    }
  }

  /** The normalised text. */
  String normalize(String text) {
    byte[] in = text.getBytes(StandardCharsets.UTF_8);
    if (in.length == 0) {
      return "";
    }
    String bytesAsChars = userDefined == null ? null : new String(in, StandardCharsets.ISO_8859_1);
    Span p = new Span();
    int pos = 0;
    if (spec.removeExtraWhitespaces()) {
      while (pos < in.length) {
        prefix(in, bytesAsChars, pos, p);
        if (!p.isOneSpace()) {
          break;
        }
        pos += p.consumed;
      }
    }
    if (pos == in.length) {
      return "";
    }
    Bytes out = new Bytes(in.length + 16);
    if (!treatWhitespaceAsSuffix && spec.addDummyPrefix()) {
      addSpace(out);
    }
    boolean prevSpace = spec.removeExtraWhitespaces();
    while (pos < in.length) {
      prefix(in, bytesAsChars, pos, p);
      int s = p.off;
      int e = p.off + p.len;
      while (prevSpace && s < e && p.src[s] == ' ') {
        s++;
      }
      if (s < e) {
        for (int k = s; k < e; k++) {
          if (spec.escapeWhitespaces() && p.src[k] == ' ') {
            out.add(SPACE_SYMBOL, 0, SPACE_SYMBOL.length);
          } else {
            out.add(p.src[k]);
          }
        }
        prevSpace = p.src[e - 1] == ' ';
      }
      pos += p.consumed;
      if (!spec.removeExtraWhitespaces()) {
        prevSpace = false;
      }
    }
    if (spec.removeExtraWhitespaces()) {
      byte[] space = spec.escapeWhitespaces() ? SPACE_SYMBOL : new byte[] {' '};
      while (out.endsWith(space)) {
        out.size -= space.length;
      }
    }
    if (treatWhitespaceAsSuffix && spec.addDummyPrefix()) {
      addSpace(out);
    }
    return new String(out.data, 0, out.size, StandardCharsets.UTF_8);
  }

  private void addSpace(Bytes out) {
    if (spec.escapeWhitespaces()) {
      out.add(SPACE_SYMBOL, 0, SPACE_SYMBOL.length);
    } else {
      out.add((byte) ' ');
    }
  }

  /** sentencepiece's {@code NormalizePrefix}: the normalisation of what starts at {@code pos}. */
  private void prefix(byte[] in, String bytesAsChars, int pos, Span out) {
    if (userDefined != null) {
      int n = userDefined.longestPrefix(bytesAsChars, pos, in.length);
      if (n > 0) {
        out.set(in, pos, n, n);
        return;
      }
    }
    if (charsMap != null) {
      long m = charsMap.longestMatch(in, pos, in.length);
      if (m >= 0) {
        int length = (int) (m >>> 32);
        int offset = (int) m;
        out.set(charsMap.replacements(), offset, charsMap.replacementEnd(offset) - offset, length);
        return;
      }
    }
    int n = utf8Length(in, pos);
    if (n > 0) {
      out.set(in, pos, n, n);
    } else {
      out.set(REPLACEMENT, 0, REPLACEMENT.length, 1);
    }
  }

  /** Bytes of the well-formed UTF-8 character at {@code pos}, or 0 for a malformed one. */
  static int utf8Length(byte[] in, int pos) {
    int b = in[pos] & 0xFF;
    if (b < 0x80) {
      return 1;
    }
    int n;
    int min;
    if (b >= 0xC2 && b <= 0xDF) {
      n = 2;
      min = 0x80;
    } else if (b >= 0xE0 && b <= 0xEF) {
      n = 3;
      min = 0x800;
    } else if (b >= 0xF0 && b <= 0xF4) {
      n = 4;
      min = 0x10000;
    } else {
      return 0;
    }
    if (pos + n > in.length) {
      return 0;
    }
    int cp = b & (0xFF >> (n + 1));
    for (int k = 1; k < n; k++) {
      int c = in[pos + k] & 0xFF;
      if ((c & 0xC0) != 0x80) {
        return 0;
      }
      cp = (cp << 6) | (c & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return 0;
    }
    return n;
  }

  /** A growable byte buffer. */
  private static final class Bytes {
    byte[] data;
    int size;

    Bytes(int capacity) {
      data = new byte[Math.max(16, capacity)];
    }

    void add(byte b) {
      if (size == data.length) {
        data = Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 16, data.length * 2L));
      }
      data[size++] = b;
    }

    void add(byte[] b, int off, int len) {
      for (int i = 0; i < len; i++) {
        add(b[off + i]);
      }
    }

    boolean endsWith(byte[] b) {
      if (size < b.length) {
        return false;
      }
      for (int i = 0; i < b.length; i++) {
        if (data[size - b.length + i] != b[i]) {
          return false;
        }
      }
      return true;
    }
  }
}
