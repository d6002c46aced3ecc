package dev.sonus.tensor;

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
 * <p>Every problem is a {@link CheckpointException} whose message names the file, what was found
 * and what to do.
 */
public final class TorchCheckpoint {
  /** {@code module.name} of every global the pickle may name; anything else is refused. */
  public static final List<String> ALLOWED_GLOBALS;

  private static final int CHUNK_BYTES = 1 << 20;

  /** Nesting depth of containers accepted when flattening (a state dict needs 1). */
  private static final int MAX_DEPTH = 64;

  private TorchCheckpoint() {}

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
    return read(file, true).tensors();
  }

  /**
   * Like {@link #read}, but values that cannot be tensors (None, strings, bytes) are left out and
   * listed in {@link Contents#skipped()} instead of failing the whole file.
   */
  public static Contents load(Path file) {
    return read(file, false);
  }

  // -----------------------------------------------------------------------------------------------------------------
  // The archive

  private static Contents read(Path file, boolean strict) {
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw new UnsupportedOperationException(
          "reading torch checkpoints assumes a little-endian platform; this one is "
              + ByteOrder.nativeOrder());
    }
    checkReadable(file);
    try (ZipFile zip = openZip(file)) {
      String prefix = prefix(file, zip);
      ByteOrder order = byteOrder(file, zip, prefix);
      ZipEntry pklEntry = zip.getEntry(prefix + "data.pkl");
      byte[] pkl = readEntry(file, zip, pklEntry);
      Object root = new Unpickler(file, pkl).load();
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
      Map<String, Object> leaves = new LinkedHashMap<>();
      Map<String, String> skipped = new LinkedHashMap<>();
      flatten(file, "", dict, leaves, skipped, 0);
      if (strict && !skipped.isEmpty()) {
        Map.Entry<String, String> first = skipped.entrySet().iterator().next();
        throw new CheckpointException(
            file,
            file
                + ": key '"
                + first.getKey()
                + "' holds "
                + first.getValue()
                + ", not a tensor or a number"
                + (skipped.size() > 1
                    ? " (and "
                        + (skipped.size() - 1)
                        + " more such keys: "
                        + String.join(", ", skipped.keySet())
                        + ")"
                    : "")
                + "; use TorchCheckpoint.load to skip such values, or save only tensors");
      }
      Map<String, Tensor> out = new LinkedHashMap<>();
      boolean done = false;
      try {
        for (Map.Entry<String, Object> e : leaves.entrySet()) {
          out.put(e.getKey(), materialize(file, zip, prefix, order, e.getKey(), e.getValue()));
        }
        done = true;
      } finally {
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
    String text = new String(readEntry(file, zip, e), StandardCharsets.US_ASCII).trim();
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

  private static byte[] readEntry(Path file, ZipFile zip, ZipEntry e) {
    long size = e.getSize();
    if (size > Integer.MAX_VALUE - 16) {
      throw new CheckpointException(
          file,
          file
              + ": entry "
              + e.getName()
              + " has "
              + size
              + " bytes, too many for "
              + "a pickle or record; the file is corrupt or not a state dict");
    }
    try (InputStream in = zip.getInputStream(e)) {
      byte[] bytes = in.readAllBytes();
      if (size >= 0 && bytes.length != size) {
        throw new CheckpointException(
            file,
            file
                + ": entry "
                + e.getName()
                + " holds "
                + bytes.length
                + " bytes but the zip directory says "
                + size
                + "; the file is truncated or corrupt");
      }
      return bytes;
    } catch (IOException ex) {
      throw corruptEntry(file, e, ex);
    }
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

  private static void flatten(
      Path file,
      String key,
      Object value,
      Map<String, Object> leaves,
      Map<String, String> skipped,
      int depth) {
    if (depth > MAX_DEPTH) {
      throw new CheckpointException(
          file,
          file
              + ": containers nest deeper than "
              + MAX_DEPTH
              + " levels at key '"
              + key
              + "' (or refer to themselves); a state dict is one level deep, so the file is not one");
    }
    if (value instanceof PyDict d) {
      for (Map.Entry<Object, Object> e : d.items.entrySet()) {
        flatten(file, join(key, keyName(e.getKey())), e.getValue(), leaves, skipped, depth + 1);
      }
    } else if (value instanceof PyList l) {
      for (int i = 0; i < l.items.size(); i++) {
        flatten(file, join(key, Integer.toString(i)), l.items.get(i), leaves, skipped, depth + 1);
      }
    } else if (value instanceof PyTuple t) {
      for (int i = 0; i < t.items.size(); i++) {
        flatten(file, join(key, Integer.toString(i)), t.items.get(i), leaves, skipped, depth + 1);
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
              + key
              + "' holds the integer "
              + b
              + ", outside the int64 range of a Long tensor; save it as a tensor or a float instead");
    } else {
      if (leaves.containsKey(key) || skipped.containsKey(key)) {
        throw duplicate(file, key);
      }
      skipped.put(key, describe(value));
    }
  }

  private static CheckpointException duplicate(Path file, String key) {
    return new CheckpointException(
        file,
        file
            + ": key '"
            + key
            + "' occurs twice once nested containers are "
            + "flattened with dots (e.g. {'a.b': x, 'a': {'b': y}}); rename one of them before saving");
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

  private static Tensor materialize(
      Path file, ZipFile zip, String prefix, ByteOrder order, String key, Object v) {
    try (PointerScope scope = new PointerScope()) {
      Tensor t;
      if (v instanceof TensorRef ref) {
        t = tensor(file, zip, prefix, order, key, ref);
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

  /** Must run inside a scope: the storage tensor and the view belong to it. */
  private static Tensor tensor(
      Path file, ZipFile zip, String prefix, ByteOrder order, String key, TensorRef ref) {
    Storage s = ref.storage;
    String name = prefix + "data/" + s.key;
    ZipEntry entry = zip.getEntry(name);
    if (entry == null) {
      throw new CheckpointException(
          file,
          file
              + ": tensor '"
              + key
              + "' uses storage "
              + name
              + ", which is missing from the archive; the file is truncated or corrupt");
    }
    long nbytes = s.numel * s.dtype.itemBytes;
    long have = entry.getSize();
    if (have != nbytes) {
      throw new CheckpointException(
          file,
          file
              + ": storage "
              + name
              + " of tensor '"
              + key
              + "' holds "
              + have
              + " bytes but "
              + s.dtype.className
              + " of "
              + s.numel
              + " elements needs "
              + nbytes
              + "; the file is "
              + (have >= 0 && have < nbytes ? "truncated" : "corrupt")
              + ": download or copy it again");
    }
    Tensor storage =
        torch.empty(
            new long[] {s.numel},
            new TensorOptions(s.dtype.scalarType),
            new MemoryFormatOptional());
    if (nbytes > 0) {
      BytePointer data = new BytePointer(storage.data_ptr()).capacity(nbytes);
      byte[] chunk = new byte[(int) Math.min(CHUNK_BYTES, nbytes)];
      boolean swap = order == ByteOrder.BIG_ENDIAN && s.dtype.itemBytes > 1;
      try (InputStream in = zip.getInputStream(entry)) {
        for (long at = 0; at < nbytes; at += chunk.length) {
          int len = (int) Math.min(chunk.length, nbytes - at);
          int got = in.readNBytes(chunk, 0, len);
          if (got < len) {
            throw new CheckpointException(
                file,
                file
                    + ": storage "
                    + name
                    + " of tensor '"
                    + key
                    + "' ends after "
                    + (at + got)
                    + " of "
                    + nbytes
                    + " bytes; the file is truncated: download or copy it again");
          }
          if (swap) {
            swapBytes(chunk, len, s.dtype.itemBytes);
          }
          if (s.dtype == StorageDtype.BOOL) {
            for (int i = 0; i < len; i++) {
              if (chunk[i] != 0 && chunk[i] != 1) {
                throw new CheckpointException(
                    file,
                    file
                        + ": storage "
                        + name
                        + " of Bool tensor '"
                        + key
                        + "' holds the byte "
                        + (chunk[i] & 0xff)
                        + " at element "
                        + (at + i)
                        + "; booleans must be 0 "
                        + "or 1 (corrupt file)");
              }
            }
          }
          data.position(at).put(chunk, 0, len);
        }
      } catch (IOException ex) {
        throw corruptEntry(file, entry, ex);
      }
    }
    Tensor view = storage.as_strided(ref.size, ref.stride, new LongOptional(ref.offset));
    return view.clone(new MemoryFormatOptional(torch.MemoryFormat.Contiguous));
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

  private record TensorRef(Storage storage, long offset, long[] size, long[] stride) {}

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

    Unpickler(Path file, byte[] b) {
      this.file = file;
      this.b = b;
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
          case '(' -> marks.add(stack.size()); // MARK
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
