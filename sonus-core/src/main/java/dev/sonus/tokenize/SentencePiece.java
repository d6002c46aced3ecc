package dev.sonus.tokenize;

import dev.sonus.tokenize.SentencePieceModel.ModelException;
import dev.sonus.tokenize.SentencePieceModel.PieceType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * A SentencePiece tokenizer: text to piece ids and pieces, and back, as sentencepiece's {@code
 * SentencePieceProcessor} does (SpeechBrain's {@code speechbrain.tokenizers.SentencePiece} wraps
 * it), for unigram, BPE, char and word models.
 *
 * <p>Encoding normalises the text as the model's {@code normalizer_spec} says (see {@link
 * SentencePieceModel.Normalization}), then segments it: a unigram model takes the best-scoring
 * segmentation (Viterbi over piece scores, sentencepiece's optimised encoder, no sampling); a BPE
 * model merges adjacent symbols, best piece score first; a char model takes one piece per
 * character; a word model one per space-delimited word. User-defined symbols are always kept whole.
 * A run of characters that no piece covers becomes one unknown piece ({@code <unk>}), or, when the
 * model has {@code byte_fallback}, one byte piece {@code <0xXX>} per UTF-8 byte. Decoding joins the
 * pieces, turns {@code ▁} back into spaces, drops the leading one, drops control pieces, writes
 * {@code unk_surface} (" ⁇ ") for the unknown piece and decodes byte pieces as UTF-8.
 *
 * <p>Instances are immutable and may be shared between threads.
 */
public final class SentencePiece implements TextTokenizer {
  /** sentencepiece's {@code kUnkPenalty}: the unknown piece scores this much below the worst. */
  private static final float UNK_PENALTY = 10.0f;

  private static final String SPACE = "\u2581";

  private final SentencePieceModel model;
  private final SentencePieceNormalizer normalizer;
  private final SentencePieceNormalizer denormalizer;
  private final String[] pieceText;
  private final float[] scores;
  private final PieceType[] types;
  private final int[] utf8Lengths;
  private final Map<String, Integer> pieceIds = new HashMap<>();
  private final Map<String, Integer> reservedIds = new HashMap<>();
  private final PieceTrie trie;
  private final PieceTrie userDefined;
  private final int unkId;
  private final float minScore;
  private final float maxScore;
  private final boolean byteFallback;
  private final String unkSurface;

  /**
   * A tokenizer of {@code model}. Runs the model's self-test samples, as sentencepiece does when it
   * loads a model.
   *
   * @throws ModelException naming the model when a self-test sample encodes differently
   */
  public SentencePiece(SentencePieceModel model) {
    this.model = model;
    List<SentencePieceModel.Piece> pieces = model.pieces();
    int n = pieces.size();
    pieceText = new String[n];
    scores = new float[n];
    types = new PieceType[n];
    utf8Lengths = new int[n];
    List<String> trieKeys = new ArrayList<>();
    List<Integer> trieValues = new ArrayList<>();
    List<String> userKeys = new ArrayList<>();
    List<String> userBytes = new ArrayList<>();
    float min = Float.MAX_VALUE;
    float max = Float.MIN_VALUE; // sentencepiece's FLT_MIN: the smallest positive float
    for (int i = 0; i < n; i++) {
      SentencePieceModel.Piece p = pieces.get(i);
      pieceText[i] = p.piece();
      scores[i] = p.score();
      types[i] = p.type();
      utf8Lengths[i] = p.piece().getBytes(StandardCharsets.UTF_8).length;
      boolean normal =
          p.type() == PieceType.NORMAL
              || p.type() == PieceType.USER_DEFINED
              || p.type() == PieceType.UNUSED;
      if (normal) {
        pieceIds.put(p.piece(), i);
        trieKeys.add(p.piece());
        trieValues.add(i);
      } else {
        reservedIds.put(p.piece(), i);
      }
      if (p.type() == PieceType.USER_DEFINED) {
        userKeys.add(p.piece());
        userBytes.add(
            new String(p.piece().getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
      }
      if (p.type() == PieceType.NORMAL) {
        min = Math.min(min, p.score());
        max = Math.max(max, p.score());
      }
    }
    minScore = min;
    maxScore = max;
    trie = new PieceTrie(trieKeys, trieValues.stream().mapToInt(Integer::intValue).toArray());
    int[] userIds = userKeys.stream().mapToInt(pieceIds::get).toArray();
    userDefined = new PieceTrie(userKeys, userIds);
    unkId = model.unkId();
    byteFallback = model.byteFallback();
    unkSurface = model.unkSurface();
    normalizer =
        new SentencePieceNormalizer(
            model.normalizer(),
            model.treatWhitespaceAsSuffix(),
            new PieceTrie(userBytes, userIds),
            model.source() + ": normalizer_spec.precompiled_charsmap");
    denormalizer =
        model
            .denormalizer()
            .filter(d -> d.precompiledCharsmap().length > 0)
            .map(
                d ->
                    new SentencePieceNormalizer(
                        d, false, null, model.source() + ": denormalizer_spec"))
            .orElse(null);
    selfTest();
  }

  /**
   * Reads a {@code .model} file.
   *
   * @throws java.io.UncheckedIOException naming the path when it cannot be read
   * @throws ModelException naming the file when it is not a usable model
   */
  @dev.sonus.util.RecipeCallable
  public static SentencePiece load(Path file) {
    return new SentencePiece(SentencePieceModel.load(file));
  }

  /** Like {@link #load(Path)}, within {@code limits}. */
  public static SentencePiece load(Path file, SentencePieceModel.Limits limits) {
    return new SentencePiece(SentencePieceModel.load(file, limits));
  }

  /** The model. */
  public SentencePieceModel model() {
    return model;
  }

  /** Vocabulary size. */
  @Override
  public int size() {
    return pieceText.length;
  }

  /**
   * The piece of an id.
   *
   * @throws IllegalArgumentException when the id is outside the vocabulary
   */
  public String idToPiece(int id) {
    checkId(id);
    return pieceText[id];
  }

  /** The id of a piece; the unknown piece's id for a piece not in the vocabulary. */
  public int pieceToId(String piece) {
    Integer id = reservedIds.get(piece);
    if (id == null) {
      id = pieceIds.get(piece);
    }
    return id == null ? unkId : id;
  }

  /** What the piece of {@code id} is. */
  public PieceType type(int id) {
    checkId(id);
    return types[id];
  }

  /** The id of the unknown piece. */
  public int unkId() {
    return unkId;
  }

  /** The id of the beginning-of-sentence control piece ({@code <s>}), or -1 when it has none. */
  public int bosId() {
    return controlId("bos");
  }

  /** The id of the end-of-sentence control piece ({@code </s>}), or -1 when it has none. */
  public int eosId() {
    return controlId("eos");
  }

  /** The id of the padding control piece ({@code <pad>}), or -1 when it has none. */
  public int padId() {
    return controlId("pad");
  }

  private int controlId(String which) {
    int id = pieceToId(model.specialPiece(which));
    return types[id] == PieceType.CONTROL ? id : -1;
  }

  /** The piece ids of {@code text}, as sentencepiece's {@code encode_as_ids}. */
  public int[] encode(String text) {
    List<Token> tokens = tokens(text);
    int[] ids = new int[tokens.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = tokens.get(i).id();
    }
    return ids;
  }

  /**
   * The pieces of {@code text}, as sentencepiece's {@code encode_as_pieces}: a run of unknown
   * characters is one piece of those characters (its id is the unknown piece's).
   */
  public List<String> encodeAsPieces(String text) {
    return tokens(text).stream().map(Token::piece).toList();
  }

  @Override
  public String piece(long id) {
    if (id < 0 || id >= size()) {
      throw new IllegalArgumentException(
          "id " + id + " is outside the vocabulary of " + size() + " pieces");
    }
    return idToPiece((int) id);
  }

  /** {@link #encode} as {@code long} ids, the element type of target tensors. */
  @Override
  public long[] encodeIds(String text) {
    int[] ids = encode(text);
    long[] out = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = ids[i];
    }
    return out;
  }

  /**
   * {@link #decode} of {@code long} ids.
   *
   * @throws IllegalArgumentException for an id outside the vocabulary
   */
  @Override
  public String decodeIds(long[] ids) {
    int[] narrow = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= pieceText.length) {
        checkId(ids[i] < 0 ? -1 : pieceText.length); // names the vocabulary's range
      }
      narrow[i] = (int) ids[i];
    }
    return decode(narrow);
  }

  /** The text of piece ids, as sentencepiece's {@code decode_ids}. */
  public String decode(int... ids) {
    List<String> pieces = new ArrayList<>(ids.length);
    for (int id : ids) {
      pieces.add(idToPiece(id));
    }
    return decodePieces(pieces);
  }

  /** The text of pieces, as sentencepiece's {@code decode_pieces}. */
  public String decodePieces(List<String> pieces) {
    int n = pieces.size();
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = pieceToId(pieces.get(i));
    }
    StringBuilder text = new StringBuilder();
    int byteStart = 0;
    boolean isBosWs = true;
    boolean bosWsSeen = false;
    for (int i = 0; i < n; i++) {
      if (types[ids[i]] == PieceType.BYTE) {
        continue;
      }
      appendBytes(pieces, byteStart, i, text);
      if (bosWsSeen || text.length() > 0) {
        isBosWs = false;
      }
      byteStart = i + 1;
      String piece = pieces.get(i);
      int id = ids[i];
      bosWsSeen = false;
      if (types[id] == PieceType.CONTROL) {
        continue;
      }
      if (types[id] == PieceType.UNKNOWN) {
        text.append(pieceText[id].equals(piece) ? unkSurface : piece);
        continue;
      }
      SentencePieceModel.Normalization spec = model.normalizer();
      if (isBosWs && (spec.addDummyPrefix() || spec.removeExtraWhitespaces())) {
        if (piece.startsWith(SPACE)) {
          piece = piece.substring(SPACE.length());
          // With extra whitespace removed, every leading space goes, not only the first.
          bosWsSeen = !spec.removeExtraWhitespaces();
        }
      }
      text.append(piece.replace(SPACE, " "));
    }
    appendBytes(pieces, byteStart, n, text);
    String out = text.toString();
    return denormalizer == null ? out : denormalizer.normalize(out);
  }

  /** Decodes the byte pieces {@code [from, to)} as UTF-8, U+FFFD for each malformed byte. */
  private static void appendBytes(List<String> pieces, int from, int to, StringBuilder text) {
    if (from >= to) {
      return;
    }
    byte[] bytes = new byte[to - from];
    for (int i = from; i < to; i++) {
      bytes[i - from] = (byte) SentencePieceModel.byteOf(pieces.get(i));
    }
    int pos = 0;
    while (pos < bytes.length) {
      int n = SentencePieceNormalizer.utf8Length(bytes, pos);
      if (n == 0) {
        text.append('\uFFFD');
        pos++;
      } else {
        text.append(new String(bytes, pos, n, StandardCharsets.UTF_8));
        pos += n;
      }
    }
  }

  /** One piece of an encoding. */
  private record Token(String piece, int id) {}

  /**
   * sentencepiece's {@code Encode}: normalise, segment, merge unknown runs or fall back to bytes.
   */
  private List<Token> tokens(String text) {
    String normalized = normalizer.normalize(text);
    if (normalized.isEmpty()) {
      return List.of();
    }
    List<Token> raw =
        switch (model.type()) {
          case UNIGRAM -> unigram(normalized);
          case BPE -> bpe(normalized);
          case CHAR -> chars(normalized);
          case WORD -> words(normalized);
        };
    List<Token> out = new ArrayList<>(raw.size());
    boolean prevUnk = false;
    for (Token t : raw) {
      boolean unk = types[t.id()] == PieceType.UNKNOWN;
      if (unk && byteFallback) {
        for (byte b : t.piece().getBytes(StandardCharsets.UTF_8)) {
          String piece = SentencePieceModel.bytePiece(b & 0xFF);
          out.add(new Token(piece, pieceToId(piece)));
        }
      } else if (unk && prevUnk) {
        Token last = out.remove(out.size() - 1);
        out.add(new Token(last.piece() + t.piece(), last.id()));
      } else {
        out.add(t);
      }
      prevUnk = unk;
    }
    return out;
  }

  /** sentencepiece's {@code unigram::Model::EncodeOptimized}, on UTF-16 positions. */
  private List<Token> unigram(String s) {
    int n = s.length();
    float[] best = new float[n + 1];
    int[] from = new int[n + 1];
    int[] ids = new int[n + 1];
    Arrays.fill(from, -1);
    float unkScore = minScore - UNK_PENALTY;
    int start = 0;
    while (start < n) {
      int st = start;
      float till = best[start];
      int charLength = Character.charCount(s.codePointAt(start));
      boolean[] single = {false};
      trie.prefixes(
          s,
          start,
          n,
          (length, id) -> {
            if (types[id] == PieceType.UNUSED) {
              return;
            }
            int end = st + length;
            if (types[id] == PieceType.USER_DEFINED) {
              // sentencepiece's bonus, which makes a user-defined symbol always win; computed in
              // double there, as here, then stored as float.
              double candidate = ((float) utf8Lengths[id] * maxScore - 0.1) + till;
              if (from[end] == -1 || candidate > best[end]) {
                best[end] = (float) candidate;
                from[end] = st;
                ids[end] = id;
              }
            } else {
              float candidate = scores[id] + till;
              if (from[end] == -1 || candidate > best[end]) {
                best[end] = candidate;
                from[end] = st;
                ids[end] = id;
              }
            }
            if (length == charLength) {
              single[0] = true;
            }
          });
      if (!single[0]) {
        int end = st + charLength;
        float candidate = unkScore + till;
        if (from[end] == -1 || candidate > best[end]) {
          best[end] = candidate;
          from[end] = st;
          ids[end] = unkId;
        }
      }
      start += charLength;
    }
    Deque<Token> path = new ArrayDeque<>();
    for (int end = n; end > 0; end = from[end]) {
      path.addFirst(new Token(s.substring(from[end], end), ids[end]));
    }
    return new ArrayList<>(path);
  }

  /** A candidate merge of BPE: symbols {@code left} and {@code right}. */
  private record Merge(int left, int right, float score, int length) {}

  /** sentencepiece's {@code bpe::Model::SampleEncode} without dropout. */
  private List<Token> bpe(String s) {
    int n = s.length();
    int[] start = new int[n];
    int[] length = new int[n];
    int[] prev = new int[n];
    int[] next = new int[n];
    boolean[] frozen = new boolean[n];
    int count = 0;
    for (int pos = 0; pos < n; count++) {
      int m = userDefined.longestPrefix(s, pos, n);
      frozen[count] = m > 0;
      if (m == 0) {
        m = Character.charCount(s.codePointAt(pos));
      }
      start[count] = pos;
      length[count] = m;
      prev[count] = count - 1;
      pos += m;
      next[count] = pos < n ? count + 1 : -1;
    }
    // Best score first; of equal scores, the leftmost.
    PriorityQueue<Merge> agenda =
        new PriorityQueue<>(
            (a, b) ->
                a.score() != b.score()
                    ? Float.compare(b.score(), a.score())
                    : Integer.compare(a.left(), b.left()));
    Map<String, String[]> unmerge = new HashMap<>();
    MergeFinder finder =
        (l, r) -> {
          if (l == -1 || r == -1 || frozen[l] || frozen[r]) {
            return;
          }
          String piece = s.substring(start[l], start[l] + length[l] + length[r]);
          Integer id = pieceIds.get(piece);
          if (id == null) {
            return;
          }
          agenda.add(new Merge(l, r, scores[id], length[l] + length[r]));
          if (types[id] == PieceType.UNUSED) {
            unmerge.put(
                piece,
                new String[] {
                  s.substring(start[l], start[l] + length[l]),
                  s.substring(start[r], start[r] + length[r])
                });
          }
        };
    for (int i = 1; i < count; i++) {
      finder.add(i - 1, i);
    }
    while (!agenda.isEmpty()) {
      Merge top = agenda.poll();
      int l = top.left();
      int r = top.right();
      if (length[l] == 0 || length[r] == 0 || length[l] + length[r] != top.length()) {
        continue; // one of them was merged into something else since
      }
      length[l] += length[r];
      next[l] = next[r];
      if (next[r] >= 0) {
        prev[next[r]] = l;
      }
      length[r] = 0;
      finder.add(prev[l], l);
      finder.add(l, next[l]);
    }
    List<Token> out = new ArrayList<>();
    Deque<String> pending = new ArrayDeque<>();
    for (int i = 0; i != -1 && count > 0; i = next[i]) {
      pending.push(s.substring(start[i], start[i] + length[i]));
      while (!pending.isEmpty()) {
        // An unused piece is split back into what it was merged from.
        String w = pending.pop();
        int id = pieceToId(w);
        String[] parts = types[id] == PieceType.UNUSED ? unmerge.get(w) : null;
        if (parts == null) {
          out.add(new Token(w, id));
        } else {
          pending.push(parts[1]);
          pending.push(parts[0]);
        }
      }
    }
    return out;
  }

  @FunctionalInterface
  private interface MergeFinder {
    void add(int left, int right);
  }

  /** sentencepiece's {@code character::Model::Encode}. */
  private List<Token> chars(String s) {
    int n = s.length();
    List<Token> out = new ArrayList<>(n);
    for (int pos = 0; pos < n; ) {
      int m = userDefined.longestPrefix(s, pos, n);
      if (m == 0) {
        m = Character.charCount(s.codePointAt(pos));
      }
      String w = s.substring(pos, pos + m);
      out.add(new Token(w, pieceToId(w)));
      pos += m;
    }
    return out;
  }

  /** sentencepiece's {@code word::Model::Encode}: one piece per word of {@link #splitIntoWords}. */
  private List<Token> words(String s) {
    List<Token> out = new ArrayList<>();
    for (String w :
        splitIntoWords(s, model.treatWhitespaceAsSuffix(), model.allowWhitespaceOnlyPieces())) {
      out.add(new Token(w, pieceToId(w)));
    }
    return out;
  }

  /**
   * sentencepiece's {@code SplitIntoWords}: normalised text cut before each {@code ▁} (after it,
   * when whitespace is a suffix); with {@code allowWhitespaceOnly}, a run of {@code ▁} stays whole.
   */
  static List<String> splitIntoWords(String s, boolean suffix, boolean allowWhitespaceOnly) {
    List<String> out = new ArrayList<>();
    int n = s.length();
    int wordStart = 0;
    boolean inWhitespace = false;
    int begin = 0;
    if (suffix) {
      while (begin < n) {
        int m = Character.charCount(s.codePointAt(begin));
        boolean ws = s.charAt(begin) == '\u2581';
        if (ws) {
          inWhitespace = true;
        } else if (inWhitespace) {
          if (allowWhitespaceOnly) {
            out.add(s.substring(wordStart, begin));
            wordStart = begin;
          }
          inWhitespace = false;
        }
        begin += m;
        if (begin < n && ws && !allowWhitespaceOnly) {
          out.add(s.substring(wordStart, begin));
          wordStart = begin;
        }
      }
    } else {
      while (begin < n) {
        int m = Character.charCount(s.codePointAt(begin));
        boolean ws = s.charAt(begin) == '\u2581';
        if (begin > 0 && ws && (!inWhitespace || !allowWhitespaceOnly)) {
          out.add(s.substring(wordStart, begin));
          wordStart = begin;
        }
        if (begin == 0 || (ws && (!inWhitespace || !allowWhitespaceOnly))) {
          inWhitespace = true;
        }
        if (inWhitespace && !ws) {
          inWhitespace = false;
        }
        begin += m;
      }
    }
    if (n > 0) {
      out.add(s.substring(wordStart, n));
    }
    return out;
  }

  /** sentencepiece's self-test at load: each sample must encode as it did when it was written. */
  private void selfTest() {
    List<SentencePieceModel.SelfTest> samples = model.selfTests();
    for (int i = 0; i < samples.size(); i++) {
      SentencePieceModel.SelfTest t = samples.get(i);
      String actual = String.join(" ", encodeAsPieces(t.input()));
      if (!actual.equals(t.expected()) && !equallyLikely(t.expected(), actual)) {
        throw new ModelException(
            model.file().orElse(null),
            model.source()
                + ": self-test sample "
                + i
                + " of the model ('"
                + t.input()
                + "') encodes as '"
                + actual
                + "', but the model says '"
                + t.expected()
                + "'. The file is damaged, or its settings are ones this reader does not follow;"
                + " copy it again, or report the model");
      }
    }
  }

  /** sentencepiece's {@code VerifyOutputsEquivalent}: unigram segmentations of equal score. */
  private boolean equallyLikely(String expected, String actual) {
    if (model.type() != SentencePieceModel.Type.UNIGRAM) {
      return false;
    }
    return Math.abs(score(expected) - score(actual)) <= 1e-7;
  }

  private double score(String joined) {
    float total = 0;
    for (String p : joined.split(" ", -1)) {
      int id = pieceToId(p);
      if (id == unkId) {
        total += minScore - UNK_PENALTY;
      } else if (types[id] == PieceType.USER_DEFINED) {
        total += (float) (p.getBytes(StandardCharsets.UTF_8).length * maxScore - 0.1);
      } else {
        total += scores[id];
      }
    }
    return total;
  }

  private void checkId(int id) {
    if (id < 0 || id >= pieceText.length) {
      throw new IllegalArgumentException(
          "id "
              + id
              + " is outside the vocabulary of "
              + model.source()
              + " (ids 0.."
              + (pieceText.length - 1)
              + ")");
    }
  }

  @Override
  public String toString() {
    return "SentencePiece(" + model + ")";
  }
}
