package dev.sonus.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests {@link Npy} against its own writer and against files built byte by byte here the way numpy
 * lays them out ({@code \x93NUMPY}, version, header length, a Python dict literal padded with
 * spaces to a 64-byte boundary and ending in a newline, then the raw little-endian elements).
 */
final class NpyTest {

  @TempDir Path tmp;

  // ---------------------------------------------------------------------------------------------------------------
  // Round trips through our writer

  @Test
  void roundTripsFloat32In1d2dAnd3dShapes() throws IOException {
    float[] values = new float[24];
    for (int i = 0; i < values.length; i++) {
      values[i] = (i - 7) * 0.37f;
    }
    values[3] = -0f;
    values[5] = Float.NaN;
    values[6] = Float.NEGATIVE_INFINITY;
    values[7] = Float.MIN_VALUE;
    for (long[] shape : new long[][] {{24}, {4, 6}, {2, 3, 4}}) {
      Path file = tmp.resolve("f4-" + shape.length + "d.npy");

      Npy.write(file, values, shape);
      Npy.Array array = Npy.read(file);

      assertEquals("<f4", array.dtype());
      assertArrayEquals(shape, array.shape());
      assertEquals(24, array.numel());
      assertArrayEquals(values, array.floats());
      assertHeader(file, "<f4", shape);
    }
  }

  @Test
  void roundTripsFloat64In1d2dAnd3dShapes() throws IOException {
    double[] values = new double[30];
    for (int i = 0; i < values.length; i++) {
      values[i] = Math.PI * (i - 11) / 7;
    }
    values[0] = Double.MAX_VALUE;
    values[1] = -Double.MIN_VALUE;
    for (long[] shape : new long[][] {{30}, {5, 6}, {2, 5, 3}}) {
      Path file = tmp.resolve("f8-" + shape.length + "d.npy");

      Npy.write(file, values, shape);
      Npy.Array array = Npy.read(file);

      assertEquals("<f8", array.dtype());
      assertArrayEquals(shape, array.shape());
      assertArrayEquals(values, array.doubles());
      assertHeader(file, "<f8", shape);
    }
  }

  @Test
  void roundTripsInt64In1d2dAnd3dShapes() throws IOException {
    long[] values = {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1, 1, 1L << 53 | 1, -(1L << 40), 42};
    for (long[] shape : new long[][] {{8}, {2, 4}, {2, 2, 2}}) {
      Path file = tmp.resolve("i8-" + shape.length + "d.npy");

      Npy.write(file, values, shape);
      Npy.Array array = Npy.read(file);

      assertEquals("<i8", array.dtype());
      assertArrayEquals(shape, array.shape());
      assertArrayEquals(values, array.longs());
      assertHeader(file, "<i8", shape);
    }
  }

  @Test
  void writingWithoutAShapeWritesAFlatArray() {
    Path file = tmp.resolve("flat.npy");

    Npy.write(file, new float[] {1f, 2f, 3f});

    assertArrayEquals(new long[] {3}, Npy.read(file).shape());
  }

  /**
   * The writer cannot produce a 0-d array: its shape is a varargs parameter, and an empty shape
   * means "flat", so {@code write(path, {x}, new long[0])} writes shape {@code (1,)}. The value
   * survives; only the rank differs. The reader does accept 0-d files (shape {@code ()}, one
   * element) made by numpy.
   */
  @Test
  void emptyShapeOnWriteMeansFlatSoAScalarIsWrittenWithShapeOne() throws IOException {
    Path file = tmp.resolve("scalar.npy");

    Npy.write(file, new float[] {2.5f}, new long[0]);

    Npy.Array array = Npy.read(file);
    assertArrayEquals(new long[] {1}, array.shape());
    assertArrayEquals(new float[] {2.5f}, array.floats());
    assertHeader(file, "<f4", 1);
  }

  @Test
  void readsA0dArrayWrittenByNumpy() throws IOException {
    Path file =
        write(
            "0d.npy",
            npy(
                1,
                "{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
                le(8).putDouble(-3.25)));

    Npy.Array array = Npy.read(file);

    assertArrayEquals(new long[0], array.shape());
    assertEquals(1, array.numel());
    assertArrayEquals(new double[] {-3.25}, array.doubles());
  }

  @Test
  void roundTripsEmptyArrays() {
    Path flat = tmp.resolve("empty.npy");
    Npy.write(flat, new float[0], 0);
    assertArrayEquals(new long[] {0}, Npy.read(flat).shape());
    assertEquals(0, Npy.read(flat).floats().length);

    Path rows = tmp.resolve("empty-rows.npy");
    Npy.write(rows, new long[0], 3, 0);
    assertArrayEquals(new long[] {3, 0}, Npy.read(rows).shape());
    assertEquals(0, Npy.read(rows).longs().length);
  }

