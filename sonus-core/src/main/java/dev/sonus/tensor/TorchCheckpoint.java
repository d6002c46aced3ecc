package dev.sonus.tensor;

import dev.sonus.util.ReadLimits;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Reads the tensors of a PyTorch checkpoint written by {@code torch.save} (the zip format of
 * PyTorch 1.6 and later, which SpeechBrain's {@code .ckpt} files use) without running any Python:
 * the pickle is interpreted by a small stack machine that knows only plain containers, numbers,
 * strings and the few PyTorch functions that rebuild tensors. Any other class or function named in
 * the pickle is refused before anything is built, so a malicious file cannot execute code.
 *
 * <p>The archive holds {@code <prefix>/data.pkl} (the pickled object), {@code <prefix>/data/<key>}
 * (each storage's raw bytes, in the order given by {@code <prefix>/byteorder}, little-endian when
 * absent), and usually {@code <prefix>/version}. In the pickle, a tensor is {@code
 * torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks[,
 * metadata])}, whose storage is a persistent id {@code ('storage', torch.FloatStorage, key,
 * location, numel)}; the state dict itself is a {@code collections.OrderedDict} (its {@code
 * _metadata} attribute, set by BUILD, is ignored).
 *
 * <p>Allowed globals ({@link #ALLOWED_GLOBALS}): {@code collections.OrderedDict}, {@code
 * torch._utils._rebuild_tensor_v2}, {@code torch._utils._rebuild_parameter} and the storage classes
 * {@code torch.FloatStorage}, {@code DoubleStorage}, {@code HalfStorage}, {@code BFloat16Storage},
 * {@code LongStorage}, {@code IntStorage}, {@code ShortStorage}, {@code CharStorage}, {@code
 * ByteStorage}, {@code BoolStorage}. Plain dicts, lists, tuples, strings, bytes, numbers, booleans
 * and None have their own opcodes and need no global. The opcodes INST, OBJ and EXT1/2/4 (which
 * name classes outside GLOBAL) are refused.
 *
 * <p>How the unpickled object becomes a flat map of tensors (the rule applied by {@link #read} and
 * {@link #load}):
 *
 * <ul>
 *   <li>the top-level object must be a dict (an {@code OrderedDict} state dict, or a plain dict
 *       such as SpeechBrain's {@code InputNormalization} statistics); its order is kept;
 *   <li>a tensor is returned under its key, as a new contiguous CPU tensor with the storage's dtype
 *       (whatever the saved device, {@code requires_grad} or view layout);
 *   <li>a Python int becomes a 0-dim Long tensor, a float a 0-dim Double tensor, a bool a 0-dim
 *       Bool tensor (an int outside the int64 range is an error);
 *   <li>a nested dict, list or tuple is flattened with dotted keys: {@code {"spk": {3: t}}} gives
 *       {@code "spk.3"}, {@code {"betas": (0.9, 0.99)}} gives {@code "betas.0"}, {@code "betas.1"};
 *       an empty container gives no key at all;
 *   <li>None, strings and bytes cannot be tensors: {@link #read} refuses them with an error naming
 *       the key, and {@link #load} leaves them out and lists them in {@link Contents#skipped()}.
 * </ul>
 *
 * <p>A tensor is returned as a new contiguous tensor, except in two cases that save a copy: a
 * tensor that is the only user of its whole storage is that storage (reshaped), and a view with
 * more elements than its storage (a stride of 0, as {@code expand} makes) stays a view over the
 * storage ({@code as_strided}) instead of being copied into a tensor larger than the file could
 * ever hold. Tensors that share a storage in the file get their own copies (or views), the storage
 * is read once, and memoised pickle objects stay shared: a list referenced twice is not copied.
 *
 * <p>The file is untrusted: what reading it may cost is bounded by {@link Limits} (tensor count,
 * tensor memory, the inflated size of {@code data.pkl} and nesting), both absolutely and relative
 * to the file's size, so that a small hostile file (a zip bomb, a pickle of shared nested lists, a
 * stride-0 view) is refused quickly instead of exhausting memory. Zip entries are streamed and
 * counted; the sizes in the zip directory are not trusted.
 *
 * <p>Every problem is a {@link CheckpointException} whose message names the file, what was found
 * and what to do.
 */
public final class TorchCheckpoint {
  /** {@code module.name} of every global the pickle may name; anything else is refused. */
  public static final List<String> ALLOWED_GLOBALS;

  private static final int CHUNK_BYTES = 1 << 20;

  /** The most a {@code byteorder} record may hold ("little" or "big" and a newline). */
  private static final int MAX_RECORD_BYTES = 64;

  private TorchCheckpoint() {}

  /**
   * Bounds on what reading one checkpoint may cost, with defaults a caller can raise, so that a
   * small hostile file cannot make the reader allocate gigabytes or run for minutes. A limit hit is
   * a {@link CheckpointException} naming the file, the limit, the value found and how to raise it.
   *
   * <p>Two bounds grow with the size {@code F} of the file (in bytes) and are capped by absolute
   * ones:
   *
   * <ul>
   *   <li>values flattened (tensors, numbers and the containers that hold them): at most {@code
   *       min(maxTensors, max(10,000, maxExpansion × F))}; their dotted keys together at most 256
   *       characters per value allowed;
   *   <li>tensor memory (each storage read once, plus each copy made of a view): at most {@code
   *       min(maxTensorBytes, max(64 MiB, maxExpansion × F))}. {@code torch.save} stores storages
   *       uncompressed, so a genuine checkpoint needs about its own size; the default factor of 4
   *       leaves room for copies of shared storages and for files re-zipped with compression.
   * </ul>
   *
   * <p>{@link #defaults()} reads each default from the system property {@code
   * sonus.limits.checkpoint.<name>} when set (e.g. {@code
   * -Dsonus.limits.checkpoint.maxTensorBytes=64g}).
   *
   * @param maxTensors absolute cap on flattened values (default {@value #DEFAULT_MAX_TENSORS})
   * @param maxTensorBytes absolute cap on tensor memory in bytes (default 16 GiB)
   * @param maxExpansion the factor of the file's size in both relative bounds (default {@value
   *     #DEFAULT_MAX_EXPANSION}); {@link Double#POSITIVE_INFINITY} leaves only the absolute caps
   * @param maxPickleBytes the most {@code data.pkl} may inflate to (default 32 MiB): it is held in
   *     memory, and unpickling makes up to about 80 bytes of Java objects per pickle byte
   * @param maxDepth how deeply containers and the pickle's MARKs may nest (default {@value
   *     #DEFAULT_MAX_DEPTH}; a state dict needs 2)
   */
  public record Limits(
      long maxTensors,
      long maxTensorBytes,
      double maxExpansion,
      long maxPickleBytes,
      int maxDepth) {
    /** Default of {@link #maxTensors()}. */
    public static final long DEFAULT_MAX_TENSORS = 1_000_000;

    /** Default of {@link #maxTensorBytes()}: 16 GiB. */
    public static final long DEFAULT_MAX_TENSOR_BYTES = 16L << 30;

    /** Default of {@link #maxExpansion()}. */
    public static final double DEFAULT_MAX_EXPANSION = 4;

    /** Default of {@link #maxPickleBytes()}: 32 MiB. */
    public static final long DEFAULT_MAX_PICKLE_BYTES = 32L << 20;

    /** Default of {@link #maxDepth()}. */
    public static final int DEFAULT_MAX_DEPTH = 64;

    /** The relative bound on values never goes below this many. */
    static final long MIN_VALUES = 10_000;

    /** The relative bound on tensor memory never goes below this many bytes (64 MiB). */
    static final long MIN_TENSOR_BYTES = 64L << 20;

    /** Characters of flattened keys allowed per value allowed. */
    static final long KEY_CHARS_PER_VALUE = 256;

    private static final String PROPERTY = ReadLimits.PROPERTY_PREFIX + "checkpoint.";

    /**
     * Checks that every limit is positive.
     *
     * @throws IllegalArgumentException naming the limit that is not
     */
    public Limits {
      ReadLimits.positive(maxTensors, "maxTensors");
      ReadLimits.positive(maxTensorBytes, "maxTensorBytes");
      ReadLimits.positive(maxExpansion, "maxExpansion");
      ReadLimits.positive(maxPickleBytes, "maxPickleBytes");
      ReadLimits.positive(maxDepth, "maxDepth");
    }

    /**
     * The documented defaults, each replaced by its system property {@code
     * sonus.limits.checkpoint.<name>} when that is set.
     *
     * @throws IllegalArgumentException naming a property whose value is not a positive number
     */
    public static Limits defaults() {
      return new Limits(
          ReadLimits.longProperty(PROPERTY + "maxTensors", DEFAULT_MAX_TENSORS),
          ReadLimits.longProperty(PROPERTY + "maxTensorBytes", DEFAULT_MAX_TENSOR_BYTES),
          ReadLimits.doubleProperty(PROPERTY + "maxExpansion", DEFAULT_MAX_EXPANSION),
          ReadLimits.longProperty(PROPERTY + "maxPickleBytes", DEFAULT_MAX_PICKLE_BYTES),
          (int)
              Math.min(
                  Integer.MAX_VALUE,
                  ReadLimits.longProperty(PROPERTY + "maxDepth", DEFAULT_MAX_DEPTH)));
    }

    /** The same limits with another {@link #maxTensors()}. */
    public Limits withMaxTensors(long n) {
      return new Limits(n, maxTensorBytes, maxExpansion, maxPickleBytes, maxDepth);
    }

    /** The same limits with another {@link #maxTensorBytes()}. */
    public Limits withMaxTensorBytes(long n) {
      return new Limits(maxTensors, n, maxExpansion, maxPickleBytes, maxDepth);
    }

    /** The same limits with another {@link #maxExpansion()}. */
    public Limits withMaxExpansion(double factor) {
      return new Limits(maxTensors, maxTensorBytes, factor, maxPickleBytes, maxDepth);
    }

    /** The same limits with another {@link #maxPickleBytes()}. */
    public Limits withMaxPickleBytes(long n) {
      return new Limits(maxTensors, maxTensorBytes, maxExpansion, n, maxDepth);
    }

    /** The same limits with another {@link #maxDepth()}. */
    public Limits withMaxDepth(int depth) {
      return new Limits(maxTensors, maxTensorBytes, maxExpansion, maxPickleBytes, depth);
    }

    /** The values a file of {@code fileBytes} may flatten to. */
    long valuesFor(long fileBytes) {
      return Math.min(maxTensors, Math.max(MIN_VALUES, ReadLimits.times(fileBytes, maxExpansion)));
    }

    /** The tensor memory a file of {@code fileBytes} may take. */
    long tensorBytesFor(long fileBytes) {
      return Math.min(
          maxTensorBytes, Math.max(MIN_TENSOR_BYTES, ReadLimits.times(fileBytes, maxExpansion)));
    }

    /** How to raise the limit {@code name}, for messages. */
    static String howToRaise(String name, String suggested) {
      return "if the file is genuine, raise the limit: TorchCheckpoint.read(path, "
          + "TorchCheckpoint.Limits.defaults().with"
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

  /**
   * A problem with a checkpoint file: the message names the file, what was found and what to do.
   */
  public static final class CheckpointException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    CheckpointException(Path file, String message) {
      super(message);
      this.file = file;
    }

    CheckpointException(Path file, String message, Throwable cause) {
      super(message, cause);
      this.file = file;
    }

    /** The checkpoint file concerned. */
    public Path file() {
      return file;
    }
  }

  /**
   * What {@link #load} found.
   *
   * @param tensors tensors by flattened key, in file order; the caller owns (closes) them
   * @param skipped the keys whose values could not be tensors (None, strings, bytes), with a short
   *     description of each value, in file order
   */
  public record Contents(Map<String, Tensor> tensors, Map<String, String> skipped) {}

  /**
   * Reads every tensor of a checkpoint onto the CPU. Numbers become 0-dim tensors and nested
   * containers are flattened (see the class comment); a value that cannot be a tensor (None, a
   * string) is an error.
   *
   * @return tensors by key, in the order of the file (a {@link LinkedHashMap}); the caller owns the
   *     tensors (they are retained beyond any scope open here) and closes them
   * @throws CheckpointException naming the file and the problem: missing file, not a zip, no
   *     data.pkl, truncated or corrupt entries, a global outside {@link #ALLOWED_GLOBALS}, an
   *     unsupported storage dtype, a non-tensor value
   */
  public static Map<String, Tensor> read(Path file) {
    return read(file, Limits.defaults());
  }

  /**
   * Like {@link #read(Path)}, under the given limits instead of {@link Limits#defaults()}.
   *
   * @throws CheckpointException as {@link #read(Path)}, and when the file exceeds a limit (naming
   *     the limit, the value found and how to raise it)
   */
  public static Map<String, Tensor> read(Path file, Limits limits) {
    return read(file, true, limits).tensors();
  }

  /**
   * Like {@link #read}, but values that cannot be tensors (None, strings, bytes) are left out and
   * listed in {@link Contents#skipped()} instead of failing the whole file.
   */
  public static Contents load(Path file) {
    return load(file, Limits.defaults());
  }

  /** Like {@link #load(Path)}, under the given limits instead of {@link Limits#defaults()}. */
  public static Contents load(Path file, Limits limits) {
    return read(file, false, limits);
  }

  // -----------------------------------------------------------------------------------------------------------------
  // The archive

  private static Contents read(Path file, boolean strict, Limits limits) {
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw new UnsupportedOperationException(
          "reading torch checkpoints assumes a little-endian platform; this one is "
              + ByteOrder.nativeOrder());
    }
    checkReadable(file);
    long fileBytes = fileSize(file);
    try (ZipFile zip = openZip(file)) {
      String prefix = prefix(file, zip);
      ByteOrder order = byteOrder(file, zip, prefix);
      ZipEntry pklEntry = zip.getEntry(prefix + "data.pkl");
      byte[] pkl = readEntry(file, zip, pklEntry, limits.maxPickleBytes(), "maxPickleBytes");
      Object root = new Unpickler(file, pkl, limits.maxDepth()).load();
      if (!(root instanceof PyDict dict)) {
        throw new CheckpointException(
            file,
            file
                + ": data.pkl holds "
                + describe(root)
                + ", not a dict of tensors; "
                + "only state dicts (and dicts of tensors and numbers) can be read; in Python, save "
                + "model.state_dict() or a dict of tensors instead");
      }
      Flattener flat = new Flattener(file, fileBytes, limits);
      flat.flatten("", dict, 0);
      Map<String, Object> leaves = flat.leaves;
      Map<String, String> skipped = flat.skipped;
      if (strict && !skipped.isEmpty()) {
        Map.Entry<String, String> first = skipped.entrySet().iterator().next();
        throw new CheckpointException(
            file,
            file
                + ": key '"
                + shortKey(first.getKey())
                + "' holds "
                + first.getValue()
                + ", not a tensor or a number"
                + (skipped.size() > 1
                    ? " (and "
                        + (skipped.size() - 1)
                        + " more such keys: "
                        + shortKeys(skipped.keySet())
                        + ")"
                    : "")
                + "; use TorchCheckpoint.load to skip such values, or save only tensors");
      }
      Materializer m = new Materializer(file, zip, prefix, order, fileBytes, limits, leaves);
      Map<String, Tensor> out = new LinkedHashMap<>();
      boolean done = false;
      try {
        for (Map.Entry<String, Object> e : leaves.entrySet()) {
          out.put(e.getKey(), m.materialize(e.getKey(), e.getValue()));
        }
        done = true;
      } finally {
        m.close();
        if (!done) {
          out.values().forEach(Tensor::close);
        }
      }
      return new Contents(out, Collections.unmodifiableMap(skipped));
    } catch (IOException e) {
      throw new CheckpointException(
          file,
          file
              + ": cannot read: "
              + e.getMessage()
              + "; the file may be truncated or corrupt, or unreadable",
          e);
    } catch (CheckpointException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      // java.util.zip's own refusals of a damaged directory, e.g. an entry name that is not UTF-8.
      throw new CheckpointException(
          file,
          file
              + ": the zip archive is malformed ("
              + e.getMessage()
              + "); the file is corrupt or not a torch checkpoint",
          e);
    }
  }

  private static long fileSize(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new CheckpointException(file, file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static void checkReadable(Path file) {
    if (!Files.exists(file)) {
      throw new CheckpointException(
          file,
          file
              + ": no such file; check the path (a SpeechBrain model folder keeps "
              + "its checkpoints as <name>.ckpt beside hyperparams.yaml)");
    }
    if (Files.isDirectory(file)) {
      throw new CheckpointException(
          file,
          file + ": is a directory, not a checkpoint file; pass the .ckpt file " + "inside it");
    }
    if (!Files.isReadable(file)) {
      throw new CheckpointException(file, file + ": cannot be read (permission denied)");
    }
  }

  private static ZipFile openZip(Path file) {
    byte[] head = new byte[8];
    int n;
    long size;
    try (InputStream in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, head.length);
      size = Files.size(file);
    } catch (IOException e) {
      throw new CheckpointException(file, file + ": cannot read: " + e.getMessage(), e);
    }
    if (size == 0) {
      throw new CheckpointException(
          file,
          file
              + ": the file is empty, not a torch.save checkpoint; it may have "
              + "been truncated while being written or downloaded");
    }
    boolean zipMagic = n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    if (!zipMagic) {
      if ((head[0] & 0xff) == 0x80) {
        throw new CheckpointException(
            file,
            file
                + ": is a legacy (PyTorch < 1.6) torch.save pickle, not a zip "
                + "archive; only the zip format is supported: load it in Python and save it again with torch.save "
                + "(PyTorch 1.6 or later, default settings)");
      }
      throw new CheckpointException(
          file,
          file
              + ": not a zip archive (it starts with bytes "
              + hex(head, n)
              + ", expected 'PK\\3\\4'), so not a torch.save checkpoint; check that the path names a "
              + ".ckpt/.pt file saved by torch.save and that the download completed");
    }
    try {
      return new ZipFile(file.toFile());
    } catch (ZipException e) {
      throw new CheckpointException(
          file,
          file
              + ": starts like a zip archive but cannot be opened as one ("
              + e.getMessage()
              + "); the file is truncated or corrupt: download or copy it again",
          e);
    } catch (IOException e) {
      throw new CheckpointException(file, file + ": cannot open: " + e.getMessage(), e);
    }
  }

  /** The archive's record prefix, {@code "<name>/"}, the folder of {@code data.pkl}. */
  private static String prefix(Path file, ZipFile zip) {
    List<String> names = new ArrayList<>();
    String found = null;
    boolean torchScript = false;
    for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
      String name = en.nextElement().getName();
      if (names.size() < 8) {
        names.add(name);
      }
      int slash = name.indexOf('/');
      if (slash > 0 && name.substring(slash + 1).equals("data.pkl") && found == null) {
        found = name.substring(0, slash + 1);
      }
      if (slash > 0 && name.startsWith("code/", slash + 1)) {
        torchScript = true;
      }
    }
    if (torchScript) {
      throw new CheckpointException(
          file,
          file
              + ": is a TorchScript archive (torch.jit.save, with code/), not a "
              + "torch.save checkpoint; in Python, load it with torch.jit.load and torch.save its state_dict()");
    }
    if (found == null) {
      throw new CheckpointException(
          file,
          file
              + ": is a zip archive without a <prefix>/data.pkl entry (entries: "
              + (names.isEmpty()
                  ? "none"
                  : String.join(", ", names) + (names.size() == 8 ? ", ..." : ""))
              + "), so not a torch.save checkpoint; check that the file was written by torch.save");
    }
    return found;
  }

  private static ByteOrder byteOrder(Path file, ZipFile zip, String prefix) {
    ZipEntry e = zip.getEntry(prefix + "byteorder");
    if (e == null) {
      return ByteOrder.LITTLE_ENDIAN;
    }
    String text =
        new String(readEntry(file, zip, e, MAX_RECORD_BYTES, null), StandardCharsets.US_ASCII)
            .trim();
    return switch (text) {
      case "little" -> ByteOrder.LITTLE_ENDIAN;
      case "big" -> ByteOrder.BIG_ENDIAN;
      default ->
          throw new CheckpointException(
              file,
              file
                  + ": the byteorder record says '"
                  + text
                  + "'; expected 'little' or 'big' (corrupt file?)");
    };
  }

  /**
   * Reads a whole entry into memory, streaming and counting: at most {@code max} bytes, and no more
   * than the zip directory states (which is not trusted to be true).
   *
   * @param limit the name of the limit {@code max} comes from, or null for a fixed bound
   */
  private static byte[] readEntry(Path file, ZipFile zip, ZipEntry e, long max, String limit) {
    long stated = e.getSize();
    if (stated > max) {
      throw entryTooLarge(
          file, e, "the zip directory states " + ReadLimits.bytes(stated), max, limit);
    }
    long cap = stated >= 0 ? stated : max;
    try (InputStream in = zip.getInputStream(e)) {
      byte[] bytes = in.readNBytes((int) Math.min(cap, Integer.MAX_VALUE - 16));
      if (in.read() >= 0) {
        if (stated >= 0) {
          throw new CheckpointException(
              file,
              file
                  + ": entry "
                  + e.getName()
                  + " inflates to more than the "
                  + stated
                  + " bytes the zip directory states; the file is corrupt or crafted: download or"
                  + " copy it again");
        }
        throw entryTooLarge(file, e, "it inflates to more", max, limit);
      }
      if (stated >= 0 && bytes.length != stated) {
        throw new CheckpointException(
            file,
            file
                + ": entry "
                + e.getName()
                + " holds "
                + bytes.length
                + " bytes but the zip directory says "
                + stated
                + "; the file is truncated or corrupt");
      }
      return bytes;
    } catch (IOException ex) {
      throw corruptEntry(file, e, ex);
    }
  }

  private static CheckpointException entryTooLarge(
      Path file, ZipEntry e, String found, long max, String limit) {
    return new CheckpointException(
        file,
        file
            + ": entry "
            + e.getName()
            + " is larger than "
            + ReadLimits.bytes(max)
            + " ("
            + found
            + ")"
            + (limit == null
                ? "; the file is corrupt or not a torch.save checkpoint"
                : ", the limit "
                    + limit
                    + "; a state dict's pickle is a few bytes per tensor, so the file is corrupt,"
                    + " a zip bomb, or holds far more than a state dict; "
                    + Limits.howToRaise(limit, Long.toString(twice(Math.max(max, e.getSize()))))));
  }

  private static long twice(long n) {
    return n > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2 * n;
  }

  private static CheckpointException corruptEntry(Path file, ZipEntry e, IOException ex) {
    return new CheckpointException(
        file,
        file
            + ": entry "
            + e.getName()
            + " cannot be read ("
            + ex.getMessage()
            + "); the file is truncated or corrupt: download or copy it again",
        ex);
  }

  // -----------------------------------------------------------------------------------------------------------------
  // Flattening and tensors

  /**
   * Flattens the unpickled dict into dotted keys, counting every value walked (containers included)
   * and every key character against the limits: a container referenced many times (a memoised list)
   * is walked each time it is referenced, so the count, not the pickle's size, is what bounds the
   * work.
   */
  private static final class Flattener {
    final Path file;
    final long fileBytes;
    final Limits limits;
    final long maxValues;
    final long maxKeyChars;
    long values;
    long keyChars;
    final Map<String, Object> leaves = new LinkedHashMap<>();
    final Map<String, String> skipped = new LinkedHashMap<>();

    Flattener(Path file, long fileBytes, Limits limits) {
      this.file = file;
      this.fileBytes = fileBytes;
      this.limits = limits;
      this.maxValues = limits.valuesFor(fileBytes);
      this.maxKeyChars =
          maxValues > Long.MAX_VALUE / Limits.KEY_CHARS_PER_VALUE
              ? Long.MAX_VALUE
              : maxValues * Limits.KEY_CHARS_PER_VALUE;
    }

    void flatten(String key, Object value, int depth) {
      if (depth > limits.maxDepth()) {
        throw new CheckpointException(
            file,
            file
                + ": containers nest deeper than "
                + limits.maxDepth()
                + " levels (the limit maxDepth) at key '"
                + shortKey(key)
                + "' (or refer to themselves); a state dict is one level deep, so the file is not"
                + " one; "
                + Limits.howToRaise("maxDepth", Integer.toString(limits.maxDepth() * 2)));
      }
      if (++values > maxValues) {
        throw new CheckpointException(
            file,
            file
                + ": data.pkl flattens to more than "
                + maxValues
                + " values (tensors, numbers and the containers holding them), the limit for a"
                + " file of "
                + ReadLimits.bytes(fileBytes)
                + ": min(maxTensors "
                + limits.maxTensors()
                + ", max("
                + Limits.MIN_VALUES
                + ", maxExpansion "
                + limits.maxExpansion()
                + " x file size)); shared containers referenced many times (a pickle bomb) or far"
                + " more than a state dict; "
                + (maxValues < limits.maxTensors()
                    ? Limits.howToRaise("maxExpansion", Double.toString(limits.maxExpansion() * 4))
                    : Limits.howToRaise("maxTensors", Long.toString(twice(limits.maxTensors())))));
      }
      keyChars += key.length();
      if (keyChars > maxKeyChars) {
        throw new CheckpointException(
            file,
            file
                + ": the flattened keys take more than "
                + maxKeyChars
                + " characters ("
                + Limits.KEY_CHARS_PER_VALUE
                + " per value allowed), at key '"
                + shortKey(key)
                + "'; keys that long come from a crafted file; "
                + Limits.howToRaise("maxTensors", Long.toString(twice(limits.maxTensors()))));
      }
      if (value instanceof PyDict d) {
        for (Map.Entry<Object, Object> e : d.items.entrySet()) {
          flatten(join(key, keyName(e.getKey())), e.getValue(), depth + 1);
        }
      } else if (value instanceof PyList l) {
        for (int i = 0; i < l.items.size(); i++) {
          flatten(join(key, Integer.toString(i)), l.items.get(i), depth + 1);
        }
      } else if (value instanceof PyTuple t) {
        for (int i = 0; i < t.items.size(); i++) {
          flatten(join(key, Integer.toString(i)), t.items.get(i), depth + 1);
        }
      } else if (value instanceof TensorRef
          || value instanceof Long
          || value instanceof Boolean
          || value instanceof Double) {
        if (leaves.containsKey(key) || skipped.containsKey(key)) {
          throw duplicate(file, key);
        }
        leaves.put(key, value);
      } else if (value instanceof BigInteger b) {
        throw new CheckpointException(
            file,
            file
                + ": key '"
                + shortKey(key)
                + "' holds "
                + describe(b)
                + ", outside the int64 range of a Long tensor; save it as a tensor or a float"
                + " instead");
      } else {
        if (leaves.containsKey(key) || skipped.containsKey(key)) {
          throw duplicate(file, key);
        }
        skipped.put(key, describe(value));
      }
    }
  }

  private static CheckpointException duplicate(Path file, String key) {
    return new CheckpointException(
        file,
        file
            + ": key '"
            + shortKey(key)
            + "' occurs twice once nested containers are "
            + "flattened with dots (e.g. {'a.b': x, 'a': {'b': y}}); rename one of them before saving");
  }

  /** A key for messages: at most 200 characters. */
  private static String shortKey(String key) {
    return key.length() <= 200 ? key : key.substring(0, 200) + "... (" + key.length() + " chars)";
  }

  private static String shortKeys(java.util.Collection<String> keys) {
    StringBuilder sb = new StringBuilder();
    int n = 0;
    for (String k : keys) {
      if (n == 20) {
        sb.append(", ...");
        break;
      }
      sb.append(n++ == 0 ? "" : ", ").append(shortKey(k));
    }
    return sb.toString();
  }

  private static String join(String prefix, String name) {
    return prefix.isEmpty() ? name : prefix + "." + name;
  }

  private static String keyName(Object k) {
    if (k instanceof String s) {
      return s;
    }
    if (k instanceof Boolean b) {
      return b ? "True" : "False";
    }
    if (k == PyNone.NONE) {
      return "None";
    }
    return String.valueOf(k);
  }

  /**
   * Turns flattened leaves into tensors: each storage is read from the archive once (streamed and
   * counted, into memory counted against the tensor-byte budget), and each view becomes the storage
   * itself, a copy, or a view over the storage (see the class comment).
   */
  private static final class Materializer {
    final Path file;
    final ZipFile zip;
    final String prefix;
    final ByteOrder order;
    final long fileBytes;
    final Limits limits;
    final long maxBytes;
    long allocated;
    final Map<String, Integer> uses = new HashMap<>();
    final Map<String, Tensor> storages = new HashMap<>();
    final Map<String, Storage> declared = new HashMap<>();

    Materializer(
        Path file,
        ZipFile zip,
        String prefix,
        ByteOrder order,
        long fileBytes,
        Limits limits,
        Map<String, Object> leaves) {
      this.file = file;
      this.zip = zip;
      this.prefix = prefix;
      this.order = order;
      this.fileBytes = fileBytes;
      this.limits = limits;
      this.maxBytes = limits.tensorBytesFor(fileBytes);
      for (Object v : leaves.values()) {
        if (v instanceof TensorRef ref) {
          uses.merge(ref.storage.key, 1, Integer::sum);
        }
      }
    }

    void close() {
      storages.values().forEach(Tensor::close);
      storages.clear();
    }

    Tensor materialize(String key, Object v) {
      try (PointerScope scope = new PointerScope()) {
        Tensor t;
        if (v instanceof TensorRef ref) {
          t = tensor(key, ref);
        } else if (v instanceof Long l) {
          t =
              torch.empty(
                  new long[0], new TensorOptions(ScalarType.Long), new MemoryFormatOptional());
          new LongPointer(t.data_ptr()).put(l.longValue());
        } else if (v instanceof Double d) {
          t =
              torch.empty(
                  new long[0], new TensorOptions(ScalarType.Double), new MemoryFormatOptional());
          new DoublePointer(t.data_ptr()).put(d.doubleValue());
        } else if (v instanceof Boolean b) {
          t =
              torch.empty(
                  new long[0], new TensorOptions(ScalarType.Bool), new MemoryFormatOptional());
          new BytePointer(t.data_ptr()).put((byte) (b ? 1 : 0));
        } else {
          throw new IllegalStateException("unexpected leaf " + v);
        }
        return t.retainReference();
      }
    }

    /** Must run inside a scope: the view belongs to it. */
    private Tensor tensor(String key, TensorRef ref) {
      Storage s = ref.storage;
      Tensor storage = storage(key, s);
      Tensor view = storage.as_strided(ref.size, ref.stride, new LongOptional(ref.offset));
      long numel = ref.numel();
      if (numel == s.numel && uses.get(s.key) == 1 && view.is_contiguous()) {
        return view; // the only user of the whole storage: no copy needed
      }
      if (numel > s.numel) {
        // More elements than the storage holds: they repeat (a stride of 0). A copy could be far
        // larger than the file, so the view over the storage is returned instead.
        return view;
      }
      charge(key, numel * s.dtype.itemBytes, "a contiguous copy of");
      return view.clone(new MemoryFormatOptional(torch.MemoryFormat.Contiguous));
    }

    private void charge(String key, long bytes, String what) {
      if (bytes > maxBytes - allocated) {
        throw new CheckpointException(
            file,
            file
                + ": tensor '"
                + shortKey(key)
                + "' needs "
                + ReadLimits.bytes(bytes)
                + " for "
                + what
                + " its data, beyond the "
                + ReadLimits.bytes(maxBytes)
                + " of tensor memory allowed for a file of "
                + ReadLimits.bytes(fileBytes)
                + " (min(maxTensorBytes "
                + limits.maxTensorBytes()
                + ", max("
                + Limits.MIN_TENSOR_BYTES
                + ", maxExpansion "
                + limits.maxExpansion()
                + " x file size)); "
                + ReadLimits.bytes(allocated)
                + " are taken already); the file declares more data than it holds (a zip bomb?)"
                + " or is larger than expected; "
                + (maxBytes < limits.maxTensorBytes()
                    ? Limits.howToRaise("maxExpansion", Double.toString(limits.maxExpansion() * 4))
                    : Limits.howToRaise(
                        "maxTensorBytes", Long.toString(twice(limits.maxTensorBytes())))));
      }
      allocated += bytes;
    }

    /**
     * The storage tensor (1-d, {@code numel} elements), read once and kept until {@link #close}.
     */
    private Tensor storage(String key, Storage s) {
      Storage first = declared.putIfAbsent(s.key, s);
      if (first != null && (first.dtype != s.dtype || first.numel != s.numel)) {
        throw new CheckpointException(
            file,
            file
                + ": storage '"
                + s.key
                + "' is declared as "
                + first.numel
                + " elements of "
                + first.dtype.className
                + " and, for tensor '"
                + shortKey(key)
                + "', as "
                + s.numel
                + " of "
                + s.dtype.className
                + "; the file is corrupt or crafted");
      }
      Tensor cached = storages.get(s.key);
      if (cached != null) {
        return cached;
      }
      String name = prefix + "data/" + s.key;
      ZipEntry entry = zip.getEntry(name);
      if (entry == null) {
        throw new CheckpointException(
            file,
            file
                + ": tensor '"
                + shortKey(key)
                + "' uses storage "
                + name
                + ", which is missing from the archive; the file is truncated or corrupt");
      }
      long nbytes = s.numel * s.dtype.itemBytes;
      long have = entry.getSize();
      if (have >= 0 && have != nbytes) {
        throw new CheckpointException(
            file,
            file
                + ": storage "
                + name
                + " of tensor '"
                + shortKey(key)
                + "' holds "
                + have
                + " bytes but "
                + s.dtype.className
                + " of "
                + s.numel
                + " elements needs "
                + nbytes
                + "; the file is "
                + (have < nbytes ? "truncated" : "corrupt")
                + ": download or copy it again");
      }
      charge(key, nbytes, "storage " + name + " holding");
      try (PointerScope scope = new PointerScope()) {
        Tensor storage =
            torch.empty(
                new long[] {s.numel},
                new TensorOptions(s.dtype.scalarType),
                new MemoryFormatOptional());
        fill(key, name, entry, s, storage, nbytes);
        storage.retainReference();
        storages.put(s.key, storage);
        return storage;
      }
    }

    private void fill(String key, String name, ZipEntry entry, Storage s, Tensor storage, long n) {
      BytePointer data = new BytePointer(storage.data_ptr()).capacity(Math.max(n, 1));
      byte[] chunk = new byte[(int) Math.max(1, Math.min(CHUNK_BYTES, n))];
      boolean swap = order == ByteOrder.BIG_ENDIAN && s.dtype.itemBytes > 1;
      try (InputStream in = zip.getInputStream(entry)) {
        for (long at = 0; at < n; at += chunk.length) {
          int len = (int) Math.min(chunk.length, n - at);
          int got = in.readNBytes(chunk, 0, len);
          if (got < len) {
            throw new CheckpointException(
                file,
                file
                    + ": storage "
                    + name
                    + " of tensor '"
                    + shortKey(key)
                    + "' ends after "
                    + (at + got)
                    + " of "
                    + n
                    + " bytes; the file is truncated: download or copy it again");
          }
          if (swap) {
            swapBytes(chunk, len, s.dtype.itemBytes);
          }
          if (s.dtype == StorageDtype.BOOL) {
            checkBools(key, name, chunk, len, at);
          }
          data.position(at).put(chunk, 0, len);
        }
        // The zip directory's size is not trusted: the entry must end where the storage does.
        if (in.read() >= 0) {
          throw new CheckpointException(
              file,
              file
                  + ": storage "
                  + name
                  + " of tensor '"
                  + shortKey(key)
                  + "' holds more than the "
                  + n
                  + " bytes that "
                  + s.numel
                  + " elements of "
                  + s.dtype.className
                  + " take; the file is corrupt or crafted: download or copy it again");
        }
      } catch (IOException ex) {
        throw corruptEntry(file, entry, ex);
      }
    }

    private void checkBools(String key, String name, byte[] chunk, int len, long at) {
      for (int i = 0; i < len; i++) {
        if (chunk[i] != 0 && chunk[i] != 1) {
          throw new CheckpointException(
              file,
              file
                  + ": storage "
                  + name
                  + " of Bool tensor '"
                  + shortKey(key)
                  + "' holds the byte "
                  + (chunk[i] & 0xff)
                  + " at element "
                  + (at + i)
                  + "; booleans must be 0 "
                  + "or 1 (corrupt file)");
        }
      }
    }
  }

  private static void swapBytes(byte[] b, int len, int item) {
    for (int i = 0; i + item <= len; i += item) {
      for (int lo = i, hi = i + item - 1; lo < hi; lo++, hi--) {
        byte t = b[lo];
        b[lo] = b[hi];
        b[hi] = t;
      }
    }
  }

  private static String hex(byte[] b, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(n, 4); i++) {
      sb.append(i == 0 ? "" : " ").append(String.format("%02x", b[i] & 0xff));
    }
    return sb.length() == 0 ? "(none)" : sb.toString();
  }

  /** A short description of an unpickled value, for messages. */
  private static String describe(Object v) {
    if (v == PyNone.NONE) {
      return "None";
    }
    if (v instanceof String s) {
      return "the string '" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
    }
    if (v instanceof byte[] b) {
      return "bytes (" + b.length + " of them)";
    }
    if (v instanceof BigInteger b && b.bitLength() > 128) {
      return "an int of " + b.bitLength() + " bits";
    }
    if (v instanceof Long || v instanceof BigInteger) {
      return "the int " + v;
    }
    if (v instanceof Double) {
      return "the float " + v;
    }
    if (v instanceof Boolean b) {
      return b ? "True" : "False";
    }
    if (v instanceof PyDict) {
      return "a dict";
    }
    if (v instanceof PyList) {
      return "a list";
    }
    if (v instanceof PyTuple) {
      return "a tuple";
    }
    if (v instanceof TensorRef) {
      return "a single tensor";
    }
    if (v instanceof Storage s) {
      return "a bare " + s.dtype.className + " storage";
    }
    if (v instanceof Global g) {
      return "the class or function " + g.qualified;
    }
    return "an object";
  }

  // -----------------------------------------------------------------------------------------------------------------
  // Unpickled values

  /** Python's None. */
  private enum PyNone {
    NONE
  }

  private static final class PyDict {
    final LinkedHashMap<Object, Object> items = new LinkedHashMap<>();
  }

  private static final class PyList {
    final List<Object> items;

    PyList(List<Object> items) {
      this.items = items;
    }
  }

  private static final class PyTuple {
    final List<Object> items;

    PyTuple(List<Object> items) {
      this.items = items;
    }
  }

  /** The storage classes torch.save names, with their libtorch types. */
  private enum StorageDtype {
    FLOAT("FloatStorage", ScalarType.Float, 4),
    DOUBLE("DoubleStorage", ScalarType.Double, 8),
    HALF("HalfStorage", ScalarType.Half, 2),
    BFLOAT16("BFloat16Storage", ScalarType.BFloat16, 2),
    LONG("LongStorage", ScalarType.Long, 8),
    INT("IntStorage", ScalarType.Int, 4),
    SHORT("ShortStorage", ScalarType.Short, 2),
    CHAR("CharStorage", ScalarType.Char, 1),
    BYTE("ByteStorage", ScalarType.Byte, 1),
    BOOL("BoolStorage", ScalarType.Bool, 1);

    final String className;
    final ScalarType scalarType;
    final int itemBytes;

    StorageDtype(String className, ScalarType scalarType, int itemBytes) {
      this.className = className;
      this.scalarType = scalarType;
      this.itemBytes = itemBytes;
    }
  }

  private enum Kind {
    ORDERED_DICT,
    REBUILD_TENSOR_V2,
    REBUILD_PARAMETER,
    STORAGE_CLASS
  }

  /** An allowed global; nothing else can be named. */
  private record Global(String qualified, Kind kind, StorageDtype dtype) {}

  private static final Map<String, Global> GLOBALS = new LinkedHashMap<>();

  static {
    addGlobal(new Global("collections.OrderedDict", Kind.ORDERED_DICT, null));
    addGlobal(new Global("torch._utils._rebuild_tensor_v2", Kind.REBUILD_TENSOR_V2, null));
    addGlobal(new Global("torch._utils._rebuild_parameter", Kind.REBUILD_PARAMETER, null));
    for (StorageDtype d : StorageDtype.values()) {
      addGlobal(new Global("torch." + d.className, Kind.STORAGE_CLASS, d));
    }
    ALLOWED_GLOBALS = List.copyOf(GLOBALS.keySet());
  }

  private static void addGlobal(Global g) {
    GLOBALS.put(g.qualified, g);
  }

  private record Storage(StorageDtype dtype, String key, long numel) {}

  private record TensorRef(Storage storage, long offset, long[] size, long[] stride) {
    /** Elements of the view; checked against overflow when the tensor was rebuilt. */
    long numel() {
      long n = 1;
      for (long v : size) {
        n *= v;
      }
      return n;
    }
  }

  // -----------------------------------------------------------------------------------------------------------------
  // The pickle machine

  /**
   * Interprets pickle protocols 2 to 5 (and the binary opcodes of protocol 1) into the values
   * above. Globals are checked against the allow-list when they are named, so a refused class is
   * never even looked at again.
   */
  private static final class Unpickler {
    private final Path file;
    private final byte[] b;
    private int pos;
    private int opAt;
    private int op;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final HashMap<Long, Object> memo = new HashMap<>();
    private final int maxDepth;

    Unpickler(Path file, byte[] b, int maxDepth) {
      this.file = file;
      this.b = b;
      this.maxDepth = maxDepth;
    }

    private void mark() {
      if (marks.size() >= maxDepth) {
        throw fail(
            file
                + ": data.pkl nests MARKs deeper than "
                + maxDepth
                + " levels (the limit maxDepth) at byte "
                + opAt
                + "; a state dict nests a few levels, so the file is crafted or not a state dict; "
                + Limits.howToRaise("maxDepth", Integer.toString(maxDepth * 2)));
      }
      marks.add(stack.size());
    }

    Object load() {
      while (true) {
        if (pos >= b.length) {
          throw malformed("data.pkl ends at byte " + pos + " without a STOP opcode");
        }
        opAt = pos;
        op = b[pos++] & 0xff;
        switch (op) {
          case 0x80 -> { // PROTO
            int v = u8();
            if (v > 5) {
              throw fail(
                  "data.pkl uses pickle protocol "
                      + v
                      + ", newer than 5, the latest this reader knows");
            }
          }
          case 0x95 -> skip(8); // FRAME: only a read-ahead hint
          case '.' -> { // STOP
            Object result = pop();
            return result;
          }
          case '(' -> mark(); // MARK
          case '0' -> pop(); // POP
          case '1' -> popMark(); // POP_MARK
          case '2' -> push(peek()); // DUP
          case '}' -> push(new PyDict()); // EMPTY_DICT
          case ']' -> push(new PyList(new ArrayList<>())); // EMPTY_LIST
          case ')' -> push(new PyTuple(List.of())); // EMPTY_TUPLE
          case 't' -> push(new PyTuple(popMark())); // TUPLE
          case 0x85 -> push(tuple(1)); // TUPLE1
          case 0x86 -> push(tuple(2)); // TUPLE2
          case 0x87 -> push(tuple(3)); // TUPLE3
          case 'l' -> push(new PyList(new ArrayList<>(popMark()))); // LIST
          case 'd' -> { // DICT
            PyDict d = new PyDict();
            putAll(d, popMark());
            push(d);
          }
          case 'J' -> push((long) i32()); // BININT
          case 'K' -> push((long) u8()); // BININT1
          case 'M' -> push((long) (u8() | (u8() << 8))); // BININT2
          case 0x8a -> push(longFrom(bytes(u8()))); // LONG1
          case 0x8b -> push(longFrom(bytes(length(i32())))); // LONG4
          case 'G' ->
              push(ByteBuffer.wrap(bytes(8)).order(ByteOrder.BIG_ENDIAN).getDouble()); // BINFLOAT
          case 'N' -> push(PyNone.NONE); // NONE
          case 0x88 -> push(Boolean.TRUE); // NEWTRUE
          case 0x89 -> push(Boolean.FALSE); // NEWFALSE
          case 'X' -> push(utf8(bytes(length(u32())))); // BINUNICODE
          case 0x8c -> push(utf8(bytes(u8()))); // SHORT_BINUNICODE
          case 0x8d -> push(utf8(bytes(length(u64())))); // BINUNICODE8
          case 'T' -> push(latin1(bytes(length(i32())))); // BINSTRING (Python 2 str)
          case 'U' -> push(latin1(bytes(u8()))); // SHORT_BINSTRING
          case 'B' -> push(bytes(length(u32()))); // BINBYTES
          case 'C' -> push(bytes(u8())); // SHORT_BINBYTES
          case 0x8e, 0x96 -> push(bytes(length(u64()))); // BINBYTES8, BYTEARRAY8
          case 'q' -> memo.put((long) u8(), peek()); // BINPUT
          case 'r' -> memo.put(u32(), peek()); // LONG_BINPUT
          case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
          case 'p' -> memo.put(decimal(line()), peek()); // PUT
          case 'h' -> push(memoGet(u8())); // BINGET
          case 'j' -> push(memoGet(u32())); // LONG_BINGET
          case 'g' -> push(memoGet(decimal(line()))); // GET
          case 's' -> { // SETITEM
            Object v = pop();
            Object k = pop();
            put(dictOn(peek()), k, v);
          }
          case 'u' -> { // SETITEMS
            List<Object> items = popMark();
            putAll(dictOn(peek()), items);
          }
          case 'a' -> { // APPEND
            Object v = pop();
            listOn(peek()).items.add(v);
          }
          case 'e' -> { // APPENDS
            List<Object> items = popMark();
            listOn(peek()).items.addAll(items);
          }
          case 'c' -> { // GLOBAL
            String module = line();
            String name = line();
            push(global(module, name));
          }
          case 0x93 -> { // STACK_GLOBAL
            Object name = pop();
            Object module = pop();
            if (!(module instanceof String m) || !(name instanceof String n)) {
              throw malformed(
                  "STACK_GLOBAL needs two strings, got "
                      + describe(module)
                      + " and "
                      + describe(name));
            }
            push(global(m, n));
          }
          case 'R' -> { // REDUCE
            Object args = pop();
            Object callable = pop();
            push(call(callable, args));
          }
          case 0x81 -> { // NEWOBJ
            Object args = pop();
            Object cls = pop();
            push(newObject(cls, args));
          }
          case 0x92 -> { // NEWOBJ_EX
            Object kwargs = pop();
            Object args = pop();
            Object cls = pop();
            if (!(kwargs instanceof PyDict kw) || !kw.items.isEmpty()) {
              throw malformed("NEWOBJ_EX with keyword arguments, which no allowed class takes");
            }
            push(newObject(cls, args));
          }
          case 'b' -> { // BUILD
            pop(); // the state: an OrderedDict's attributes, which a state dict ignores
            Object target = peek();
            if (!(target instanceof PyDict)) {
              throw malformed(
                  "BUILD (set attributes) on "
                      + describe(target)
                      + "; only an OrderedDict's attributes "
                      + "(such as _metadata) may be set");
            }
            // An OrderedDict's attributes (the state dict's _metadata): not needed, ignored.
          }
          case 'Q' -> push(persistentLoad(pop())); // BINPERSID
          case 'i', 'o' ->
              throw fail(
                  "refusing to load "
                      + file
                      + ": data.pkl uses the opcode "
                      + (op == 'i' ? "INST" : "OBJ")
                      + ", which instantiates a class; only tensors and plain containers are "
                      + "allowed. Save a plain state dict (torch.save(model.state_dict(), path)) instead");
          case 0x82, 0x83, 0x84 ->
              throw fail(
                  "refusing to load "
                      + file
                      + ": data.pkl names a class through the "
                      + "copyreg extension registry (EXT"
                      + (op == 0x82 ? 1 : op == 0x83 ? 2 : 4)
                      + "); only tensors and "
                      + "plain containers are allowed");
          default ->
              throw fail(
                  file
                      + ": data.pkl has the pickle opcode 0x"
                      + String.format("%02x", op)
                      + (op >= 0x20 && op < 0x7f ? " ('" + (char) op + "')" : "")
                      + " at byte "
                      + opAt
                      + ", which this reader does not support (it reads torch.save's binary pickles, protocols 2 to 5); "
                      + "the file may be corrupt or hold more than a state dict: save model.state_dict() instead");
        }
      }
    }

    // --- globals and calls

    private Global global(String module, String name) {
      String qualified = module + "." + name;
      Global g = GLOBALS.get(qualified);
      if (g != null) {
        return g;
      }
      if ((module.equals("torch") || module.equals("torch.storage")) && name.endsWith("Storage")) {
        List<String> supported = new ArrayList<>();
        for (StorageDtype d : StorageDtype.values()) {
          supported.add(d.className);
        }
        throw fail(
            file
                + ": a tensor uses the storage type "
                + qualified
                + ", which is not supported (supported: "
                + String.join(", ", supported)
                + "); in Python, convert such tensors (e.g. .float()) and save again");
      }
      throw fail(
          "refusing to load "
              + qualified
              + " from "
              + file
              + ": only tensors and plain containers are "
              + "allowed (allowed globals: "
              + String.join(", ", ALLOWED_GLOBALS)
              + "). The file may be malicious or "
              + "hold pickled Python objects; if you trust it, re-save a plain state dict with "
              + "torch.save(model.state_dict(), path)");
    }

    private Object call(Object callable, Object args) {
      if (!(callable instanceof Global g)) {
        throw malformed("REDUCE calls " + describe(callable) + ", which is not callable");
      }
      List<Object> a = tupleItems(args, "the arguments of " + g.qualified);
      switch (g.kind) {
        case ORDERED_DICT -> {
          PyDict d = new PyDict();
          if (a.size() == 1 && a.get(0) instanceof PyList pairs) {
            for (Object pair : pairs.items) {
              List<Object> kv = tupleItems(pair, "an item of OrderedDict(...)");
              if (kv.size() != 2) {
                throw malformed("OrderedDict(...) item with " + kv.size() + " values");
              }
              put(d, kv.get(0), kv.get(1));
            }
          } else if (!a.isEmpty()) {
            throw malformed("OrderedDict called with " + a.size() + " arguments");
          }
          return d;
        }
        case REBUILD_TENSOR_V2 -> {
          return rebuildTensor(a);
        }
        case REBUILD_PARAMETER -> {
          if (a.size() != 3 || !(a.get(0) instanceof TensorRef t)) {
            throw malformed(
                "_rebuild_parameter expects (tensor, requires_grad, backward_hooks), got "
                    + a.size()
                    + " arguments");
          }
          return t;
        }
        default ->
            throw malformed(
                g.qualified
                    + " called directly; torch.save only names storage classes in "
                    + "persistent ids");
      }
    }

    private Object newObject(Object cls, Object args) {
      if (cls instanceof Global g && g.kind == Kind.ORDERED_DICT) {
        if (!tupleItems(args, "the arguments of OrderedDict.__new__").isEmpty()) {
          throw malformed("OrderedDict.__new__ with arguments");
        }
        return new PyDict();
      }
      throw malformed("NEWOBJ instantiates " + describe(cls) + "; only OrderedDict may be created");
    }

    private TensorRef rebuildTensor(List<Object> a) {
      if (a.size() != 6 && a.size() != 7) {
        throw malformed(
            "_rebuild_tensor_v2 expects 6 or 7 arguments (storage, storage_offset, size, stride, "
                + "requires_grad, backward_hooks[, metadata]), got "
                + a.size());
      }
      if (!(a.get(0) instanceof Storage storage)) {
        throw malformed(
            "_rebuild_tensor_v2's first argument is " + describe(a.get(0)) + ", not a storage");
      }
      long offset = nonNegative(a.get(1), "storage_offset");
      long[] size = longs(a.get(2), "size");
      long[] stride = longs(a.get(3), "stride");
      if (size.length != stride.length) {
        throw malformed("tensor with " + size.length + " sizes but " + stride.length + " strides");
      }
      try {
        long numel = 1;
        long last = offset;
        for (int i = 0; i < size.length; i++) {
          numel = Math.multiplyExact(numel, size[i]);
          if (size[i] > 0) {
            last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
          }
        }
        if (numel > 0 && last >= storage.numel) {
          throw fail(
              file
                  + ": a tensor of size "
                  + Arrays.toString(size)
                  + ", stride "
                  + Arrays.toString(stride)
                  + " and offset "
                  + offset
                  + " reaches element "
                  + last
                  + " of storage '"
                  + storage.key
                  + "', which has "
                  + storage.numel
                  + "; the file is corrupt");
        }
      } catch (ArithmeticException e) {
        throw fail(
            file
                + ": a tensor of size "
                + Arrays.toString(size)
                + " is too large to address; the file is "
                + "corrupt");
      }
      return new TensorRef(storage, offset, size, stride);
    }

    private Storage persistentLoad(Object pid) {
      List<Object> p = tupleItems(pid, "a persistent id");
      Object type = p.isEmpty() ? null : p.get(0);
      if (type instanceof byte[] raw) {
        type = latin1(raw);
      }
      if (!"storage".equals(type) || p.size() != 5) {
        throw malformed(
            "persistent id "
                + (p.isEmpty() ? "()" : describe(type))
                + " with "
                + p.size()
                + " fields; torch.save writes ('storage', storage_type, key, location, numel)");
      }
      if (!(p.get(1) instanceof Global g) || g.kind != Kind.STORAGE_CLASS) {
        throw malformed("persistent id whose storage type is " + describe(p.get(1)));
      }
      Object key = p.get(2);
      if (key instanceof byte[] raw) {
        key = latin1(raw);
      }
      if (!(key instanceof String k) || k.isEmpty() || k.contains("/") || k.contains("..")) {
        throw malformed("storage key " + describe(key) + "; expected a plain name such as '0'");
      }
      long numel = nonNegative(p.get(4), "storage numel");
      try {
        Math.multiplyExact(numel, g.dtype.itemBytes);
      } catch (ArithmeticException e) {
        throw malformed("storage of " + numel + " elements");
      }
      return new Storage(g.dtype, k, numel);
    }

    // --- containers

    private PyDict dictOn(Object o) {
      if (o instanceof PyDict d) {
        return d;
      }
      throw malformed("setting an item on " + describe(o) + ", not a dict");
    }

    private PyList listOn(Object o) {
      if (o instanceof PyList l) {
        return l;
      }
      throw malformed("appending to " + describe(o) + ", not a list");
    }

    private void putAll(PyDict d, List<Object> items) {
      if (items.size() % 2 != 0) {
        throw malformed("an odd number of values (" + items.size() + ") for dict items");
      }
      for (int i = 0; i < items.size(); i += 2) {
        put(d, items.get(i), items.get(i + 1));
      }
    }

    private void put(PyDict d, Object k, Object v) {
      if (!(k instanceof String
          || k instanceof Long
          || k instanceof BigInteger
          || k instanceof Boolean
          || k instanceof Double
          || k == PyNone.NONE)) {
        throw fail(
            file
                + ": data.pkl has a dict key that is "
                + describe(k)
                + "; only strings and numbers are "
                + "supported as keys");
      }
      d.items.put(k, v);
    }

    private PyTuple tuple(int n) {
      if (stack.size() - n < floor()) {
        throw malformed("TUPLE" + n + " needs " + n + " values on the stack");
      }
      List<Object> items = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
      for (int i = 0; i < n; i++) {
        stack.remove(stack.size() - 1);
      }
      return new PyTuple(items);
    }

    private List<Object> tupleItems(Object o, String what) {
      if (o instanceof PyTuple t) {
        return t.items;
      }
      if (o instanceof PyList l) {
        return l.items;
      }
      throw malformed(what + " is " + describe(o) + ", not a tuple");
    }

    private long nonNegative(Object o, String what) {
      if (!(o instanceof Long v) || v < 0) {
        throw malformed(what + " is " + describe(o) + ", not a non-negative integer");
      }
      return v;
    }

    private long[] longs(Object o, String what) {
      List<Object> items = tupleItems(o, "the tensor's " + what);
      long[] out = new long[items.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = nonNegative(items.get(i), "an element of the tensor's " + what);
      }
      return out;
    }

    // --- stack

    private int floor() {
      return marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    }

    private void push(Object o) {
      stack.add(o);
    }

    private Object pop() {
      if (stack.size() <= floor()) {
        throw malformed("a value is needed but the stack is empty");
      }
      return stack.remove(stack.size() - 1);
    }

    private Object peek() {
      if (stack.size() <= floor()) {
        throw malformed("a value is needed but the stack is empty");
      }
      return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
      if (marks.isEmpty()) {
        throw malformed("no MARK to pop to");
      }
      int at = marks.remove(marks.size() - 1);
      List<Object> items = new ArrayList<>(stack.subList(at, stack.size()));
      stack.subList(at, stack.size()).clear();
      return items;
    }

    private Object memoGet(long index) {
      Object o = memo.get(index);
      if (o == null) {
        throw malformed("memo entry " + index + " is read before it is written");
      }
      return o;
    }

    // --- bytes

    private void need(long n) {
      if (n > b.length - pos) {
        throw fail(
            file
                + ": data.pkl ends in the middle of the opcode at byte "
                + opAt
                + " (0x"
                + String.format("%02x", op)
                + "), which needs "
                + n
                + " more bytes; the file is truncated or corrupt");
      }
    }

    private void skip(int n) {
      need(n);
      pos += n;
    }

    private int u8() {
      need(1);
      return b[pos++] & 0xff;
    }

    private int i32() {
      need(4);
      int v = ByteBuffer.wrap(b, pos, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
      pos += 4;
      return v;
    }

    private long u32() {
      return i32() & 0xffffffffL;
    }

    private long u64() {
      need(8);
      long v = ByteBuffer.wrap(b, pos, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      pos += 8;
      return v;
    }

    private int length(long n) {
      if (n < 0 || n > b.length - pos) {
        need(n < 0 ? Long.MAX_VALUE : n);
      }
      return (int) n;
    }

    private byte[] bytes(int n) {
      need(n);
      byte[] out = Arrays.copyOfRange(b, pos, pos + n);
      pos += n;
      return out;
    }

    private String line() {
      int start = pos;
      while (pos < b.length && b[pos] != '\n') {
        pos++;
      }
      if (pos >= b.length) {
        need(1);
      }
      String s = new String(b, start, pos - start, StandardCharsets.UTF_8);
      pos++;
      return s;
    }

    private long decimal(String s) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        throw malformed("memo index '" + s + "' is not a number");
      }
    }

    private static Object longFrom(byte[] le) {
      if (le.length == 0) {
        return 0L;
      }
      byte[] be = new byte[le.length];
      for (int i = 0; i < le.length; i++) {
        be[i] = le[le.length - 1 - i];
      }
      BigInteger v = new BigInteger(be);
      return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private static String utf8(byte[] raw) {
      return new String(raw, StandardCharsets.UTF_8);
    }

    private static String latin1(byte[] raw) {
      return new String(raw, StandardCharsets.ISO_8859_1);
    }

    private CheckpointException malformed(String problem) {
      return fail(
          file
              + ": data.pkl is malformed at byte "
              + opAt
              + " (opcode 0x"
              + String.format("%02x", op)
              + "): "
              + problem
              + "; the file is corrupt or was not written by torch.save");
    }

    private CheckpointException fail(String message) {
      return new CheckpointException(file, message);
    }
  }
}
