package dev.sonus.tokenize;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.WireFormat;
import dev.sonus.tensor.AtomicFiles;
import dev.sonus.util.ReadLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A SentencePiece model: the {@code ModelProto} of sentencepiece's {@code
 * sentencepiece_model.proto} that a {@code .model} file holds (SpeechBrain's, ESPnet's and Hugging
 * Face's {@code tokenizer.model} alike), read and written with protobuf-java through {@link
 * SentencePieceProto}.
 *
 * <p>Reading checks what sentencepiece's {@code ModelInterface::InitializePieces} checks — no empty
 * or duplicate piece, exactly one unknown piece, byte pieces only (and all 256 of them) with {@code
 * byte_fallback} — and a few things sentencepiece trusts: a known model and piece type, no NaN
 * score, a well-formed {@code precompiled_charsmap}. A file beyond {@link Limits} is refused before
 * it is parsed. Every refusal is a {@link ModelException} naming the file, what is wrong and what
 * to do. Fields this class does not model are kept and written back by {@link #save}.
 *
 * <p>Encoding and decoding are {@link SentencePiece}'s; training is {@link SentencePieceTrainer}'s.
 */
public final class SentencePieceModel {
  /** Which segmentation the model does ({@code TrainerSpec.model_type}). */
  public enum Type {
    /** Unigram language model: Viterbi over piece scores. */
    UNIGRAM,
    /** Byte-pair encoding: merges by piece score. */
    BPE,
    /** Whitespace-delimited words. */
    WORD,
    /** One piece per character. */
    CHAR
  }

  /** What a piece is ({@code ModelProto.SentencePiece.Type}). */
  public enum PieceType {
    /** An ordinary piece. */
    NORMAL,
    /** The unknown piece ({@code <unk>}). */
    UNKNOWN,
    /** A control symbol ({@code <s>}, {@code </s>}, {@code <pad>}, ...): no surface. */
    CONTROL,
    /** A user-defined symbol: always kept whole when it occurs in the text. */
    USER_DEFINED,
    /** A piece that is never produced (BPE re-segments it). */
    UNUSED,
    /** A byte piece {@code <0xXX>} of byte fallback. */
    BYTE
  }

  /**
   * One vocabulary entry; its id is its index.
   *
   * @param piece the piece's text, with {@code ▁} (U+2581) for a space
   * @param score its log probability (unigram), or minus its merge rank (BPE)
   * @param type what it is
   */
  public record Piece(String piece, float score, PieceType type) {}

  /**
   * A {@code NormalizerSpec}: how text is normalised before it is segmented (or after decoding, for
   * the denormaliser).
   *
   * @param name the rule set's name ({@code nmt_nfkc}, {@code identity}, ...), for information: the
   *     rules themselves are the charsmap
   * @param precompiledCharsmap the compiled rules, empty for none (identity)
   * @param addDummyPrefix whether a space is put before the text, so that a word at the start is
   *     segmented as elsewhere
   * @param removeExtraWhitespaces whether leading, trailing and repeated spaces are dropped
   * @param escapeWhitespaces whether spaces become {@code ▁} (U+2581)
   */
  public record Normalization(
      String name,
      byte[] precompiledCharsmap,
      boolean addDummyPrefix,
      boolean removeExtraWhitespaces,
      boolean escapeWhitespaces) {}

  /**
   * A {@code self_test_data} sample: the pieces the model gave {@code input} when it was written.
   *
   * @param input the text
   * @param expected its pieces joined by spaces
   */
  public record SelfTest(String input, String expected) {}

  /**
   * Bounds on reading a model. {@link #defaults()} takes each from the system property {@code
   * sonus.limits.tokenizer.<name>} when set.
   *
   * @param maxFileBytes the largest file read (default 64 MiB; the largest published models, with a
   *     quarter of a million pieces, are about 5 MiB)
   * @param maxPieces the most pieces (default 1,000,000); each takes a few hundred bytes of heap
   *     while the file is parsed
   */
  public record Limits(long maxFileBytes, int maxPieces) {
    /** Default of {@link #maxFileBytes()}: 64 MiB. */
    public static final long DEFAULT_MAX_FILE_BYTES = 64L << 20;

    /** Default of {@link #maxPieces()}. */
    public static final int DEFAULT_MAX_PIECES = 1_000_000;

    private static final String PROPERTY = ReadLimits.PROPERTY_PREFIX + "tokenizer.";

    /**
     * Checks that every limit is positive.
     *
     * @throws IllegalArgumentException naming the limit that is not
     */
    public Limits {
      ReadLimits.positive(maxFileBytes, "maxFileBytes");
      ReadLimits.positive(maxPieces, "maxPieces");
    }

    /**
     * The documented defaults, each replaced by its system property when set.
     *
     * @throws IllegalArgumentException naming a property whose value is not a positive number
     */
    public static Limits defaults() {
      return new Limits(
          ReadLimits.longProperty(PROPERTY + "maxFileBytes", DEFAULT_MAX_FILE_BYTES),
          (int)
              Math.min(
                  Integer.MAX_VALUE,
                  ReadLimits.longProperty(PROPERTY + "maxPieces", DEFAULT_MAX_PIECES)));
    }

    /** The same limits with another {@link #maxFileBytes()}. */
    public Limits withMaxFileBytes(long bytes) {
      return new Limits(bytes, maxPieces);
    }

    /** The same limits with another {@link #maxPieces()}. */
    public Limits withMaxPieces(int pieces) {
      return new Limits(maxFileBytes, pieces);
    }

    String howToRaise(String name, long suggested) {
      return "if the model is genuine, raise the limit: SentencePieceModel.load(path,"
          + " SentencePieceModel.Limits.defaults().with"
          + Character.toUpperCase(name.charAt(0))
          + name.substring(1)
          + "("
          + suggested
          + ")), or -D"
          + PROPERTY
          + name
          + "="
          + suggested;
    }
  }

  /** A model file that cannot be used: the message names the file, what is wrong and the fix. */
  public static final class ModelException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    ModelException(Path file, String message) {
      super(message);
      this.file = file;
    }

    ModelException(Path file, String message, Throwable cause) {
      super(message, cause);
      this.file = file;
    }

    /** The model file concerned, or null for bytes that came from elsewhere. */
    public Path file() {
      return file;
    }
  }

  static final String DAMAGED_FIX =
      "The file is damaged or is not a SentencePiece model: copy it again from where it came from"
          + " (the tokenizer's .model file of the SpeechBrain, ESPnet or Hugging Face model), or"
          + " train a new one with `sonus tokenize train`";

  private final Path file;
  private final String source;
  private final DynamicMessage proto;
  private final Type type;
  private final List<Piece> pieces;
  private final Normalization normalizer;
  private final Normalization denormalizer;
  private final List<SelfTest> selfTests;
  private final int unkId;

  private SentencePieceModel(Path file, String source, DynamicMessage proto) {
    this.file = file;
    this.source = source;
    this.proto = proto;
    Message trainer = message(proto, SentencePieceProto.MODEL, "trainer_spec");
    if (trainer.getUnknownFields().hasField(3)) {
      throw invalid(
          "trainer_spec.model_type is "
              + trainer.getUnknownFields().getField(3).getVarintList()
              + "; expected one of 1 (unigram), 2 (bpe), 3 (word), 4 (char)");
    }
    EnumValueDescriptor mt =
        (EnumValueDescriptor) get(trainer, SentencePieceProto.TRAINER_SPEC, "model_type");
    this.type = Type.valueOf(mt.getName());
    this.pieces = readPieces(proto);
    this.normalizer =
        normalization(message(proto, SentencePieceProto.MODEL, "normalizer_spec"), "normalizer");
    this.denormalizer =
        proto.hasField(SentencePieceProto.field(SentencePieceProto.MODEL, "denormalizer_spec"))
            ? normalization(
                message(proto, SentencePieceProto.MODEL, "denormalizer_spec"), "denormalizer")
            : null;
    this.selfTests = readSelfTests(proto);
    this.unkId = checkPieces(trainer);
  }

  /**
   * Reads a {@code .model} file within the default {@link Limits}.
   *
   * @throws UncheckedIOException naming the path when it cannot be read
   * @throws ModelException naming the file when it is not a usable model
   */
  public static SentencePieceModel load(Path file) {
    return load(file, Limits.defaults());
  }

  /**
   * Reads a {@code .model} file within {@code limits}.
   *
   * @throws UncheckedIOException naming the path when it cannot be read
   * @throws ModelException naming the file when it is not a usable model or exceeds a limit
   */
  public static SentencePieceModel load(Path file, Limits limits) {
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > limits.maxFileBytes() || size > Integer.MAX_VALUE - 16) {
        throw new ModelException(
            file,
            file
                + ": the SentencePiece model is "
                + ReadLimits.bytes(size)
                + ", larger than the limit maxFileBytes = "
                + ReadLimits.bytes(limits.maxFileBytes())
                + "; "
                + limits.howToRaise("maxFileBytes", Math.min(size, Integer.MAX_VALUE - 16)));
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException(file + ": no such SentencePiece model file", e);
    } catch (IOException e) {
      throw new UncheckedIOException(
          file + ": cannot read the SentencePiece model: " + e.getMessage(), e);
    }
    return parse(bytes, file, limits);
  }

  /**
   * Reads a model from the bytes of a {@code .model} file.
   *
   * @param file where the bytes came from, for messages; may be null
   * @throws ModelException when they are not a usable model or exceed a limit
   */
  public static SentencePieceModel parse(byte[] bytes, Path file, Limits limits) {
    String source =
        file != null ? file.toString() : "SentencePiece model (" + bytes.length + " bytes)";
    if (bytes.length > limits.maxFileBytes()) {
      throw new ModelException(
          file,
          source
              + ": the model is "
              + ReadLimits.bytes(bytes.length)
              + ", larger than the limit maxFileBytes = "
              + ReadLimits.bytes(limits.maxFileBytes())
              + "; "
              + limits.howToRaise("maxFileBytes", bytes.length));
    }
    if (bytes.length == 0) {
      throw new ModelException(file, source + ": the file is empty. " + DAMAGED_FIX);
    }
    long count = countPieces(bytes, file, source);
    if (count > limits.maxPieces()) {
      throw new ModelException(
          file,
          source
              + ": the model has "
              + count
              + " pieces, more than the limit maxPieces = "
              + limits.maxPieces()
              + "; "
              + limits.howToRaise("maxPieces", count));
    }
    DynamicMessage proto;
    try {
      proto = DynamicMessage.parseFrom(SentencePieceProto.MODEL, bytes);
    } catch (InvalidProtocolBufferException e) {
      throw damaged(file, source, e);
    }
    return new SentencePieceModel(file, source, proto);
  }

  /** Builds a model from a message made here (the trainer's); checked as a file would be. */
  static SentencePieceModel of(DynamicMessage proto) {
    return new SentencePieceModel(null, "trained SentencePiece model", proto);
  }

  /** Counts the top-level {@code pieces} fields without building them; checks the wire format. */
  private static long countPieces(byte[] bytes, Path file, String source) {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    long count = 0;
    try {
      while (true) {
        int tag = in.readTag();
        if (tag == 0) {
          return count;
        }
        if (WireFormat.getTagFieldNumber(tag) == 1) {
          count++;
        }
        if (!in.skipField(tag)) {
          return count; // an end-group tag; the parser below reports it
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw damaged(file, source, e);
    } catch (IOException e) {
      throw new UncheckedIOException(source + ": " + e.getMessage(), e);
    }
  }

  private static ModelException damaged(Path file, String source, Exception e) {
    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new ModelException(
        file,
        source
            + ": the SentencePiece model is truncated or damaged (protobuf: "
            + why
            + "). "
            + DAMAGED_FIX,
        e);
  }

  private ModelException invalid(String what) {
    return new ModelException(file, source + ": " + what + ". " + DAMAGED_FIX);
  }

  private static Message message(Message m, Descriptor type, String name) {
    return (Message) m.getField(SentencePieceProto.field(type, name));
  }

  private static Object get(Message m, Descriptor type, String name) {
    return m.getField(SentencePieceProto.field(type, name));
  }

  private List<Piece> readPieces(DynamicMessage proto) {
    @SuppressWarnings("unchecked")
    List<Message> list = (List<Message>) get(proto, SentencePieceProto.MODEL, "pieces");
    if (list.isEmpty()) {
      throw invalid("the model has no pieces");
    }
    List<Piece> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      Message p = list.get(i);
      if (p.getUnknownFields().hasField(3)) {
        throw invalid(
            "piece "
                + i
                + " has type "
                + p.getUnknownFields().getField(3).getVarintList()
                + "; expected 1 to 6 (normal, unknown, control, user-defined, unused, byte)");
      }
      String text = (String) get(p, SentencePieceProto.PIECE, "piece");
      float score = (Float) get(p, SentencePieceProto.PIECE, "score");
      EnumValueDescriptor t = (EnumValueDescriptor) get(p, SentencePieceProto.PIECE, "type");
      if (text.isEmpty()) {
        throw invalid("piece " + i + " is empty; sentencepiece requires every piece to be text");
      }
      if (Float.isNaN(score)) {
        throw invalid("piece " + i + " ('" + text + "') has the score NaN");
      }
      out.add(new Piece(text, score, PieceType.valueOf(t.getName())));
    }
    return Collections.unmodifiableList(out);
  }

  private Normalization normalization(Message spec, String what) {
    Descriptor d = SentencePieceProto.NORMALIZER_SPEC;
    byte[] charsmap =
        ((com.google.protobuf.ByteString) get(spec, d, "precompiled_charsmap")).toByteArray();
    Normalization n =
        new Normalization(
            (String) get(spec, d, "name"),
            charsmap,
            (Boolean) get(spec, d, "add_dummy_prefix"),
            (Boolean) get(spec, d, "remove_extra_whitespaces"),
            (Boolean) get(spec, d, "escape_whitespaces"));
    if (charsmap.length > 0) {
      try {
        CharsMap.parse(charsmap, what + "_spec.precompiled_charsmap");
      } catch (IllegalArgumentException e) {
        throw invalid(e.getMessage());
      }
    }
    return n;
  }

  private static List<SelfTest> readSelfTests(DynamicMessage proto) {
    Message data = message(proto, SentencePieceProto.MODEL, "self_test_data");
    @SuppressWarnings("unchecked")
    List<Message> samples = (List<Message>) get(data, SentencePieceProto.SELF_TEST_DATA, "samples");
    List<SelfTest> out = new ArrayList<>(samples.size());
    for (Message s : samples) {
      out.add(
          new SelfTest(
              (String) get(s, SentencePieceProto.SELF_TEST_SAMPLE, "input"),
              (String) get(s, SentencePieceProto.SELF_TEST_SAMPLE, "expected")));
    }
    return List.copyOf(out);
  }

  /** sentencepiece's checks of the vocabulary; returns the unknown piece's id. */
  private int checkPieces(Message trainer) {
    Map<String, Integer> normal = new HashMap<>();
    Map<String, Integer> reserved = new HashMap<>();
    boolean byteFallback = (Boolean) get(trainer, SentencePieceProto.TRAINER_SPEC, "byte_fallback");
    boolean[] bytes = new boolean[256];
    int unk = -1;
    for (int i = 0; i < pieces.size(); i++) {
      Piece p = pieces.get(i);
      boolean isNormal =
          p.type() == PieceType.NORMAL
              || p.type() == PieceType.USER_DEFINED
              || p.type() == PieceType.UNUSED;
      Integer before = (isNormal ? normal : reserved).putIfAbsent(p.piece(), i);
      if (before != null) {
        throw invalid(
            "the piece '" + p.piece() + "' is defined twice (ids " + before + " and " + i + ")");
      }
      if (p.type() == PieceType.UNKNOWN) {
        if (unk >= 0) {
          throw invalid("two pieces are the unknown piece (ids " + unk + " and " + i + ")");
        }
        unk = i;
      }
      if (p.type() == PieceType.BYTE) {
        if (!byteFallback) {
          throw invalid(
              "piece " + i + " ('" + p.piece() + "') is a byte piece, but byte_fallback is false");
        }
        int b = byteOf(p.piece());
        if (b < 0) {
          throw invalid(
              "piece " + i + " ('" + p.piece() + "') is a byte piece but not of the form <0xXX>");
        }
        bytes[b] = true;
      }
    }
    if (unk < 0) {
      throw invalid("no piece is the unknown piece (type UNKNOWN, usually <unk>)");
    }
    if (byteFallback) {
      for (int b = 0; b < 256; b++) {
        if (!bytes[b]) {
          throw invalid(
              "byte_fallback is true but the byte piece "
                  + bytePiece(b)
                  + " is missing; such a model has all 256 byte pieces");
        }
      }
    }
    return unk;
  }

  /** sentencepiece's name of a byte piece: {@code <0x0A>}. */
  static String bytePiece(int b) {
    return String.format(Locale.ROOT, "<0x%02X>", b);
  }

  /** The byte of a piece {@code <0xXX>} (upper-case hex), or -1. */
  static int byteOf(String piece) {
    if (piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') {
      return -1;
    }
    int hi = Character.digit(piece.charAt(3), 16);
    int lo = Character.digit(piece.charAt(4), 16);
    if (hi < 0
        || lo < 0
        || Character.isLowerCase(piece.charAt(3))
        || Character.isLowerCase(piece.charAt(4))) {
      return -1;
    }
    return hi * 16 + lo;
  }

  /** Where the model came from: its file, or a description. */
  public String source() {
    return source;
  }

  /** The file it was read from, if any. */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  /** Its segmentation algorithm. */
  public Type type() {
    return type;
  }

  /** The vocabulary, by id. */
  public List<Piece> pieces() {
    return pieces;
  }

  /** Number of pieces (the vocabulary size). */
  public int size() {
    return pieces.size();
  }

  /** The id of the unknown piece. */
  public int unkId() {
    return unkId;
  }

  /** How text is normalised before encoding. */
  public Normalization normalizer() {
    return normalizer;
  }

  /** How decoded text is normalised, when the model says so. */
  public Optional<Normalization> denormalizer() {
    return Optional.ofNullable(denormalizer);
  }

  /** The samples sentencepiece checks when it loads the model. */
  public List<SelfTest> selfTests() {
    return selfTests;
  }

  /** Whether unknown characters are encoded as their UTF-8 bytes ({@code byte_fallback}). */
  public boolean byteFallback() {
    return (Boolean) trainerField("byte_fallback");
  }

  /** Whether the space marker ends pieces instead of starting them. */
  public boolean treatWhitespaceAsSuffix() {
    return (Boolean) trainerField("treat_whitespace_as_suffix");
  }

  /** Whether pieces of spaces only were allowed (word models split on them). */
  public boolean allowWhitespaceOnlyPieces() {
    return (Boolean) trainerField("allow_whitespace_only_pieces");
  }

  /** What decoding writes for the unknown piece ({@code unk_surface}, default " ⁇ "). */
  public String unkSurface() {
    return (String) trainerField("unk_surface");
  }

  /**
   * The name of the special piece {@code which} ({@code unk}, {@code bos}, {@code eos} or {@code
   * pad}) in the trainer's settings: {@code <s>} for {@code bos} unless the model says otherwise.
   */
  public String specialPiece(String which) {
    String name = (String) trainerField(which + "_piece");
    if (!name.isEmpty()) {
      return name;
    }
    return switch (which) { // sentencepiece's defaults for an empty name
      case "unk" -> "<unk>";
      case "bos" -> "<s>";
      case "eos" -> "</s>";
      case "pad" -> "<pad>";
      default ->
          throw new IllegalArgumentException(
              "'" + which + "' is not a special piece; expected unk, bos, eos or pad");
    };
  }

  /**
   * An integer setting of the trainer ({@code vocab_size}, {@code bos_id}, ...), as written in the
   * model or its default.
   */
  public long trainerInt(String name) {
    return ((Number) trainerField(name)).longValue();
  }

  private Object trainerField(String name) {
    return get(
        message(proto, SentencePieceProto.MODEL, "trainer_spec"),
        SentencePieceProto.TRAINER_SPEC,
        name);
  }

  /** The protobuf bytes of the model, as a {@code .model} file holds them. */
  public byte[] toByteArray() {
    return proto.toByteArray();
  }

  /** Writes the model as a {@code .model} file (atomically) that sentencepiece loads. */
  public void save(Path target) {
    byte[] bytes = toByteArray();
    AtomicFiles.write(target, out -> out.write(bytes));
  }

  @Override
  public String toString() {
    return "SentencePieceModel("
        + type.name().toLowerCase(Locale.ROOT)
        + ", "
        + pieces.size()
        + " pieces, "
        + source
        + ")";
  }
}