  @Test
  void writingRejectsAShapeThatDoesNotMatchTheData() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Npy.write(tmp.resolve("bad.npy"), new float[5], 2, 3));

    assertTrue(
        e.getMessage().contains("shape [2, 3] holds 6 values but 5 were given"), e::getMessage);
  }

  @Test
  void writingReplacesAnExistingFileAndCreatesParentFolders() {
    Path file = tmp.resolve("a/b/x.npy");
    Npy.write(file, new double[] {1, 2, 3, 4}, 2, 2);

    Npy.write(file, new long[] {9}, 1);

    assertEquals("<i8", Npy.read(file).dtype());
    assertArrayEquals(new long[] {9}, Npy.read(file).longs());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Reading files laid out by hand

  @Test
  void readsFortranOrder2x3Float32AsCOrderValues() throws IOException {
    // C order [[1, 2, 3], [4, 5, 6]] stored column by column: 1 4 2 5 3 6.
    ByteBuffer data = le(24);
    for (float v : new float[] {1, 4, 2, 5, 3, 6}) {
      data.putFloat(v);
    }
    Path file =
        write(
            "fortran.npy",
            npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", data));

    Npy.Array array = Npy.read(file);

    assertArrayEquals(new long[] {2, 3}, array.shape());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, array.floats());
  }

  @Test
  void readsFortranOrder3dInt64AsCOrderValues() throws IOException {
    long[] shape = {2, 3, 4};
    ByteBuffer data = le(24 * 8);
    // Element (i, j, k) has value 100i + 10j + k and sits at Fortran offset i + 2j + 6k.
    long[] fortran = new long[24];
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 4; k++) {
          fortran[i + 2 * j + 6 * k] = 100L * i + 10L * j + k;
        }
      }
    }
    for (long v : fortran) {
      data.putLong(v);
    }
    Path file =
        write(
            "fortran3d.npy",
            npy(1, "{'descr': '<i8', 'fortran_order': True, 'shape': (2, 3, 4), }", data));

    Npy.Array array = Npy.read(file);

    long[] expected = new long[24];
    for (int c = 0; c < 24; c++) {
      expected[c] = 100L * (c / 12) + 10L * (c / 4 % 3) + c % 4;
    }
    assertArrayEquals(shape, array.shape());
    assertArrayEquals(expected, array.longs());
  }

  @Test
  void readsInt32() throws IOException {
    ByteBuffer data =
        le(16).putInt(Integer.MIN_VALUE).putInt(-1).putInt(0).putInt(Integer.MAX_VALUE);
    Path file =
        write(
            "i4.npy", npy(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", data));

    Npy.Array array = Npy.read(file);

    assertEquals("<i4", array.dtype());
    assertArrayEquals(new long[] {2, 2}, array.shape());
    assertArrayEquals(new long[] {Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE}, array.longs());
    assertArrayEquals(new double[] {Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE}, array.doubles());
  }

  @Test
  void readsUnsignedBytesAsZeroTo255() throws IOException {
    ByteBuffer data = ByteBuffer.wrap(new byte[] {0, 1, 127, (byte) 128, (byte) 255});
    Path file =
        write("u1.npy", npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (5,), }", data));

    Npy.Array array = Npy.read(file);

    assertEquals("|u1", array.dtype());
    assertArrayEquals(new long[] {0, 1, 127, 128, 255}, array.longs());
    assertArrayEquals(new float[] {0, 1, 127, 128, 255}, array.floats());
  }

  @Test
  void readsBooleansAsZeroAndOne() throws IOException {
    ByteBuffer data = ByteBuffer.wrap(new byte[] {1, 0, 0, 1});
    Path file =
        write("b1.npy", npy(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (4,), }", data));

    Npy.Array array = Npy.read(file);

    assertEquals("|b1", array.dtype());
    assertArrayEquals(new long[] {1, 0, 0, 1}, array.longs());
  }

  @Test
  void readsInt16AndSignedBytes() throws IOException {
    Path i2 =
        write(
            "i2.npy",
            npy(
                1,
                "{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }",
                le(4).putShort((short) -32768).putShort((short) 300)));
    Path i1 =
        write(
            "i1.npy",
            npy(
                1,
                "{'descr': '|i1', 'fortran_order': False, 'shape': (2,), }",
                ByteBuffer.wrap(new byte[] {-128, 127})));

    assertArrayEquals(new long[] {-32768, 300}, Npy.read(i2).longs());
    assertArrayEquals(new long[] {-128, 127}, Npy.read(i1).longs());
  }

  @Test
  void readsFormatVersion2Header() throws IOException {
    ByteBuffer data = le(12).putFloat(0.5f).putFloat(-2f).putFloat(8f);
    Path file =
        write(
            "v2.npy", npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 1), }", data));

    Npy.Array array = Npy.read(file);

    assertArrayEquals(new long[] {3, 1}, array.shape());
    assertArrayEquals(new float[] {0.5f, -2f, 8f}, array.floats());
  }

  @Test
  void readsFormatVersion3HeaderInUtf8() throws IOException {
    ByteBuffer data = le(8).putLong(-5);
    Path file =
        write("v3.npy", npy(3, "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", data));

    assertArrayEquals(new long[] {-5}, Npy.read(file).longs());
  }

  @Test
  void readsHeaderKeysInAnyOrderWithoutTrailingComma() throws IOException {
    ByteBuffer data = le(8).putFloat(1f).putFloat(2f);
    Path file =
        write(
            "order.npy", npy(1, "{'shape': (1, 2), 'fortran_order': False, 'descr': '<f4'}", data));

    Npy.Array array = Npy.read(file);

    assertArrayEquals(new long[] {1, 2}, array.shape());
    assertArrayEquals(new float[] {1f, 2f}, array.floats());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Errors: each names the file and the problem

  @Test
  void rejectsAFileThatIsNotNpy() throws IOException {
    Path text = write("notes.npy", "hello, this is text\n".getBytes(StandardCharsets.US_ASCII));

    assertFails(text, () -> Npy.read(text), "not a .npy file");
  }

  @Test
  void rejectsTruncatedData() throws IOException {
    Path whole = tmp.resolve("whole.npy");
    Npy.write(whole, new float[6], 2, 3);
    byte[] bytes = Files.readAllBytes(whole);
    Path cut = write("cut.npy", Arrays.copyOf(bytes, bytes.length - 5));

    assertFails(
        cut,
        () -> Npy.read(cut),
        "truncated",
        "[2, 3]",
        "<f4",
        "needs 24 data bytes but only 19 remain");
  }

  @Test
  void rejectsTruncatedHeader() throws IOException {
    Path whole = tmp.resolve("whole.npy");
    Npy.write(whole, new float[6], 2, 3);
    Path cut = write("cut.npy", Arrays.copyOf(Files.readAllBytes(whole), 40));

    assertFails(cut, () -> Npy.read(cut), "header declares 118 bytes but the file has only 40");
  }

  @Test
  void rejectsBigEndianFloat32AsUnsupportedDtype() throws IOException {
    ByteBuffer data = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putFloat(1f).putFloat(2f);
    Path file =
        write("be.npy", npy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", data));

    assertFails(file, () -> Npy.read(file), "dtype '>f4' is not supported", "little-endian");
  }

  @Test
  void rejectsUnsupportedFormatVersion() throws IOException {
    byte[] bytes = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }", le(0));
    bytes[6] = 4;
    Path file = write("v4.npy", bytes);

    assertFails(file, () -> Npy.read(file), "npy format version 4 is not supported");
  }

  @Test
  void rejectsMalformedShape() throws IOException {
    Path file =
        write(
            "shape.npy",
            npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", le(8)));

    assertFails(file, () -> Npy.read(file), "malformed shape", "2, x");
  }

  @Test
  void rejectsNegativeAndOverflowingShapes() throws IOException {
    Path negative =
        write(
            "negative.npy",
            npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 2), }", le(8)));
    Path huge =
        write(
            "huge.npy",
            npy(
                1,
                "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
                le(8)));

    assertFails(negative, () -> Npy.read(negative), "negative size", "-1, 2");
    assertFails(huge, () -> Npy.read(huge), "too large", "4294967296, 4294967296");
  }

  @Test
  void rejectsMissingFile() {
    Path missing = tmp.resolve("missing.npy");

    assertFails(missing, () -> Npy.read(missing), "no such file");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Tensors

  @Test
  void roundTripsFloat32Tensor() {
    Path file = tmp.resolve("t-f4.npy");
    float[] values = new float[24];
    for (int i = 0; i < values.length; i++) {
      values[i] = i * 0.5f - 3f;
    }
    try (PointerScope scope = new PointerScope()) {
      Npy.write(file, Tensors.fromFloats(values, 2, 3, 4));

      Tensor back = Npy.read(file).toTensor();

      assertEquals(ScalarType.Float, Tensors.dtype(back));
      assertArrayEquals(new long[] {2, 3, 4}, Tensors.shape(back));
      assertArrayEquals(values, Tensors.toFloats(back));
    }
    assertEquals("<f4", Npy.read(file).dtype());
  }

  @Test
  void roundTripsInt64Tensor() {
    Path file = tmp.resolve("t-i8.npy");
    long[] values = {Long.MIN_VALUE, -1, 0, 1, 1L << 60, Long.MAX_VALUE};
    try (PointerScope scope = new PointerScope()) {
      Npy.write(file, Tensors.fromLongs(values, 3, 2));

      Tensor back = Npy.read(file).toTensor();

      assertEquals(ScalarType.Long, Tensors.dtype(back));
      assertArrayEquals(new long[] {3, 2}, Tensors.shape(back));
      assertArrayEquals(values, Tensors.toLongs(back));
    }
    assertEquals("<i8", Npy.read(file).dtype());
  }

  @Test
  void writesANonContiguousTensorInCOrderAndInt32AsInt64() {
    Path transposed = tmp.resolve("transposed.npy");
    Path int32 = tmp.resolve("int32.npy");
    try (PointerScope scope = new PointerScope()) {
      Tensor t =
          Tensors.fromFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)
              .transpose(0, 1); // [[1, 4], [2, 5], [3, 6]]
      Npy.write(transposed, t);
      Npy.write(int32, Tensors.fromLongs(new long[] {-7, 7}, 2).to(ScalarType.Int));
    }

    assertArrayEquals(new long[] {3, 2}, Npy.read(transposed).shape());
    assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, Npy.read(transposed).floats());
    assertEquals("<i8", Npy.read(int32).dtype());
    assertArrayEquals(new long[] {-7, 7}, Npy.read(int32).longs());
  }

  @Test
  void int32FileBecomesAnInt64Tensor() throws IOException {
    Path file =
        write(
            "i4t.npy",
            npy(
                1,
                "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }",
                le(12).putInt(5).putInt(-6).putInt(7)));
    try (PointerScope scope = new PointerScope()) {
      Tensor t = Npy.read(file).toTensor();

      assertEquals(ScalarType.Long, Tensors.dtype(t));
      assertArrayEquals(new long[] {5, -6, 7}, Tensors.toLongs(t));
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Helpers

  /**
   * Checks numpy's layout: data starts at a multiple of 64 bytes, the header ends with '\n', the
   * dict is exact.
   */
  private static void assertHeader(Path file, String dtype, long... shape) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    assertEquals((byte) 0x93, bytes[0]);
    assertEquals("NUMPY", new String(bytes, 1, 5, StandardCharsets.ISO_8859_1));
    assertEquals(1, bytes[6], "major version");
    assertEquals(0, bytes[7], "minor version");
    int headerLen = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
    int dataStart = 10 + headerLen;
    assertEquals(
        0, dataStart % 64, "data must start on a 64-byte boundary; starts at " + dataStart);
    assertEquals('\n', bytes[dataStart - 1], "header must end with a newline");
    String header = new String(bytes, 10, headerLen, StandardCharsets.ISO_8859_1);
    String dims =
        shape.length == 1
            ? shape[0] + ","
            : String.join(", ", Arrays.stream(shape).mapToObj(Long::toString).toList());
    assertEquals(
        "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': (" + dims + "), }",
        header.stripTrailing());
    long numel = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    int itemSize = dtype.equals("<f4") ? 4 : 8;
    assertEquals(dataStart + numel * itemSize, bytes.length, "file size");
  }

  /** A .npy file of format {@code major}.0 laid out as numpy does it. */
  private static byte[] npy(int major, String dict, ByteBuffer data) {
    int prefix = major == 1 ? 10 : 12;
    int unpadded = prefix + dict.length() + 1;
    String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
    byte[] headerBytes =
        header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    byte[] body = data.array();
    ByteBuffer b = le(prefix + headerBytes.length + body.length);
    b.put((byte) 0x93)
        .put("NUMPY".getBytes(StandardCharsets.US_ASCII))
        .put((byte) major)
        .put((byte) 0);
    if (major == 1) {
      b.putShort((short) headerBytes.length);
    } else {
      b.putInt(headerBytes.length);
    }
    b.put(headerBytes).put(body);
    return b.array();
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  private Path write(String fileName, byte[] bytes) throws IOException {
    return Files.write(tmp.resolve(fileName), bytes);
  }

  /**
   * Asserts that {@code call} throws an UncheckedIOException whose message starts with the path and
   * has each fragment.
   */
  private static void assertFails(Path path, Executable call, String... fragments) {
    UncheckedIOException e = assertThrows(UncheckedIOException.class, call);
    String message = e.getMessage();
    assertTrue(
        message.startsWith(path + ": "), () -> "message does not start with the path: " + message);
    for (String fragment : fragments) {
      assertTrue(message.contains(fragment), () -> "message lacks '" + fragment + "': " + message);
    }
  }
}
