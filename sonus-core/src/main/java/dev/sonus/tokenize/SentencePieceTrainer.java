package dev.sonus.tokenize;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import dev.sonus.tokenize.SentencePieceModel.PieceType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains SentencePiece models from text, following sentencepiece's trainers ({@code spm_train}),
 * and writes models that sentencepiece loads.
 *
 * <ul>
 *   <li>Text is normalised with the {@code identity} rules (no Unicode normalisation: normalise the
 *       transcripts beforehand), extra spaces removed, a space put first and spaces written {@code
 *       ▁}; user-defined and control symbols are cut out of it.
 *   <li>The characters that cover {@code characterCoverage} of the text are kept; the rest become
 *       the unknown piece.
 *   <li>Unigram: seed pieces are the characters and the substrings that occur at least twice
 *       followed by different characters (the internal nodes of sentencepiece's suffix tree),
 *       scored by frequency times length (counted here level by level, longer ones only when both
 *       their prefix and suffix occurred twice); then EM rounds (two E/M steps, the M step with
 *       sentencepiece's digamma prior, dropping pieces expected less than half a time) each
 *       followed by pruning the 25% whose removal costs the likelihood least, until 1.1 times the
 *       vocabulary is left; the required characters and the best pieces make the final vocabulary.
 *   <li>BPE: the most frequent pair of adjacent symbols within words is merged (ties: the shorter,
 *       then the first in code point order) until the vocabulary is full; piece scores are minus
 *       the merge rank, the characters come last. sentencepiece picks among a refreshed top 5% of
 *       pairs; here the best pair is always found exactly.
 *   <li>Char: the kept characters, scored by log frequency.
 * </ul>
 *
 * <p>Pieces never cross a word boundary, hold {@code ▁} only first, and do not mix Unicode scripts
 * (digits count as a script of their own), as sentencepiece's defaults say. Training is
 * deterministic: the same text and options give the same bytes.
 */
public final class SentencePieceTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(SentencePieceTrainer.class);

  static final int SPACE = 0x2581;
  static final int UNK_CHAR = 0x2585;
  static final int BOUNDARY = '\t';

  /**
   * What to train.
   *
   * @param type the model type
   * @param vocabSize the number of pieces, special pieces included; for {@link
   *     SentencePieceModel.Type#CHAR}, 0 means every kept character
   * @param characterCoverage the fraction of the text's characters that must be pieces of their
   *     own, in [0.98, 1] (sentencepiece's range; 1 keeps every character)
   * @param maxPieceLength the longest piece, in characters (1 to 512)
   * @param unkId the id of {@code <unk>} (required)
   * @param bosId the id of {@code <s>}, or -1 for none
   * @param eosId the id of {@code </s>}, or -1 for none
   * @param padId the id of {@code <pad>}, or -1 for none
   * @param userDefinedSymbols pieces always kept whole in text, given the next free ids
   * @param controlSymbols pieces without surface (such as language tags), given the next free ids
   * @param byteFallback whether the 256 byte pieces are added, so that unknown characters encode as
   *     their UTF-8 bytes
   * @param splitDigits whether every digit is a piece of its own
   */
  public record Options(
      SentencePieceModel.Type type,
      int vocabSize,
      double characterCoverage,
      int maxPieceLength,
      int unkId,
      int bosId,
      int eosId,
      int padId,
      List<String> userDefinedSymbols,
      List<String> controlSymbols,
      boolean byteFallback,
      boolean splitDigits) {
    /**
     * Checks the options.
     *
     * @throws IllegalArgumentException naming the option and its value
     */
    public Options {
      if (type == null) {
        throw new IllegalArgumentException("the model type is missing; use unigram, bpe or char");
      }
      if (type == SentencePieceModel.Type.WORD) {
        throw new IllegalArgumentException(
            "training word models is not supported; use unigram, bpe or char");
      }
      if (vocabSize < 0 || (vocabSize == 0 && type != SentencePieceModel.Type.CHAR)) {
        throw new IllegalArgumentException(
            "vocabSize is "
                + vocabSize
                + "; it must be positive (0, all characters, only for char models)");
      }
      if (!(characterCoverage >= 0.98 && characterCoverage <= 1.0)) {
        throw new IllegalArgumentException(
            "characterCoverage is " + characterCoverage + "; it must be in [0.98, 1]");
      }
      if (maxPieceLength < 1 || maxPieceLength > 512) {
        throw new IllegalArgumentException(
            "maxPieceLength is " + maxPieceLength + "; it must be in 1..512 characters");
      }
      if (unkId < 0) {
        throw new IllegalArgumentException(
            "unkId is " + unkId + "; a model needs an unknown piece, at an id >= 0");
      }
      userDefinedSymbols = List.copyOf(userDefinedSymbols);
      controlSymbols = List.copyOf(controlSymbols);
      for (String s : userDefinedSymbols) {
        checkSymbol(s, "user-defined");
      }
      for (String s : controlSymbols) {
        checkSymbol(s, "control");
      }
    }

    private static void checkSymbol(String s, String what) {
      if (s.isEmpty() || s.indexOf(' ') >= 0 || s.indexOf('\t') >= 0) {
        throw new IllegalArgumentException(
            "the " + what + " symbol '" + s + "' is empty or holds a space or tab");
      }
    }

    /**
     * SpeechBrain's defaults for its {@code SentencePiece} tokenizer: all characters kept, {@code
     * <unk>} at 0, no {@code <s>}, {@code </s>} or {@code <pad>}, pieces of up to 16 characters.
     */
    public static Options of(SentencePieceModel.Type type, int vocabSize) {
      return new Options(
          type, vocabSize, 1.0, 16, 0, -1, -1, -1, List.of(), List.of(), false, false);
    }

    /** The same options with other user-defined symbols. */
    public Options withUserDefinedSymbols(List<String> symbols) {
      return new Options(
          type,
          vocabSize,
          characterCoverage,
          maxPieceLength,
          unkId,
          bosId,
          eosId,
          padId,
          symbols,
          controlSymbols,
          byteFallback,
          splitDigits);
    }

    /** The same options with other control symbols. */
    public Options withControlSymbols(List<String> symbols) {
      return new Options(
          type,
          vocabSize,
          characterCoverage,
          maxPieceLength,
          unkId,
          bosId,
          eosId,
          padId,
          userDefinedSymbols,
          symbols,
          byteFallback,
          splitDigits);
    }

    /**
     * The same options with other ids of {@code <unk>}, {@code <s>}, {@code </s>}, {@code <pad>}.
     */
    public Options withSpecialIds(int unk, int bos, int eos, int pad) {
      return new Options(
          type,
          vocabSize,
          characterCoverage,
          maxPieceLength,
          unk,
          bos,
          eos,
          pad,
          userDefinedSymbols,
          controlSymbols,
          byteFallback,
          splitDigits);
    }

    /** The same options with another character coverage. */
    public Options withCharacterCoverage(double coverage) {
      return new Options(
          type,
          vocabSize,
          coverage,
          maxPieceLength,
          unkId,
          bosId,
          eosId,
          padId,
          userDefinedSymbols,
          controlSymbols,
          byteFallback,
          splitDigits);
    }

    /** The same options with another longest piece. */
    public Options withMaxPieceLength(int characters) {
      return new Options(
          type,
          vocabSize,
          characterCoverage,
          characters,
          unkId,
          bosId,
          eosId,
          padId,
          userDefinedSymbols,
          controlSymbols,
          byteFallback,
          splitDigits);
    }

    /** The same options with byte fallback on or off. */
    public Options withByteFallback(boolean on) {
      return new Options(
          type,
          vocabSize,
          characterCoverage,
          maxPieceLength,
          unkId,
          bosId,
          eosId,
          padId,
          userDefinedSymbols,
          controlSymbols,
          on,
          splitDigits);
    }

    /** The same options with digits split or not. */
    public Options withSplitDigits(boolean on) {
      return new Options(
          type,
          vocabSize,
          characterCoverage,
          maxPieceLength,
          unkId,
          bosId,
          eosId,
          padId,
          userDefinedSymbols,
          controlSymbols,
          byteFallback,
          on);
    }
  }

  /** sentencepiece's limit on the length of a training sentence, in UTF-8 bytes. */
  static final int MAX_SENTENCE_BYTES = 4192;

  private SentencePieceTrainer() {}

  /** A special piece at a fixed id. */
  private record Meta(String piece, PieceType type) {}

  /**
   * Trains a model on {@code sentences} (one transcript each).
   *
   * @throws IllegalArgumentException when the text has no usable sentence, or the vocabulary size
   *     does not fit it (too small for its characters, or more pieces than it can give), with the
   *     size to use
   */
  public static SentencePieceModel train(Iterable<String> sentences, Options options) {
    int vocabLimit = options.vocabSize() == 0 ? Integer.MAX_VALUE : options.vocabSize();
    TreeMap<Integer, Meta> meta = metaPieces(options, vocabLimit);
    PieceTrie metaMatcher =
        new PieceTrie(meta.values().stream().map(Meta::piece).toList(), new int[meta.size()]);
    SentencePieceModel.Normalization identity =
        new SentencePieceModel.Normalization("identity", new byte[0], true, true, true);
    SentencePieceNormalizer normalizer = new SentencePieceNormalizer(identity, false, null, "");

    // Normalised sentences with their counts, in first-seen order.
    Map<String, Long> counts = new LinkedHashMap<>();
    long read = 0;
    long skippedLong = 0;
    for (String s : sentences) {
      if (s == null || s.isEmpty()) {
        continue;
      }
      read++;
      if (s.getBytes(StandardCharsets.UTF_8).length > MAX_SENTENCE_BYTES) {
        skippedLong++;
        continue;
      }
      if (s.indexOf(UNK_CHAR) >= 0) {
        continue; // sentencepiece skips text holding its reserved character
      }
      String n = replaceMeta(normalizer.normalize(s), metaMatcher);
      if (!n.isEmpty()) {
        counts.merge(n, 1L, Long::sum);
      }
    }
    if (skippedLong > 0) {
      LOG.warn(
          "skipped {} of {} sentences longer than {} bytes", skippedLong, read, MAX_SENTENCE_BYTES);
    }
    if (counts.isEmpty()) {
      throw new IllegalArgumentException(
          "no text to train on: "
              + read
              + " non-empty sentences read, none usable (check the column holds the transcripts)");
    }
    Map<Integer, Long> required = requiredChars(counts, options.characterCoverage());
    List<Sentence> text = new ArrayList<>(counts.size());
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      text.add(new Sentence(keepOnly(e.getKey(), required), e.getValue()));
    }
    if (options.type() != SentencePieceModel.Type.CHAR
        && required.size() + meta.size() > options.vocabSize()) {
      throw new IllegalArgumentException(
          "a vocabulary of "
              + options.vocabSize()
              + " pieces is smaller than the "
              + required.size()
              + " characters of the text plus "
              + meta.size()
              + " special pieces; use a vocabulary of at least "
              + (required.size() + meta.size())
              + (options.characterCoverage() < 1 ? "" : ", or a character coverage below 1"));
    }
    LOG.info(
        "training a {} model of {} pieces on {} distinct sentences, {} characters",
        options.type().name().toLowerCase(java.util.Locale.ROOT),
        options.vocabSize() == 0 ? "all" : options.vocabSize(),
        text.size(),
        required.size());
    PieceSpec spec = new PieceSpec(options.maxPieceLength(), options.splitDigits());
    int free = vocabLimit == Integer.MAX_VALUE ? Integer.MAX_VALUE : vocabLimit - meta.size();
    List<Scored> pieces =
        switch (options.type()) {
          case UNIGRAM ->
              new UnigramTrainer(text, required, spec, free, options.vocabSize()).train();
          case BPE -> BpeTrainer.train(text, required, spec, free - required.size());
          case CHAR -> charPieces(required, free);
          case WORD -> throw new IllegalStateException("checked by Options");
        };
    return SentencePieceModel.of(serialize(options, meta, pieces));
  }

  /** A normalised sentence and how often it occurs. */
  record Sentence(String text, long count) {}

  /** A piece and its score. */
  record Scored(String piece, float score) {}

  /** sentencepiece's {@code IsValidSentencePiece} under its default settings. */
  record PieceSpec(int maxLength, boolean splitDigits) {
    /** Whether the code points {@code cps[from, to)} may be a piece. */
    boolean valid(int[] cps, int from, int to) {
      int length = to - from;
      if (length <= 0 || length > maxLength) {
        return false;
      }
      Character.UnicodeScript prev = null;
      for (int i = from; i < to; i++) {
        int c = cps[i];
        if (c == UNK_CHAR
            || c == 0
            || c == BOUNDARY
            || c == ' '
            || (c >= 0xD800 && c <= 0xDFFF)
            || c > 0x10FFFF) {
          return false;
        }
        if (c == SPACE) {
          if (i > from) {
            return false; // a space only starts a piece
          }
          continue;
        }
        boolean digit = Character.getType(c) == Character.DECIMAL_DIGIT_NUMBER;
        if (splitDigits && digit && length > 1) {
          return false;
        }
        Character.UnicodeScript s = Character.UnicodeScript.of(c);
        if (s == Character.UnicodeScript.HIRAGANA
            || s == Character.UnicodeScript.KATAKANA
            || c == 0x30FC) {
          s = Character.UnicodeScript.HAN; // Japanese kana go with kanji, as in sentencepiece
        } else if (s == Character.UnicodeScript.INHERITED) {
          s = prev;
        }
        if (s != null && prev != null && s != prev) {
          return false;
        }
        prev = s;
      }
      return true;
    }
  }

  /** sentencepiece's {@code InitMetaPieces}: special pieces by id. */
  private static TreeMap<Integer, Meta> metaPieces(Options o, int vocabLimit) {
    TreeMap<Integer, Meta> meta = new TreeMap<>();
    String[][] special = {
      {"unkId", "<unk>", String.valueOf(o.unkId())},
      {"bosId", "<s>", String.valueOf(o.bosId())},
      {"eosId", "</s>", String.valueOf(o.eosId())},
      {"padId", "<pad>", String.valueOf(o.padId())}
    };
    for (String[] s : special) {
      int id = Integer.parseInt(s[2]);
      if (id < 0) {
        continue;
      }
      if (id >= vocabLimit) {
        throw new IllegalArgumentException(
            s[0] + " is " + id + ", outside a vocabulary of " + vocabLimit + " pieces");
      }
      Meta before =
          meta.putIfAbsent(
              id, new Meta(s[1], s[1].equals("<unk>") ? PieceType.UNKNOWN : PieceType.CONTROL));
      if (before != null) {
        throw new IllegalArgumentException(
            s[0] + " is " + id + ", the id of " + before.piece() + " already; give each its own");
      }
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Meta m : meta.values()) {
      seen.add(m.piece());
    }
    List<Meta> extra = new ArrayList<>();
    for (String s : o.controlSymbols()) {
      extra.add(new Meta(s, PieceType.CONTROL));
    }
    for (String s : o.userDefinedSymbols()) {
      extra.add(new Meta(s, PieceType.USER_DEFINED));
    }
    if (o.byteFallback()) {
      for (int b = 0; b < 256; b++) {
        extra.add(new Meta(SentencePieceModel.bytePiece(b), PieceType.BYTE));
      }
    }
    int id = 0;
    for (Meta m : extra) {
      if (m.piece().equals("<unk>")) {
        throw new IllegalArgumentException(
            "<unk> cannot be a control or user-defined symbol: it is the unknown piece");
      }
      if (!seen.add(m.piece())) {
        throw new IllegalArgumentException(
            "the symbol " + m.piece() + " is given twice; give each symbol once");
      }
      while (meta.containsKey(id)) {
        id++;
      }
      if (id >= vocabLimit) {
        throw new IllegalArgumentException(
            "a vocabulary of "
                + vocabLimit
                + " pieces cannot hold the "
                + (meta.size() + extra.size())
                + " special pieces asked for");
      }
      meta.put(id, m);
    }
    return meta;
  }

  /** Replaces each special piece in {@code s} by a tab, which no learnt piece holds. */
  private static String replaceMeta(String s, PieceTrie meta) {
    if (meta.size() == 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    int n = s.length();
    for (int pos = 0; pos < n; ) {
      int m = meta.longestPrefix(s, pos, n);
      if (m > 0) {
        out.append((char) BOUNDARY);
        pos += m;
      } else {
        int c = s.codePointAt(pos);
        out.appendCodePoint(c);
        pos += Character.charCount(c);
      }
    }
    return out.toString();
  }

  /**
   * The characters that make up {@code coverage} of the text, most frequent first, with their
   * counts; the tab that stands for special pieces is never one.
   */
  private static Map<Integer, Long> requiredChars(Map<String, Long> counts, double coverage) {
    Map<Integer, Long> chars = new HashMap<>();
    long all = 0;
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      long n = e.getValue();
      for (int c : e.getKey().codePoints().toArray()) {
        if (c == 0) {
          continue; // sentencepiece never counts NUL
        }
        chars.merge(c, n, Long::sum);
        all += n;
      }
    }
    List<Map.Entry<Integer, Long>> sorted = sortedByCount(chars);
    Map<Integer, Long> required = new LinkedHashMap<>();
    long accumulated = 0;
    for (Map.Entry<Integer, Long> e : sorted) {
      if ((float) ((double) accumulated / all) >= (float) coverage) {
        break;
      }
      accumulated += e.getValue();
      if (e.getKey() != BOUNDARY) {
        required.put(e.getKey(), e.getValue());
      }
    }
    return required;
  }

  /** Entries by count, highest first; of equal counts, the smaller character first. */
  static List<Map.Entry<Integer, Long>> sortedByCount(Map<Integer, Long> m) {
    List<Map.Entry<Integer, Long>> list = new ArrayList<>(m.entrySet());
    list.sort(
        Comparator.comparing((Map.Entry<Integer, Long> e) -> -e.getValue())
            .thenComparing(Map.Entry::getKey));
    return list;
  }

  /** {@code s} with every character not in {@code keep} (and not a tab) replaced by U+2585. */
  private static String keepOnly(String s, Map<Integer, Long> keep) {
    StringBuilder out = new StringBuilder(s.length());
    s.codePoints()
        .forEach(c -> out.appendCodePoint(c == BOUNDARY || keep.containsKey(c) ? c : UNK_CHAR));
    return out.toString();
  }

  /** sentencepiece's char trainer: the kept characters, by frequency, at log probability. */
  private static List<Scored> charPieces(Map<Integer, Long> required, int free) {
    long sum = 0;
    for (long n : required.values()) {
      sum += n;
    }
    float logSum = (float) Math.log((float) sum);
    List<Scored> out = new ArrayList<>();
    for (Map.Entry<Integer, Long> e : sortedByCount(required)) {
      if (out.size() == free) {
        break;
      }
      float score = (float) Math.log((float) e.getValue()) - logSum;
      out.add(new Scored(new String(Character.toChars(e.getKey())), score));
    }
    return out;
  }

  /** Code point order, which is sentencepiece's (UTF-8 byte) order of pieces. */
  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  /** sentencepiece's {@code Serialize}: special pieces at their ids, learnt pieces around them. */
  private static DynamicMessage serialize(
      Options o, TreeMap<Integer, Meta> meta, List<Scored> pieces) {
    int total = meta.size() + pieces.size();
    if (o.type() != SentencePieceModel.Type.CHAR && total != o.vocabSize()) {
      throw new IllegalArgumentException(
          "a vocabulary of "
              + o.vocabSize()
              + " pieces is more than this text gives: "
              + total
              + " pieces could be made; use a vocabulary of at most "
              + total
              + ", or more text");
    }
    if (!meta.isEmpty() && meta.lastKey() >= total) {
      throw new IllegalArgumentException(
          "the special piece "
              + meta.lastEntry().getValue().piece()
              + " has id "
              + meta.lastKey()
              + ", but the text gives only "
              + total
              + " pieces; use smaller special ids");
    }
    Descriptor pd = SentencePieceProto.PIECE;
    DynamicMessage.Builder model = DynamicMessage.newBuilder(SentencePieceProto.MODEL);
    FieldDescriptor piecesField = SentencePieceProto.field(SentencePieceProto.MODEL, "pieces");
    int next = 0;
    for (int id = 0; id < total; id++) {
      DynamicMessage.Builder p = DynamicMessage.newBuilder(pd);
      Meta m = meta.get(id);
      if (m != null) {
        p.setField(SentencePieceProto.field(pd, "piece"), m.piece());
        p.setField(SentencePieceProto.field(pd, "score"), 0.0f);
        p.setField(
            SentencePieceProto.field(pd, "type"),
            SentencePieceProto.field(pd, "type").getEnumType().findValueByName(m.type().name()));
      } else {
        Scored s = pieces.get(next++);
        p.setField(SentencePieceProto.field(pd, "piece"), s.piece());
        p.setField(SentencePieceProto.field(pd, "score"), s.score());
      }
      model.addRepeatedField(piecesField, p.build());
    }
    Descriptor td = SentencePieceProto.TRAINER_SPEC;
    DynamicMessage.Builder trainer = DynamicMessage.newBuilder(td);
    FieldDescriptor modelType = SentencePieceProto.field(td, "model_type");
    trainer.setField(modelType, modelType.getEnumType().findValueByName(o.type().name()));
    trainer.setField(SentencePieceProto.field(td, "vocab_size"), total);
    trainer.setField(
        SentencePieceProto.field(td, "character_coverage"), (float) o.characterCoverage());
    trainer.setField(SentencePieceProto.field(td, "max_sentencepiece_length"), o.maxPieceLength());
    trainer.setField(SentencePieceProto.field(td, "split_digits"), o.splitDigits());
    trainer.setField(SentencePieceProto.field(td, "byte_fallback"), o.byteFallback());
    for (String s : o.controlSymbols()) {
      trainer.addRepeatedField(SentencePieceProto.field(td, "control_symbols"), s);
    }
    for (String s : o.userDefinedSymbols()) {
      trainer.addRepeatedField(SentencePieceProto.field(td, "user_defined_symbols"), s);
    }
    trainer.setField(SentencePieceProto.field(td, "unk_id"), o.unkId());
    trainer.setField(SentencePieceProto.field(td, "bos_id"), o.bosId());
    trainer.setField(SentencePieceProto.field(td, "eos_id"), o.eosId());
    trainer.setField(SentencePieceProto.field(td, "pad_id"), o.padId());
    model.setField(
        SentencePieceProto.field(SentencePieceProto.MODEL, "trainer_spec"), trainer.build());
    Descriptor nd = SentencePieceProto.NORMALIZER_SPEC;
    DynamicMessage normalizer =
        DynamicMessage.newBuilder(nd)
            .setField(SentencePieceProto.field(nd, "name"), "identity")
            .setField(SentencePieceProto.field(nd, "add_dummy_prefix"), true)
            .setField(SentencePieceProto.field(nd, "remove_extra_whitespaces"), true)
            .setField(SentencePieceProto.field(nd, "escape_whitespaces"), true)
            .build();
    model.setField(
        SentencePieceProto.field(SentencePieceProto.MODEL, "normalizer_spec"), normalizer);
    return model.build();
  }
}
