package dev.sonus.tensor;

import dev.sonus.util.Json;
import dev.sonus.util.ReadLimits;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Reads and writes the safetensors format (Hugging Face), the checkpoint format for tensors: no
 * code is ever executed while loading, unlike {@code torch.save}'s pickles.
 *
 * <p>Layout: an 8-byte little-endian unsigned header length {@code N}; {@code N} bytes of UTF-8
 * JSON, {@code {"__metadata__": {"k": "v"}, "name": {"dtype": "F32", "shape": [2, 3],
 * "data_offsets": [b, e]}, ...}}, padded with spaces so that the data starts on an 8-byte boundary;
 * then the data buffer, each tensor's elements little-endian in C order at {@code [b, e)} relative
 * to the start of the buffer, the tensors back to back with neither gaps nor overlaps.
 *
 * <p>Files are written the way the reference implementation ({@code safetensors.torch.save_file},
 * Rust crate {@code safetensors}) writes them: compact JSON with keys in the order {@code dtype,
 * shape, data_offsets}, {@code __metadata__} first, data ordered by decreasing element size then by
 * name (so that every tensor is aligned to its element size), header padded with spaces to 8 bytes.
 * Writing is deterministic: the same tensors and metadata give a byte-identical file, whatever the
 * order of the maps. Such files load with {@code safetensors.torch.load_file}, and files from it
 * load here.
 *
 * <p>Reading treats the file as untrusted: the header length, the JSON, every dtype, shape and
 * offset are checked before any tensor memory is allocated, with the same rules as the reference
 * implementation (offsets must tile the data buffer exactly), plus the refusal of duplicate names
 * and of bool bytes other than 0 and 1. A problem is reported as an {@link UncheckedIOException}
 * whose message names the file and the problem, e.g. {@code ckpt.safetensors: tensor 'w' declares
 * 24 bytes for F32[2, 4] (needs 32)}.
 *
 * <p>What reading may cost is bounded by {@link Limits}: the data must tile the rest of the file
 * exactly, so tensor memory never exceeds the file's size, and the header (parsed into Java
 * objects, some 10 to 20 bytes of heap per header byte) is bounded by {@link
 * Limits#maxHeaderBytes()}, 16 MiB by default, below the format's own 100 MB.
 *
 * <p>Supported dtypes: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL (libtorch Double, Float,
 * Half, BFloat16, Long, Int, Short, Char, Byte, Bool).
 */
public final class SafeTensors {
  /**
   * The reference implementation's limit; a larger header is refused before it is read into memory.
   */
  static final long MAX_HEADER_BYTES = 100_000_000L;

  private static final String METADATA_KEY = "__metadata__";
  private static final int CHUNK_BYTES = 1 << 20;

  private SafeTensors() {}

  /**
   * Bounds on reading one file.
   *
   * <p>{@link #defaults()} takes {@code maxHeaderBytes} from the system property {@code
   * sonus.limits.safetensors.maxHeaderBytes} when it is set.
   *
   * @param maxHeaderBytes the longest JSON header read (default 16 MiB, enough for some 150,000
   *     tensors); a longer one is refused before it is read. The format's own limit, 100,000,000
   *     bytes, applies whatever this says
   */
  public record Limits(long maxHeaderBytes) {
    /** Default of {@link #maxHeaderBytes()}: 16 MiB. */
    public static final long DEFAULT_MAX_HEADER_BYTES = 16L << 20;

    /** The system property that overrides {@link #DEFAULT_MAX_HEADER_BYTES}. */
    public static final String MAX_HEADER_BYTES_PROPERTY =
        ReadLimits.PROPERTY_PREFIX + "safetensors.maxHeaderBytes";

    /**
     * Checks that the limit is positive.
     *
     * @throws IllegalArgumentException naming the value
     */
    public Limits {
      ReadLimits.positive(maxHeaderBytes, "maxHeaderBytes");
    }

    /**
     * The defaults, with {@value #MAX_HEADER_BYTES_PROPERTY} applied when set.
     *
     * @throws IllegalArgumentException naming the property when its value is not a positive size
     */
    public static Limits defaults() {
      return new Limits(
          ReadLimits.longProperty(MAX_HEADER_BYTES_PROPERTY, DEFAULT_MAX_HEADER_BYTES));
    }
  }

  /**
   * An element type of the format, with its libtorch counterpart. Declared in the order of the
   * reference implementation's {@code Dtype} enum (increasing alignment), which the writer uses to
   * order the data.
   */
  public enum Dtype {
    /** Booleans, one byte each (0 or 1); libtorch Bool. */
    BOOL(1, ScalarType.Bool),
    /** Unsigned bytes; libtorch Byte. */
    U8(1, ScalarType.Byte),
    /** Signed bytes; libtorch Char. */
    I8(1, ScalarType.Char),
    /** 16-bit signed integers; libtorch Short. */
    I16(2, ScalarType.Short),
    /** IEEE half precision; libtorch Half. */
    F16(2, ScalarType.Half),
    /** bfloat16; libtorch BFloat16. */
    BF16(2, ScalarType.BFloat16),
    /** 32-bit signed integers; libtorch Int. */
    I32(4, ScalarType.Int),
    /** IEEE single precision; libtorch Float. */
    F32(4, ScalarType.Float),
    /** IEEE double precision; libtorch Double. */
    F64(8, ScalarType.Double),
    /** 64-bit signed integers; libtorch Long. */
    I64(8, ScalarType.Long);

    private final int itemBytes;
    private final ScalarType scalarType;

    Dtype(int itemBytes, ScalarType scalarType) {
      this.itemBytes = itemBytes;
      this.scalarType = scalarType;
    }

    /** Bytes per element. */
    public int itemBytes() {
      return itemBytes;
    }

    /** The libtorch element type. */
    public ScalarType scalarType() {
      return scalarType;
    }

    /**
     * The safetensors dtype of a libtorch element type.
     *
     * @throws IllegalArgumentException for types the format (or Sonus) cannot store, e.g. complex
     *     or quantized
     */
    public static Dtype of(ScalarType type) {
      for (Dtype d : values()) {
        if (d.scalarType == type) {
          return d;
        }
      }
      throw new IllegalArgumentException(
          "libtorch type "
              + type
              + " cannot be stored in safetensors; supported: "
              + Arrays.toString(values())
              + " (convert the tensor first, e.g. to Float)");
    }

    static Dtype parse(String name) {
      for (Dtype d : values()) {
        if (d.name().equals(name)) {
          return d;
        }
      }
      return null;
    }
  }

  /**
   * Dtypes valid in the format that libtorch 2.7 has no stable CPU type for, or Sonus does not read
   * yet.
   */
  private static final List<String> KNOWN_UNSUPPORTED =
      List.of(
          "F4",
          "F6_E2M3",
          "F6_E3M2",
          "F8_E5M2",
          "F8_E4M3",
          "F8_E8M0",
          "F8_E4M3FNUZ",
          "F8_E5M2FNUZ",
          "U16",
          "U32",
          "U64",
          "C64");

  /**
   * One tensor's entry in the header.
   *
   * @param dtype element type
   * @param shape sizes, C order; empty for a 0-d scalar
   * @param begin first byte in the data buffer
   * @param end one past the last byte in the data buffer
   */
  public record Entry(Dtype dtype, long[] shape, long begin, long end) {
    /** Copies the shape. */
    public Entry {
      shape = shape.clone();
    }

    /** A copy of the shape. */
    @Override
    public long[] shape() {
      return shape.clone();
    }

    /** Number of elements (1 for a 0-d scalar). */
    public long numel() {
      long n = 1;
      for (long s : shape) {
        n *= s;
      }
      return n;
    }

    /** Bytes of data, {@code end - begin}. */
    public long byteCount() {
      return end - begin;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry e
          && e.dtype == dtype
          && Arrays.equals(e.shape, shape)
          && e.begin == begin
          && e.end == end;
    }

    @Override
    public int hashCode() {
      return ((dtype.hashCode() * 31 + Arrays.hashCode(shape)) * 31 + Long.hashCode(begin)) * 31
          + Long.hashCode(end);
    }

    @Override
    public String toString() {
      return dtype + Arrays.toString(shape) + " @ [" + begin + ", " + end + ")";
    }
  }

  /**
   * A file's header, checked, without the tensor data.
   *
   * @param tensors entries by name, sorted by name
   * @param metadata the {@code __metadata__} strings, sorted by key; empty when absent
   * @param dataStart file offset of the data buffer ({@code 8 + N})
   */
  public record Header(Map<String, Entry> tensors, Map<String, String> metadata, long dataStart) {
    /** Copies the maps into unmodifiable sorted maps. */
    public Header {
      tensors = Collections.unmodifiableMap(new TreeMap<>(tensors));
      metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
    }
  }

  // -----------------------------------------------------------------------------------------------------------------
  // Writing

  /**
   * Atomically writes tensors and metadata to {@code path}. Tensors may be on any device, of any
   * layout and stride; they are copied to CPU and made contiguous one at a time while writing
   * (gradients are not stored).
   *
   * @param tensors tensors by name; a name must not be {@code __metadata__}
   * @param metadata free-form strings (e.g. format version, step), may be {@code null} or empty
   * @throws IllegalArgumentException for a null or reserved name, an undefined tensor, or a dtype
   *     the format cannot hold, naming the tensor
   * @throws UncheckedIOException naming the path if writing fails (the previous file, if any, is
   *     unchanged)
   */
  public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) {
    requireLittleEndian();
    Map<String, String> meta = new TreeMap<>(CODE_POINTS);
    if (metadata != null) {
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        if (e.getKey() == null || e.getValue() == null) {
          throw new IllegalArgumentException(
              "metadata for "
                  + path
                  + " has a null key or value (key "
                  + e.getKey()
                  + "); safetensors metadata maps strings to strings");
        }
        meta.put(e.getKey(), e.getValue());
      }
    }
    List<Planned> plan = new ArrayList<>();
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      String name = e.getKey();
      Tensor t = e.getValue();
      if (name == null || name.equals(METADATA_KEY)) {
        throw new IllegalArgumentException(
            "cannot write a tensor named "
                + (name == null ? "null" : "'" + name + "'")
                + " to "
                + path
                + ": the name is reserved for the header's metadata");
      }
      if (t == null || t.isNull() || !t.defined()) {
        throw new IllegalArgumentException(
            "tensor '" + name + "' for " + path + " is null or undefined");
      }
      if (t.is_sparse() || t.is_quantized() || t.is_meta()) {
        throw new IllegalArgumentException(
            "tensor '"
                + name
                + "' for "
                + path
                + " is sparse, quantized or a meta "
                + "tensor; only dense tensors can be stored (call to_dense() or dequantize() first)");
      }
      Dtype dtype;
      try {
        dtype = Dtype.of(Tensors.dtype(t));
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(
            "tensor '" + name + "' for " + path + ": " + ex.getMessage(), ex);
      }
      long[] shape = Tensors.shape(t);
      long bytes = Math.multiplyExact(t.numel(), dtype.itemBytes);
      plan.add(new Planned(name, t, dtype, shape, bytes));
    }
    // The reference writer's order: decreasing alignment, then name; every offset is a multiple of
    // the item size.
    plan.sort(
        Comparator.comparing((Planned p) -> p.dtype)
            .reversed()
            .thenComparing(p -> p.name, CODE_POINTS));
    long offset = 0;
    List<long[]> offsets = new ArrayList<>();
    for (Planned p : plan) {
      offsets.add(new long[] {offset, offset + p.bytes});
      offset += p.bytes;
    }
    byte[] header = headerBytes(plan, offsets, meta, path);
    long total = offset;
    AtomicFiles.write(
        path,
        out -> {
          ByteBuffer len =
              ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
          out.write(len.array());
          out.write(header);
          byte[] chunk = new byte[(int) Math.min(CHUNK_BYTES, Math.max(total, 1))];
          for (Planned p : plan) {
            writeData(out, p, chunk);
          }
        });
  }

  /** Code point order, which is UTF-8 byte order: the order Rust sorts the names in. */
  private static final Comparator<String> CODE_POINTS =
      (a, b) -> {
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
        return Boolean.compare(i < a.length(), j < b.length());
      };

  private record Planned(String name, Tensor tensor, Dtype dtype, long[] shape, long bytes) {}

  private static byte[] headerBytes(
      List<Planned> plan, List<long[]> offsets, Map<String, String> meta, Path path) {
    StringBuilder sb = new StringBuilder();
    sb.append('{');
    boolean first = true;
    if (!meta.isEmpty()) {
      Json.quote(sb, METADATA_KEY);
      sb.append(":{");
      boolean firstMeta = true;
      for (Map.Entry<String, String> e : meta.entrySet()) {
        if (!firstMeta) {
          sb.append(',');
        }
        firstMeta = false;
        Json.quote(sb, e.getKey());
        sb.append(':');
        Json.quote(sb, e.getValue());
      }
      sb.append('}');
      first = false;
    }
    for (int i = 0; i < plan.size(); i++) {
      Planned p = plan.get(i);
      if (!first) {
        sb.append(',');
      }
      first = false;
      Json.quote(sb, p.name);
      sb.append(":{\"dtype\":\"").append(p.dtype.name()).append("\",\"shape\":[");
      for (int d = 0; d < p.shape.length; d++) {
        if (d > 0) {
          sb.append(',');
        }
        sb.append(p.shape[d]);
      }
      sb.append("],\"data_offsets\":[")
          .append(offsets.get(i)[0])
          .append(',')
          .append(offsets.get(i)[1])
          .append("]}");
    }
    sb.append('}');
    byte[] json;
    try {
      ByteBuffer encoded =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(sb));
      json = Arrays.copyOf(encoded.array(), encoded.limit());
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(
          "a tensor name or metadata string for "
              + path
              + " is not valid Unicode (unpaired surrogate?)",
          e);
    }
    // Pad with spaces so that 8 + N, the start of the data, is a multiple of 8.
    int padded = (json.length + 7) / 8 * 8;
    if (padded > MAX_HEADER_BYTES) {
      throw new IllegalArgumentException(
          "the header for "
              + path
              + " would take "
              + padded
              + " bytes, more than "
              + "the format's limit of "
              + MAX_HEADER_BYTES
              + "; store fewer tensors or less metadata per file");
    }
    byte[] out = Arrays.copyOf(json, padded);
    Arrays.fill(out, json.length, padded, (byte) ' ');
    return out;
  }

  private static void writeData(OutputStream out, Planned p, byte[] chunk) throws IOException {
    if (p.bytes == 0) {
      return;
    }
    try (PointerScope scope = new PointerScope()) {
      Tensor c = p.tensor.detach().cpu().resolve_neg().contiguous();
      if (c.numel() * p.dtype.itemBytes != p.bytes) {
        throw new IllegalStateException("tensor '" + p.name + "' changed size while being written");
      }
      Pointer data = c.data_ptr();
      BytePointer bytes = new BytePointer(data).capacity(p.bytes);
      for (long at = 0; at < p.bytes; at += chunk.length) {
        int n = (int) Math.min(chunk.length, p.bytes - at);
        bytes.position(at).limit(at + n).asByteBuffer().get(chunk, 0, n);
        out.write(chunk, 0, n);
      }
    }
  }

  // -----------------------------------------------------------------------------------------------------------------
  // Reading

  /**
   * Reads every tensor of a file onto the CPU, each with the dtype and shape the file declares.
   *
   * <p>The caller owns the returned tensors and closes them (they are retained beyond any scope
   * open here).
   *
   * @return tensors by name, sorted by name
   * @throws UncheckedIOException naming the path and the problem if the file is missing,
   *     unreadable, truncated or malformed
   */
  public static Map<String, Tensor> read(Path path) {
    return read(path, Limits.defaults());
  }

  /**
   * Like {@link #read(Path)}, within {@code limits}.
   *
   * @throws UncheckedIOException as {@link #read(Path)}, and naming the limit when the header is
   *     longer than {@link Limits#maxHeaderBytes()}
   */
  public static Map<String, Tensor> read(Path path, Limits limits) {
    requireLittleEndian();
    try (FileChannel ch = open(path)) {
      Header header = header(path, ch, limits);
      Map<String, Tensor> out = new LinkedHashMap<>();
      boolean done = false;
      try {
        for (Map.Entry<String, Entry> e : header.tensors().entrySet()) {
          out.put(e.getKey(), readTensor(path, ch, header.dataStart(), e.getKey(), e.getValue()));
        }
        done = true;
        return out;
      } finally {
        if (!done) {
          out.values().forEach(Tensor::close);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * The {@code __metadata__} strings of a file, sorted by key; empty when it has none. Reads only
   * the header.
   *
   * @throws UncheckedIOException naming the path and the problem if the file is missing or
   *     malformed
   */
  public static Map<String, String> metadata(Path path) {
    return header(path).metadata();
  }

  /**
   * Reads and checks a file's header (names, dtypes, shapes, offsets, metadata) without loading the
   * data.
   *
   * @throws UncheckedIOException naming the path and the problem if the file is missing or
   *     malformed
   */
  public static Header header(Path path) {
    return header(path, Limits.defaults());
  }

  /** Like {@link #header(Path)}, within {@code limits}. */
  public static Header header(Path path, Limits limits) {
    try (FileChannel ch = open(path)) {
      return header(path, ch, limits);
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static FileChannel open(Path path) {
    try {
      return FileChannel.open(path, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException(path + ": no such file", e);
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": cannot open: " + e.getMessage(), e);
    }
  }

  private static Header header(Path path, FileChannel ch, Limits limits) throws IOException {
    long fileSize = ch.size();
    if (fileSize < 8) {
      throw bad(
          path,
          "the file has "
              + fileSize
              + " bytes, too few for the 8-byte header length; not a "
              + "safetensors file, or truncated");
    }
    ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, lenBuf, 0);
    long n = lenBuf.getLong(0);
    if (n < 0 || n > fileSize - 8) {
      throw bad(
          path,
          "the header length "
              + Long.toUnsignedString(n)
              + " is bigger than the file ("
              + fileSize
              + " bytes); not a safetensors file, or truncated");
    }
    if (n > MAX_HEADER_BYTES) {
      throw bad(
          path,
          "the header length "
              + n
              + " exceeds the format's limit of "
              + MAX_HEADER_BYTES
              + " bytes");
    }
    if (n > limits.maxHeaderBytes()) {
      throw bad(
          path,
          "the header length "
              + n
              + " exceeds the limit maxHeaderBytes = "
              + limits.maxHeaderBytes()
              + " (a header takes about 100 bytes per tensor); if the file is genuine, raise it:"
              + " SafeTensors.read(path, new SafeTensors.Limits("
              + n
              + ")) or -D"
              + Limits.MAX_HEADER_BYTES_PROPERTY
              + "="
              + n);
    }
    ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
    readFully(ch, headerBuf, 8);
    headerBuf.flip();
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(headerBuf)
              .toString();
    } catch (CharacterCodingException e) {
      throw bad(path, "the header is not valid UTF-8");
    }
    if (text.isEmpty() || text.charAt(0) != '{') {
      throw bad(path, "the header does not start with '{'; not a safetensors file");
    }
    Object parsed;
    try {
      // A valid header nests 3 levels; the limit keeps hostile input from overflowing the stack.
      parsed = Json.parse(text, 64);
    } catch (IllegalArgumentException e) {
      throw bad(path, "the header is " + e.getMessage());
    }
    long dataStart = 8 + n;
    long dataBytes = fileSize - dataStart;
    return check(path, (Map<?, ?>) parsed, dataStart, dataBytes);
  }

  private static Header check(Path path, Map<?, ?> json, long dataStart, long dataBytes) {
    Map<String, String> metadata = new TreeMap<>();
    Map<String, Entry> tensors = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : json.entrySet()) {
      String name = (String) e.getKey();
      if (name.equals(METADATA_KEY)) {
        if (!(e.getValue() instanceof Map<?, ?> m)) {
          throw bad(path, "__metadata__ is not an object of strings");
        }
        for (Map.Entry<?, ?> kv : m.entrySet()) {
          if (!(kv.getValue() instanceof String s)) {
            throw bad(
                path,
                "__metadata__ value for '"
                    + kv.getKey()
                    + "' is "
                    + kv.getValue()
                    + ", not a string (safetensors metadata holds strings only)");
          }
          metadata.put((String) kv.getKey(), s);
        }
        continue;
      }
      tensors.put(name, entry(path, name, e.getValue(), dataBytes));
    }
    // The entries must tile the data buffer: sorted by offset, each starts where the previous
    // ended.
    List<Map.Entry<String, Entry>> byOffset = new ArrayList<>(tensors.entrySet());
    byOffset.sort(
        Comparator.comparingLong((Map.Entry<String, Entry> x) -> x.getValue().begin())
            .thenComparingLong(x -> x.getValue().end()));
    long expected = 0;
    String previous = null;
    for (Map.Entry<String, Entry> x : byOffset) {
      Entry en = x.getValue();
      if (en.begin() < expected) {
        throw bad(
            path,
            String.format(
                "tensor '%s' at bytes [%d, %d) overlaps tensor '%s', which ends at %d",
                x.getKey(), en.begin(), en.end(), previous, expected));
      }
      if (en.begin() > expected) {
        throw bad(
            path,
            String.format(
                "the data has a gap: bytes [%d, %d) before tensor '%s' belong to no tensor",
                expected, en.begin(), x.getKey()));
      }
      expected = en.end();
      previous = x.getKey();
    }
    if (expected != dataBytes) {
      throw bad(
          path,
          String.format(
              "the data buffer has %d bytes but the tensors account for %d; %d bytes after "
                  + "the last tensor belong to no tensor",
              dataBytes, expected, dataBytes - expected));
    }
    return new Header(tensors, metadata, dataStart);
  }

  private static Entry entry(Path path, String name, Object value, long dataBytes) {
    String where = "tensor '" + name + "'";
    if (!(value instanceof Map<?, ?> info)) {
      throw bad(
          path,
          where
              + " is described by "
              + value
              + ", not an object with dtype, shape and data_offsets");
    }
    if (!(info.get("dtype") instanceof String dtypeName)) {
      throw bad(path, where + " has no dtype string (got " + info.get("dtype") + ")");
    }
    Dtype dtype = Dtype.parse(dtypeName);
    if (dtype == null) {
      if (KNOWN_UNSUPPORTED.contains(dtypeName)) {
        throw bad(
            path,
            where
                + " has dtype "
                + dtypeName
                + ", which Sonus cannot load; supported: "
                + Arrays.toString(Dtype.values()));
      }
      throw bad(
          path,
          where
              + " has unknown dtype '"
              + dtypeName
              + "'; supported: "
              + Arrays.toString(Dtype.values()));
    }
    long[] shape = longs(path, where, "shape", info.get("shape"), -1);
    long[] offsets = longs(path, where, "data_offsets", info.get("data_offsets"), 2);
    long begin = offsets[0];
    long end = offsets[1];
    if (end < begin) {
      throw bad(
          path,
          String.format(
              "%s has data_offsets [%d, %d] that end before they begin", where, begin, end));
    }
    if (end > dataBytes) {
      throw bad(
          path,
          String.format(
              "%s has data_offsets [%d, %d] past the end of the data buffer (%d bytes); "
                  + "the file may be truncated",
              where, begin, end, dataBytes));
    }
    long needed;
    try {
      long numel = 1;
      for (long s : shape) {
        numel = Math.multiplyExact(numel, s);
      }
      needed = Math.multiplyExact(numel, dtype.itemBytes);
    } catch (ArithmeticException e) {
      throw bad(
          path, where + " has shape " + Arrays.toString(shape) + ", too many elements to address");
    }
    if (end - begin != needed) {
      throw bad(
          path,
          String.format(
              "%s declares %d bytes for %s%s (needs %d)",
              where, end - begin, dtype, Arrays.toString(shape), needed));
    }
    return new Entry(dtype, shape, begin, end);
  }

  private static long[] longs(Path path, String where, String key, Object value, int length) {
    if (!(value instanceof List<?> list) || (length >= 0 && list.size() != length)) {
      throw bad(
          path,
          where
              + " has "
              + key
              + " "
              + value
              + "; expected "
              + (length >= 0
                  ? "a list of " + length + " non-negative integers"
                  : "a list of non-negative integers"));
    }
    long[] out = new long[list.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(list.get(i) instanceof Long v) || v < 0) {
        throw bad(path, where + " has " + key + " " + value + "; expected non-negative integers");
      }
      out[i] = v;
    }
    return out;
  }

  private static Tensor readTensor(Path path, FileChannel ch, long dataStart, String name, Entry e)
      throws IOException {
    try (PointerScope scope = new PointerScope()) {
      Tensor t =
          torch.empty(
              e.shape(), new TensorOptions(e.dtype().scalarType()), new MemoryFormatOptional());
      long bytes = e.byteCount();
      if (bytes > 0) {
        BytePointer data = new BytePointer(t.data_ptr()).capacity(bytes);
        for (long at = 0; at < bytes; at += CHUNK_BYTES) {
          int len = (int) Math.min(CHUNK_BYTES, bytes - at);
          ByteBuffer target = data.position(at).limit(at + len).asByteBuffer();
          readFully(ch, target, dataStart + e.begin() + at);
          if (e.dtype() == Dtype.BOOL) {
            target.flip();
            for (int i = 0; i < len; i++) {
              byte b = target.get(i);
              if (b != 0 && b != 1) {
                throw bad(
                    path,
                    String.format(
                        "tensor '%s' (BOOL) holds the byte %d at element %d; booleans must "
                            + "be 0 or 1",
                        name, b & 0xff, at + i));
              }
            }
          }
        }
      }
      return t.retainReference();
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer target, long position)
      throws IOException {
    long at = position;
    while (target.hasRemaining()) {
      int n = ch.read(target, at);
      if (n < 0) {
        throw new EOFException(
            "the file ended at byte " + at + " (was it truncated while being read?)");
      }
      at += n;
    }
  }

  private static void requireLittleEndian() {
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw new UnsupportedOperationException(
          "safetensors data is little-endian and this platform is "
              + ByteOrder.nativeOrder()
              + "; byte swapping is not implemented");
    }
  }

  private static UncheckedIOException bad(Path path, String problem) {
    // Pass the message explicitly: UncheckedIOException(cause) alone would prefix it with
    // "java.io.IOException: ".
    String message = path + ": " + problem;
    return new UncheckedIOException(message, new IOException(message));
  }
}
