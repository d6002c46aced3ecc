package dev.sonus.tensor;

import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Conversions between Java arrays and libtorch tensors (CPU), and readable descriptions of tensors.
 *
 * <p>Every method that makes temporaries is safe inside a caller's {@code PointerScope}: the
 * tensors it returns are attached to that scope like any other.
 */
public final class Tensors {
  static {
    Natives.load();
  }

  private Tensors() {}

  /** Creates a float32 tensor holding a copy of {@code data}, viewed with {@code shape}. */
  public static Tensor fromFloats(float[] data, long... shape) {
    checkNumel(data.length, shape);
    // Tensor.create would leave its TensorOptions and indexer to the garbage collector (data loader
    // threads
    // have no PointerScope); allocate and fill inside a scope instead.
    Tensor t;
    try (PointerScope scope = new PointerScope()) {
      t =
          torch.empty(
              shape.length == 0 ? new long[] {data.length} : shape,
              new org.bytedeco.pytorch.TensorOptions(ScalarType.Float),
              null);
      if (data.length > 0) {
        t.data_ptr_float().put(data);
      }
      t.retainReference();
    }
    return Scopes.intoCurrentScope(t);
  }

  /** Creates a float64 tensor holding a copy of {@code data}, viewed with {@code shape}. */
  public static Tensor fromDoubles(double[] data, long... shape) {
    checkNumel(data.length, shape);
    return Tensor.create(data, shape.length == 0 ? new long[] {data.length} : shape);
  }

  /** Creates an int64 tensor holding a copy of {@code data}, viewed with {@code shape}. */
  public static Tensor fromLongs(long[] data, long... shape) {
    checkNumel(data.length, shape);
    Tensor t;
    try (PointerScope scope = new PointerScope()) {
      t =
          torch.empty(
              shape.length == 0 ? new long[] {data.length} : shape,
              new org.bytedeco.pytorch.TensorOptions(ScalarType.Long),
              null);
      if (data.length > 0) {
        t.data_ptr_long().put(data);
      }
      t.retainReference();
    }
    return Scopes.intoCurrentScope(t);
  }

  /**
   * Stacks equal-length rows into a {@code [rows, cols]} float32 tensor.
   *
   * @throws IllegalArgumentException if the rows differ in length
   */
  public static Tensor fromRows(float[][] rows) {
    if (rows.length == 0) {
      throw new IllegalArgumentException("cannot make a tensor from 0 rows");
    }
    int cols = rows[0].length;
    float[] flat = new float[rows.length * cols];
    for (int r = 0; r < rows.length; r++) {
      if (rows[r].length != cols) {
        throw new IllegalArgumentException(
            "row " + r + " has " + rows[r].length + " values but row 0 has " + cols);
      }
      System.arraycopy(rows[r], 0, flat, r * cols, cols);
    }
    return Tensor.create(flat, rows.length, cols);
  }

  /**
   * The rows of a 2-D tensor, or of a 3-D one with a leading axis of 1 ({@code [1, N, D]}), as
   * {@code float[N][D]}; the inverse of {@link #fromRows}.
   *
   * @throws IllegalArgumentException for any other shape
   */
  public static float[][] toRows(Tensor t) {
    long[] shape = shape(t);
    boolean batchOfOne = shape.length == 3 && shape[0] == 1;
    if (shape.length != 2 && !batchOfOne) {
      throw new IllegalArgumentException(
          "expected a [N, D] or [1, N, D] tensor, got " + shapeString(t));
    }
    int n = Math.toIntExact(shape[shape.length - 2]);
    int d = Math.toIntExact(shape[shape.length - 1]);
    float[] flat = toFloats(t);
    float[][] out = new float[n][d];
    for (int r = 0; r < n; r++) {
      System.arraycopy(flat, r * d, out[r], 0, d);
    }
    return out;
  }

  /** Copies a tensor of any type, layout or device into a float array (C order). */
  public static float[] toFloats(Tensor t) {
    try (PointerScope scope = new PointerScope()) {
      Tensor c = cpuContiguous(t, ScalarType.Float);
      float[] out = new float[Math.toIntExact(c.numel())];
      if (out.length > 0) {
        c.data_ptr_float().get(out);
      }
      return out;
    }
  }

  /** Copies a tensor into a double array (C order), converting its values to float64. */
  public static double[] toDoubles(Tensor t) {
    try (PointerScope scope = new PointerScope()) {
      Tensor c = cpuContiguous(t, ScalarType.Double);
      double[] out = new double[Math.toIntExact(c.numel())];
      if (out.length > 0) {
        c.data_ptr_double().get(out);
      }
      return out;
    }
  }

  /** Copies a tensor into a long array (C order), converting its values to int64. */
  public static long[] toLongs(Tensor t) {
    try (PointerScope scope = new PointerScope()) {
      Tensor c = cpuContiguous(t, ScalarType.Long);
      long[] out = new long[Math.toIntExact(c.numel())];
      if (out.length > 0) {
        c.data_ptr_long().get(out);
      }
      return out;
    }
  }

  /**
   * The tensor's element type as a constant that {@code ==} and {@code switch} recognise.
   *
   * <p>{@code Tensor.scalar_type()} returns an enum object made from the native value: it prints as
   * {@code Float} but is not the {@code ScalarType.Float} constant (its ordinal is wrong), so
   * comparing it directly fails silently. Always go through this method.
   */
  public static ScalarType dtype(Tensor t) {
    int value = t.scalar_type().value;
    for (ScalarType s : ScalarType.values()) {
      if (s.value == value) {
        return s;
      }
    }
    throw new IllegalStateException("unknown libtorch scalar type value " + value);
  }

  /** The tensor's sizes as a Java array. */
  public static long[] shape(Tensor t) {
    long[] out = new long[(int) t.dim()];
    for (int i = 0; i < out.length; i++) {
      out[i] = t.size(i);
    }
    return out;
  }

  /** The sizes as {@code [2, 65, 40]}, for error messages. */
  public static String shapeString(Tensor t) {
    return Arrays.toString(shape(t));
  }

  /** A short description, {@code Tensor(Float, [2, 65, 40])}, never a native address. */
  public static String describe(Tensor t) {
    return "Tensor(" + dtype(t) + ", " + shapeString(t) + ")";
  }

  /** Must be called inside a scope: the intermediate tensors belong to it. */
  private static Tensor cpuContiguous(Tensor t, ScalarType type) {
    return t.to(new Device(torch.DeviceType.CPU), type).contiguous();
  }

  private static void checkNumel(int length, long[] shape) {
    long n = 1;
    for (long s : shape) {
      if (s < 0) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(shape) + " has a negative size");
      }
      n *= s;
    }
    if (shape.length > 0 && n != length) {
      throw new IllegalArgumentException(
          String.format(
              "shape %s holds %d values but %d were given", Arrays.toString(shape), n, length));
    }
  }
}
