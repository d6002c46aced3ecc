package dev.sonus.tensor;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1-3, C order, little-endian), so that
 * arrays can be exchanged with numpy and PyTorch users.
 *
 * <p>Supported element types: {@code <f4} (float32), {@code <f8} (float64), {@code <i8} (int64) for
 * reading and writing; {@code <i4}, {@code <i2}, {@code |u1}, {@code |i1} and {@code |b1} are also
 * read.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']+)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  /**
   * An array read from a {@code .npy} file: its dtype as written in the header, its shape, and its
   * raw little-endian bytes.
   */
  public record Array(String dtype, long[] shape, ByteBuffer data) {

    /** Number of elements. */
    public long numel() {
      long n = 1;
      for (long s : shape) {
        n *= s;
      }
      return n;
    }

    /** The values converted to float. */
    public float[] floats() {
      int n = Math.toIntExact(numel());
      float[] out = new float[n];
      ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
      switch (dtype) {
        case "<f4" -> b.asFloatBuffer().get(out);
        default -> {
          double[] d = doubles();
          for (int i = 0; i < n; i++) {
            out[i] = (float) d[i];
          }
        }
      }
      return out;
    }

    /** The values converted to double. */
    public double[] doubles() {
      int n = Math.toIntExact(numel());
      double[] out = new double[n];
      ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i++) {
        out[i] =
            switch (dtype) {
              case "<f4" -> b.getFloat();
              case "<f8" -> b.getDouble();
              case "<i8" -> b.getLong();
              case "<i4" -> b.getInt();
              case "<i2" -> b.getShort();
              case "|u1" -> b.get() & 0xff;
              case "|i1", "|b1" -> b.get();
              default -> throw new IllegalStateException("unreachable dtype " + dtype);
            };
      }
      return out;
    }

    /** The values converted to long (floats are truncated toward zero). */
    public long[] longs() {
      int n = Math.toIntExact(numel());
      long[] out = new long[n];
      if (dtype.equals("<i8")) {
        data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
        return out;
      }
      double[] d = doubles();
      for (int i = 0; i < n; i++) {
        out[i] = (long) d[i];
      }
      return out;
    }

    /**
     * A tensor of the same shape: float32 for {@code <f4}, float64 for {@code <f8}, int64 for
     * integers.
     */
    public Tensor toTensor() {
      return switch (dtype) {
        case "<f4" -> Tensors.fromFloats(floats(), shape);
        case "<f8" -> Tensors.fromDoubles(doubles(), shape);
        default -> Tensors.fromLongs(longs(), shape);
      };
    }

    @Override
    public String toString() {
      return "Npy.Array(" + dtype + ", " + Arrays.toString(shape) + ")";
    }
  }

  /**
   * Reads a {@code .npy} file.
   *
   * @throws UncheckedIOException naming the path if the file is missing, truncated, big-endian or
   *     of an unsupported dtype (Fortran-order files are read and reordered to C order)
   */
  public static Array read(Path path) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException(path + ": no such file", e);
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": cannot read: " + e.getMessage(), e);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
      throw bad(path, "not a .npy file (no \\x93NUMPY magic at the start)");
    }
    int major = bytes[6];
    long headerLen;
    int offset;
    if (major == 1) {
      headerLen = b.getShort(8) & 0xffff;
      offset = 10;
    } else if (major == 2 || major == 3) {
      if (bytes.length < 12) {
        throw bad(path, "truncated header");
      }
      headerLen = b.getInt(8) & 0xffffffffL;
      offset = 12;
    } else {
      throw bad(path, "npy format version " + major + " is not supported (1, 2 and 3 are)");
    }
    if (offset + headerLen > bytes.length) {
      throw bad(
          path, "header declares " + headerLen + " bytes but the file has only " + bytes.length);
    }
    String header =
        new String(
            bytes,
            offset,
            (int) headerLen,
            major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    String dtype = group(path, DESCR, header, "descr");
    boolean fortran = group(path, FORTRAN, header, "fortran_order").equals("True");
    int itemSize =
        switch (dtype) {
          case "<f4", "<i4" -> 4;
          case "<f8", "<i8" -> 8;
          case "<i2" -> 2;
          case "|u1", "|i1", "|b1" -> 1;
          default ->
              throw bad(
                  path,
                  "dtype '"
                      + dtype
                      + "' is not supported; expected one of <f4, <f8, <i8, <i4, <i2, |u1, |i1, |b1 (little-endian)");
        };
    String shapeText = group(path, SHAPE, header, "shape").trim();
    long[] shape;
    try {
      shape =
          shapeText.isEmpty()
              ? new long[0]
              : Arrays.stream(shapeText.split(","))
                  .map(String::trim)
                  .filter(s -> !s.isEmpty())
                  .mapToLong(Long::parseLong)
                  .toArray();
    } catch (NumberFormatException e) {
      throw bad(path, "header has a malformed shape (" + shapeText + ")");
    }
    long n = 1;
    long need;
    try {
      for (long s : shape) {
        if (s < 0) {
          throw bad(path, "header has a negative size in shape (" + shapeText + ")");
        }
        n = Math.multiplyExact(n, s);
      }
      need = Math.multiplyExact(n, itemSize);
    } catch (ArithmeticException e) {
      throw bad(path, "shape (" + shapeText + ") is too large (corrupt header)");
    }
    long dataStart = offset + headerLen;
    if (bytes.length - dataStart < need) {
      throw bad(
          path,
          String.format(
              "truncated: shape %s of %s needs %d data bytes but only %d remain",
              Arrays.toString(shape), dtype, need, bytes.length - dataStart));
    }
    ByteBuffer data =
        ByteBuffer.wrap(bytes, (int) dataStart, (int) need).slice().order(ByteOrder.LITTLE_ENDIAN);
    return new Array(dtype, shape, fortran ? toCOrder(data, shape, itemSize) : data);
  }

  /** Writes a float32 array of the given shape. */
  public static void write(Path path, float[] data, long... shape) {
    ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(data);
    write(path, "<f4", checkShape(data.length, shape), b.array());
  }

  /** Writes a float64 array of the given shape. */
  public static void write(Path path, double[] data, long... shape) {
    ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asDoubleBuffer().put(data);
    write(path, "<f8", checkShape(data.length, shape), b.array());
  }

  /** Writes an int64 array of the given shape. */
  public static void write(Path path, long[] data, long... shape) {
    ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(data);
    write(path, "<i8", checkShape(data.length, shape), b.array());
  }

  /**
   * Writes a tensor: float32 as {@code <f4}, float64 as {@code <f8}, any integer type as {@code
   * <i8}.
   *
   * @throws IllegalArgumentException for other element types (half, complex, bool)
   */
  public static void write(Path path, Tensor tensor) {
    long[] shape = Tensors.shape(tensor);
    ScalarType type = Tensors.dtype(tensor);
    switch (type) {
      case Float -> write(path, Tensors.toFloats(tensor), shape);
      case Double -> write(path, Tensors.toDoubles(tensor), shape);
      case Long, Int, Short, Byte, Char -> write(path, Tensors.toLongs(tensor), shape);
      default ->
          throw new IllegalArgumentException(
              "cannot write a tensor of type "
                  + type
                  + " to "
                  + path
                  + "; convert it to float32, float64 or int64 first");
    }
  }

  private static void write(Path path, String dtype, long[] shape, byte[] data) {
    StringBuilder dims = new StringBuilder();
    for (long s : shape) {
      dims.append(s).append(", ");
    }
    String shapeText =
        shape.length == 1
            ? shape[0] + ","
            : dims.length() == 0 ? "" : dims.substring(0, dims.length() - 2);
    String dict =
        "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': (" + shapeText + "), }";
    // Pad so that the data starts on a 64-byte boundary, as numpy does; the header ends with a
    // newline.
    int total = MAGIC.length + 2 + 2 + dict.length() + 1;
    int pad = (64 - total % 64) % 64;
    String header = dict + " ".repeat(pad) + "\n";
    AtomicFiles.write(
        path,
        out -> {
          DataOutputStream d = new DataOutputStream(out);
          d.write(MAGIC);
          d.writeByte(1);
          d.writeByte(0);
          int len = header.length();
          d.writeByte(len & 0xff);
          d.writeByte((len >> 8) & 0xff);
          d.write(header.getBytes(StandardCharsets.ISO_8859_1));
          d.write(data);
          d.flush();
        });
  }

  /** Reorders column-major (Fortran) element bytes into row-major (C) order. */
  private static ByteBuffer toCOrder(ByteBuffer src, long[] shape, int itemSize) {
    int n = src.remaining() / itemSize;
    byte[] out = new byte[src.remaining()];
    int dims = shape.length;
    int[] index = new int[dims];
    for (int c = 0; c < n; c++) {
      // c walks C order; compute the same element's position in Fortran order.
      int f = 0;
      int stride = 1;
      for (int d = 0; d < dims; d++) {
        f += index[d] * stride;
        stride *= (int) shape[d];
      }
      src.get(f * itemSize + src.position(), out, c * itemSize, itemSize);
      for (int d = dims - 1; d >= 0; d--) {
        if (++index[d] < shape[d]) {
          break;
        }
        index[d] = 0;
      }
    }
    return ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static long[] checkShape(int length, long[] shape) {
    if (shape.length == 0) {
      return new long[] {length};
    }
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    if (n != length) {
      throw new IllegalArgumentException(
          String.format(
              "shape %s holds %d values but %d were given", Arrays.toString(shape), n, length));
    }
    return shape;
  }

  private static String group(Path path, Pattern p, String header, String key) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw bad(path, "header has no '" + key + "' entry: " + header.trim());
    }
    return m.group(1);
  }

  private static UncheckedIOException bad(Path path, String problem) {
    // Pass the message explicitly: UncheckedIOException(cause) alone would prefix it with
    // "java.io.IOException: ".
    String message = path + ": " + problem;
    return new UncheckedIOException(message, new IOException(message));
  }
}
