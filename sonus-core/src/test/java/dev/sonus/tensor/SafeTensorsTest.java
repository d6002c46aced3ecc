package dev.sonus.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests {@link SafeTensors} against its own writer, against files built byte by byte here from the
 * format's description (8-byte little-endian header length, JSON header padded with spaces,
 * little-endian C-order data), and against every kind of corruption an untrusted file can carry.
 *
 * <p>Cross-check with the reference implementation (not needed by these tests): files written by
 * {@link SafeTensors#write} were loaded with {@code safetensors.numpy.load_file} 0.8.0 (the same
 * Rust parser as {@code safetensors.torch.load_file}) and gave the same values; {@code
 * safetensors.numpy.save_file} of the same arrays with one metadata entry produced a byte-identical
 * file; and files it wrote read back here.
 */
final class SafeTensorsTest {

  @TempDir Path tmp;

  // ---------------------------------------------------------------------------------------------------------------
  // Round trips

  @Test
  void roundTripsEveryDtype() {
    double[] values = {0, 1, -2, 3, 4, 5, -6, 7, 100, 127, -128, 1};
    try (PointerScope scope = new PointerScope()) {
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      for (SafeTensors.Dtype d : SafeTensors.Dtype.values()) {
        double[] v = values.clone();
        if (d == SafeTensors.Dtype.U8) {
          v = v.clone();
          for (int i = 0; i < v.length; i++) {
            v[i] = Math.abs(v[i]);
          }
        }
        tensors.put("t_" + d, Tensors.fromDoubles(v, 3, 4).to(d.scalarType()));
      }
      Path file = tmp.resolve("all.safetensors");

      SafeTensors.write(file, tensors, Map.of());
      Map<String, Tensor> back = SafeTensors.read(file);

      assertEquals(new TreeMap<>(tensors).keySet(), back.keySet());
      for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
        Tensor got = back.get(e.getKey());
        assertEquals(Tensors.dtype(e.getValue()), Tensors.dtype(got), e.getKey());
        assertArrayEquals(new long[] {3, 4}, Tensors.shape(got), e.getKey());
        assertArrayEquals(rawBytes(e.getValue()), rawBytes(got), e.getKey());
        assertArrayEquals(Tensors.toDoubles(e.getValue()), Tensors.toDoubles(got), e.getKey());
      }
      back.values().forEach(Tensor::close);
    }
  }

  @Test
  void roundTripsSpecialFloatValuesBitExactly() {
    float[] f = {
      Float.NaN,
      -0f,
      Float.NEGATIVE_INFINITY,
      Float.POSITIVE_INFINITY,
      Float.MIN_VALUE,
      1e-40f,
      Float.MAX_VALUE,
      0.1f
    };
    try (PointerScope scope = new PointerScope()) {
      Map<String, Tensor> tensors =
          Map.of(
              "f32",
              Tensors.fromFloats(f, 8),
              "f64",
              Tensors.fromDoubles(new double[] {Double.NaN, -0.0, Double.MIN_VALUE, 0.1}, 4),
              "f16",
              Tensors.fromFloats(f, 8).to(ScalarType.Half),
              "bf16",
              Tensors.fromFloats(f, 8).to(ScalarType.BFloat16));
      Path file = tmp.resolve("special.safetensors");

      SafeTensors.write(file, tensors, null);
      Map<String, Tensor> back = SafeTensors.read(file);

      for (String name : tensors.keySet()) {
        assertArrayEquals(rawBytes(tensors.get(name)), rawBytes(back.get(name)), name);
      }
      back.values().forEach(Tensor::close);
    }
  }

  @Test
  void roundTripsScalarEmptyAnd3dShapes() {
    try (PointerScope scope = new PointerScope()) {
      float[] cube = new float[24];
      for (int i = 0; i < cube.length; i++) {
        cube[i] = i * 0.5f - 3;
      }
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      tensors.put("scalar", Tensors.fromFloats(new float[] {3.25f}, 1).squeeze());
      tensors.put("empty", Tensors.fromFloats(new float[0], 0, 3));
      tensors.put("cube", Tensors.fromFloats(cube, 2, 3, 4));
      tensors.put("long_scalar", Tensors.fromLongs(new long[] {-9_000_000_000L}, 1).squeeze());
      tensors.put("empty_bool", Tensors.fromFloats(new float[0], 2, 0).to(ScalarType.Bool));
      Path file = tmp.resolve("shapes.safetensors");

      SafeTensors.write(file, tensors, Map.of());
      Map<String, Tensor> back = SafeTensors.read(file);

      assertEquals(0, back.get("scalar").dim());
      assertArrayEquals(new float[] {3.25f}, Tensors.toFloats(back.get("scalar")));
      assertArrayEquals(new long[] {0, 3}, Tensors.shape(back.get("empty")));
      assertArrayEquals(new long[] {2, 3, 4}, Tensors.shape(back.get("cube")));
      assertArrayEquals(cube, Tensors.toFloats(back.get("cube")));
      assertArrayEquals(new long[] {-9_000_000_000L}, Tensors.toLongs(back.get("long_scalar")));
      assertEquals(ScalarType.Bool, Tensors.dtype(back.get("empty_bool")));
      assertArrayEquals(new long[] {2, 0}, Tensors.shape(back.get("empty_bool")));
      SafeTensors.Entry scalar = SafeTensors.header(file).tensors().get("scalar");
      assertArrayEquals(new long[0], scalar.shape());
      assertEquals(4, scalar.byteCount());
      back.values().forEach(Tensor::close);
    }
  }

  @Test
  void writesNonContiguousTensorsInLogicalCOrder() {
    try (PointerScope scope = new PointerScope()) {
      Tensor m = Tensors.fromFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
      Tensor transposed = m.t(); // [3, 2] view with strides (1, 3)
      Tensor withGrad = Tensors.fromFloats(new float[] {7, 8}, 2).set_requires_grad(true);
      Path file = tmp.resolve("views.safetensors");

      SafeTensors.write(file, Map.of("t", transposed, "g", withGrad), Map.of());
      Map<String, Tensor> back = SafeTensors.read(file);

      assertArrayEquals(new long[] {3, 2}, Tensors.shape(back.get("t")));
      assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, Tensors.toFloats(back.get("t")));
      assertArrayEquals(new float[] {7, 8}, Tensors.toFloats(back.get("g")));
      back.values().forEach(Tensor::close);
    }
  }

  @Test
  void sameInputGivesByteIdenticalFilesWhateverTheMapOrder() throws IOException {
    try (PointerScope scope = new PointerScope()) {
      Map<String, Tensor> a = new LinkedHashMap<>();
      a.put("z.weight", Tensors.fromFloats(new float[] {1, 2, 3, 4}, 2, 2));
      a.put("a.bias", Tensors.fromFloats(new float[] {5, 6}, 2));
      a.put("steps", Tensors.fromLongs(new long[] {42}, 1));
      a.put("mask", Tensors.fromFloats(new float[] {1, 0, 1}, 3).to(ScalarType.Bool));
      a.put("m.half", Tensors.fromFloats(new float[] {0.5f}, 1).to(ScalarType.Half));
      Map<String, Tensor> b = new HashMap<>();
      List<String> names = new ArrayList<>(a.keySet());
      Collections.reverse(names);
      for (String n : names) {
        b.put(n, a.get(n));
      }
      Map<String, String> metaA = new LinkedHashMap<>();
      metaA.put("format", "pt");
      metaA.put("epoch", "3");
      Map<String, String> metaB = new TreeMap<>(Collections.reverseOrder());
      metaB.putAll(metaA);
      Path first = tmp.resolve("a.safetensors");
      Path second = tmp.resolve("b.safetensors");

      SafeTensors.write(first, a, metaA);
      SafeTensors.write(second, b, metaB);

      assertEquals(-1, Files.mismatch(first, second), "the two files differ");
    }
  }

  @Test
  void roundTripsMetadataWithQuotesNewlinesAndUnicode() {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "pt");
    meta.put("recipe", "seed: 1986\nlr: \"0.001\"\t# tab\\backslash");
    meta.put("sprecher", "Zoë 🎙");
    meta.put("empty", "");
    Path file = tmp.resolve("meta.safetensors");
    try (PointerScope scope = new PointerScope()) {
      SafeTensors.write(file, Map.of("x", Tensors.fromFloats(new float[] {1}, 1)), meta);
    }

    assertEquals(new TreeMap<>(meta), SafeTensors.metadata(file));
  }

  @Test
  void fileWithoutMetadataHasEmptyMetadataAndNoMetadataKey() throws IOException {
    Path file = tmp.resolve("nometa.safetensors");
    try (PointerScope scope = new PointerScope()) {
      SafeTensors.write(file, Map.of("x", Tensors.fromFloats(new float[] {1}, 1)), Map.of());
    }

    assertEquals(Map.of(), SafeTensors.metadata(file));
    assertTrue(!headerText(file).contains("__metadata__"), headerText(file));
  }

  @Test
  void writesAnEmptyFileForNoTensors() throws IOException {
    Path file = tmp.resolve("none.safetensors");

    SafeTensors.write(file, Map.of(), Map.of());

    assertEquals("{}      ", headerText(file));
    assertEquals(16, Files.size(file));
    assertEquals(Map.of(), SafeTensors.read(file));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The written layout follows the format exactly

  @Test
  void writesTheHeaderAsTheReferenceImplementationDoes() throws IOException {
    Path file = tmp.resolve("layout.safetensors");
    try (PointerScope scope = new PointerScope()) {
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      tensors.put("b", Tensors.fromFloats(new float[] {1.5f, -2f}, 2));
      tensors.put("a", Tensors.fromFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
      tensors.put("flag", Tensors.fromFloats(new float[] {1, 0, 1}, 3).to(ScalarType.Bool));
      tensors.put("count", Tensors.fromLongs(new long[] {7}, 1));
      SafeTensors.write(file, tensors, Map.of("format", "pt"));
    }
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long n = b.getLong(0);

    // Compact JSON, metadata first, then the data order: decreasing alignment (I64, F32, BOOL),
    // then name.
    String json =
        "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"count\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[8,32]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[32,40]},"
            + "\"flag\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[40,43]}}";
    assertEquals((json.length() + 7L) / 8 * 8, n, "header length padded to a multiple of 8");
    assertEquals(json + " ".repeat((int) n - json.length()), headerText(file));
    assertEquals(8 + n + 43, bytes.length);
    int data = (int) (8 + n);
    assertEquals(7L, b.getLong(data));
    assertEquals(1f, b.getFloat(data + 8));
    assertEquals(6f, b.getFloat(data + 28));
    assertEquals(1.5f, b.getFloat(data + 32));
    assertEquals(-2f, b.getFloat(data + 36));
    assertArrayEquals(
        new byte[] {1, 0, 1}, java.util.Arrays.copyOfRange(bytes, data + 40, data + 43));
  }

  @Test
  void alignsEveryTensorToItsElementSize() {
    Path file = tmp.resolve("aligned.safetensors");
    try (PointerScope scope = new PointerScope()) {
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      tensors.put("a_u8", Tensors.fromFloats(new float[] {1, 2, 3}, 3).to(ScalarType.Byte));
      tensors.put("b_f16", Tensors.fromFloats(new float[] {1, 2, 3}, 3).to(ScalarType.Half));
      tensors.put("c_f32", Tensors.fromFloats(new float[] {1, 2, 3}, 3));
      tensors.put("d_f64", Tensors.fromDoubles(new double[] {1, 2, 3}, 3));
      SafeTensors.write(file, tensors, Map.of());
    }

    SafeTensors.Header h = SafeTensors.header(file);

    assertEquals(0, h.dataStart() % 8);
    for (Map.Entry<String, SafeTensors.Entry> e : h.tensors().entrySet()) {
      assertEquals(
          0,
          e.getValue().begin() % e.getValue().dtype().itemBytes(),
          e.getKey() + " " + e.getValue());
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Files built by hand, independently of the writer

  @Test
  void readsAHandBuiltFile() throws IOException {
    // Pretty-printed header, keys in an unusual order, data not in name order, metadata last.
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    ByteBuffer w = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    w.putShort((short) -300).putShort((short) 7); // "z"  I16 [2]     bytes 0..4
    w.putFloat(0.25f).putFloat(-1f).putFloat(8f).putFloat(1e-3f); // "w"  F32 [2,2]   bytes 4..20
    w.putShort((short) 0x3FC0); // "bf" BF16 []     bytes 20..22 (= 1.5)
    w.put((byte) 1).put((byte) 0); // "m"  BOOL [2]    bytes 22..24
    data.write(w.array(), 0, w.position());
    String header =
        "{\n  \"w\": {\"shape\": [2, 2], \"data_offsets\": [4, 20], \"dtype\": \"F32\"},\n"
            + "  \"z\": {\"dtype\": \"I16\", \"shape\": [2], \"data_offsets\": [0, 4]},\n"
            + "  \"bf\": {\"dtype\": \"BF16\", \"shape\": [], \"data_offsets\": [20, 22]},\n"
            + "  \"m\": {\"dtype\": \"BOOL\", \"shape\": [2], \"data_offsets\": [22, 24]},\n"
            + "  \"__metadata__\": {\"source\": \"hand-built \\u00e9\"}\n}";
    Path file = write("hand.safetensors", header, data.toByteArray(), true);

    Map<String, Tensor> t = SafeTensors.read(file);

    assertEquals(List.of("bf", "m", "w", "z"), new ArrayList<>(t.keySet()));
    assertEquals(ScalarType.Float, Tensors.dtype(t.get("w")));
    assertArrayEquals(new long[] {2, 2}, Tensors.shape(t.get("w")));
    assertArrayEquals(new float[] {0.25f, -1f, 8f, 1e-3f}, Tensors.toFloats(t.get("w")));
    assertEquals(ScalarType.Short, Tensors.dtype(t.get("z")));
    assertArrayEquals(new long[] {-300, 7}, Tensors.toLongs(t.get("z")));
    assertEquals(ScalarType.BFloat16, Tensors.dtype(t.get("bf")));
    assertEquals(0, t.get("bf").dim());
    assertArrayEquals(new float[] {1.5f}, Tensors.toFloats(t.get("bf")));
    assertEquals(ScalarType.Bool, Tensors.dtype(t.get("m")));
    assertArrayEquals(new long[] {1, 0}, Tensors.toLongs(t.get("m")));
    assertEquals(Map.of("source", "hand-built é"), SafeTensors.metadata(file));
    t.values().forEach(Tensor::close);
  }

  @Test
  void readsAnUnpaddedHeader() throws IOException {
    ByteBuffer d = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(-5);
    Path file =
        write(
            "unpadded.safetensors",
            "{\"n\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}",
            d.array(),
            false);

    Map<String, Tensor> t = SafeTensors.read(file);

    assertArrayEquals(new long[] {-5}, Tensors.toLongs(t.get("n")));
    t.values().forEach(Tensor::close);
  }

  @Test
  void headerReadsNamesShapesAndOffsetsWithoutTheData() throws IOException {
    Path file =
        write(
            "h.safetensors",
            "{\"w\":{\"dtype\":\"F64\",\"shape\":[3,1],\"data_offsets\":[0,24]},"
                + "\"__metadata__\":{\"k\":\"v\"}}",
            new byte[24],
            true);

    SafeTensors.Header h = SafeTensors.header(file);

    assertEquals(
        Map.of("w", new SafeTensors.Entry(SafeTensors.Dtype.F64, new long[] {3, 1}, 0, 24)),
        h.tensors());
    assertEquals(Map.of("k", "v"), h.metadata());
    assertEquals(8 + headerText(file).length(), h.dataStart());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Corrupt or hostile files

  private static final String W24 =
      "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}";

  @Test
  void rejectsAFileShorterThanTheLengthField() throws IOException {
    Path file = tmp.resolve("tiny.safetensors");
    Files.write(file, new byte[] {1, 2, 3});

    assertProblem(file, "has 3 bytes, too few for the 8-byte header length");
  }

  @Test
  void rejectsAHeaderLengthBiggerThanTheFile() throws IOException {
    byte[] bytes = Files.readAllBytes(write("big.safetensors", W24, new byte[24], true));
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1_000_000);
    Path file = tmp.resolve("big.safetensors");
    Files.write(file, bytes);

    assertProblem(
        file, "the header length 1000000 is bigger than the file (" + bytes.length + " bytes)");
  }

  @Test
  void rejectsAHeaderLengthWithTheTopBitSet() throws IOException {
    byte[] bytes = new byte[16];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -8);
    Path file = tmp.resolve("huge.safetensors");
    Files.write(file, bytes);

    assertProblem(file, "the header length 18446744073709551608 is bigger than the file");
  }

  @Test
  void rejectsInvalidJson() throws IOException {
    Path file =
        write(
            "json.safetensors",
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3] \"data_offsets\":[0,24]}}",
            new byte[24],
            true);

    assertProblem(file, "the header is invalid JSON at line 1 (offset 34): expected ',' or '}'");
  }

  @Test
  void rejectsAHeaderThatIsNotAnObject() throws IOException {
    assertProblem(write("arr.safetensors", "[1, 2]", new byte[0], true), "does not start with '{'");
  }

  @Test
  void rejectsHeaderBytesThatAreNotUtf8() throws IOException {
    byte[] header = "{\"\u00ff\":{}}".getBytes(StandardCharsets.ISO_8859_1);
    Path file = tmp.resolve("latin1.safetensors");
    Files.write(
        file,
        concat(
            ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array(),
            header));

    assertProblem(file, "the header is not valid UTF-8");
  }

  @Test
  void rejectsDeeplyNestedJsonWithoutOverflowingTheStack() throws IOException {
    String deep = "{\"w\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";

    assertProblem(
        write("deep.safetensors", deep, new byte[0], true), "nested deeper than 64 levels");
  }

  @Test
  void rejectsAnUnknownDtype() throws IOException {
    Path file = write("dtype.safetensors", W24.replace("F32", "F33"), new byte[24], true);

    assertProblem(
        file,
        "tensor 'w' has unknown dtype 'F33'; supported: [BOOL, U8, I8, I16, F16, BF16, I32, F32, "
            + "F64, I64]");
  }

  @Test
  void namesAValidDtypeThatCannotBeLoaded() throws IOException {
    Path file =
        write(
            "f8.safetensors",
            "{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}",
            new byte[2],
            true);

    assertProblem(file, "tensor 'w' has dtype F8_E4M3, which Sonus cannot load");
  }

  @Test
  void rejectsAByteCountThatDoesNotMatchTheShape() throws IOException {
    Path file =
        write(
            "ckpt.safetensors",
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,4],\"data_offsets\":[0,24]}}",
            new byte[24],
            true);

    assertProblem(file, "ckpt.safetensors: tensor 'w' declares 24 bytes for F32[2, 4] (needs 32)");
  }

  @Test
  void rejectsOffsetsPastTheEndOfTheData() throws IOException {
    Path file = write("past.safetensors", W24, new byte[20], true);

    assertProblem(
        file, "tensor 'w' has data_offsets [0, 24] past the end of the data buffer (20 bytes)");
  }

  @Test
  void rejectsOffsetsThatEndBeforeTheyBegin() throws IOException {
    Path file =
        write(
            "back.safetensors",
            "{\"w\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[4,0]}}",
            new byte[4],
            true);

    assertProblem(file, "tensor 'w' has data_offsets [4, 0] that end before they begin");
  }

  @Test
  void rejectsNegativeOrFractionalNumbers() throws IOException {
    assertProblem(
        write("neg.safetensors", W24.replace("[2,3]", "[-2,-3]"), new byte[24], true),
        "tensor 'w' has shape [-2, -3]; expected non-negative integers");
    assertProblem(
        write("frac.safetensors", W24.replace("[0,24]", "[0,24.0]"), new byte[24], true),
        "tensor 'w' has data_offsets [0, 24.0]; expected non-negative integers");
    assertProblem(
        write("three.safetensors", W24.replace("[0,24]", "[0,12,24]"), new byte[24], true),
        "tensor 'w' has data_offsets [0, 12, 24]; expected a list of 2 non-negative integers");
  }

  @Test
  void rejectsAShapeWhoseSizeOverflows() throws IOException {
    Path file =
        write(
            "overflow.safetensors",
            W24.replace("[2,3]", "[4294967296,4294967296]"),
            new byte[24],
            true);

    assertProblem(
        file, "tensor 'w' has shape [4294967296, 4294967296], too many elements to address");
  }

  @Test
  void rejectsOverlappingTensors() throws IOException {
    Path file =
        write(
            "overlap.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}",
            new byte[16],
            true);

    assertProblem(file, "tensor 'b' at bytes [8, 16) overlaps tensor 'a', which ends at 16");
  }

  @Test
  void rejectsAGapBetweenTensors() throws IOException {
    Path file =
        write(
            "gap.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}",
            new byte[20],
            true);

    assertProblem(file, "the data has a gap: bytes [8, 12) before tensor 'b' belong to no tensor");
  }

  @Test
  void rejectsDataThatDoesNotStartAtZero() throws IOException {
    Path file =
        write(
            "late.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
            new byte[12],
            true);

    assertProblem(file, "the data has a gap: bytes [0, 4) before tensor 'a' belong to no tensor");
  }

  @Test
  void rejectsBytesAfterTheLastTensor() throws IOException {
    Path file = write("tail.safetensors", W24, new byte[30], true);

    assertProblem(
        file,
        "the data buffer has 30 bytes but the tensors account for 24; 6 bytes after the last tensor");
  }

  @Test
  void rejectsADuplicateTensorName() throws IOException {
    Path file =
        write(
            "dup.safetensors",
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}",
            new byte[16],
            true);

    assertProblem(file, "duplicate key \"w\"");
  }

  @Test
  void rejectsMetadataThatIsNotStrings() throws IOException {
    Path file =
        write(
            "meta.safetensors",
            "{\"__metadata__\":{\"epoch\":3}," + W24.substring(1),
            new byte[24],
            true);

    assertProblem(file, "__metadata__ value for 'epoch' is 3, not a string");
  }

  @Test
  void rejectsBooleanBytesOtherThanZeroAndOne() throws IOException {
    Path file =
        write(
            "bool.safetensors",
            "{\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[0,3]}}",
            new byte[] {1, 0, 7},
            true);

    assertProblem(file, "tensor 'm' (BOOL) holds the byte 7 at element 2; booleans must be 0 or 1");
  }

  @Test
  void reportsAMissingFileByPath() {
    Path file = tmp.resolve("absent.safetensors");

    assertProblem(file, "absent.safetensors: no such file");
  }

  @Test
  void refusesToWriteAReservedNameOrAnUnsupportedDtype() {
    try (PointerScope scope = new PointerScope()) {
      Path file = tmp.resolve("bad.safetensors");
      Tensor x = Tensors.fromFloats(new float[] {1}, 1);

      IllegalArgumentException reserved =
          assertThrows(
              IllegalArgumentException.class,
              () -> SafeTensors.write(file, Map.of("__metadata__", x), Map.of()));
      IllegalArgumentException complex =
          assertThrows(
              IllegalArgumentException.class,
              () -> SafeTensors.write(file, Map.of("c", x.to(ScalarType.ComplexFloat)), Map.of()));

      assertTrue(reserved.getMessage().contains("'__metadata__'"), reserved.getMessage());
      assertTrue(
          complex.getMessage().contains("tensor 'c'")
              && complex.getMessage().contains("ComplexFloat"),
          complex.getMessage());
      assertTrue(!Files.exists(file), "nothing is written on a refused input");
    }
  }

  @Test
  void readingAndClosingLeavesNoNativePointersBehind() {
    Path file = tmp.resolve("leak.safetensors");
    try (PointerScope scope = new PointerScope()) {
      SafeTensors.write(
          file,
          Map.of(
              "a",
              Tensors.fromFloats(new float[1000], 10, 100),
              "b",
              Tensors.fromLongs(new long[] {1, 2}, 2)),
          Map.of());
    }
    for (int i = 0; i < 20; i++) {
      SafeTensors.read(file).values().forEach(Tensor::close);
    }
    System.gc();
    long before = Pointer.totalCount();

    for (int i = 0; i < 200; i++) {
      SafeTensors.read(file).values().forEach(Tensor::close);
    }

    long after = Pointer.totalCount();
    assertTrue(after <= before + 10, () -> "native pointers grew from " + before + " to " + after);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Helpers

  /** Writes a file by hand: length, header (optionally padded with spaces to 8 bytes), data. */
  private Path write(String name, String headerJson, byte[] data, boolean pad) throws IOException {
    byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
    if (pad) {
      int padded = (header.length + 7) / 8 * 8;
      byte[] h = java.util.Arrays.copyOf(header, padded);
      java.util.Arrays.fill(h, header.length, padded, (byte) ' ');
      header = h;
    }
    byte[] length =
        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array();
    Path file = tmp.resolve(name);
    Files.write(file, concat(concat(length, header), data));
    return file;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static String headerText(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int n = (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    return new String(bytes, 8, n, StandardCharsets.UTF_8);
  }

  /** The raw little-endian bytes of a tensor's elements in C order. */
  private static byte[] rawBytes(Tensor t) {
    try (PointerScope scope = new PointerScope()) {
      Tensor c = t.cpu().contiguous();
      byte[] out = new byte[(int) c.nbytes()];
      if (out.length > 0) {
        new BytePointer(c.data_ptr()).capacity(out.length).get(out);
      }
      return out;
    }
  }

  /** Every read path (data, header, metadata) reports the problem with the file's name. */
  private static void assertProblem(Path file, String problem) {
    for (java.util.function.Consumer<Path> reader :
        List.<java.util.function.Consumer<Path>>of(
            p -> SafeTensors.read(p).values().forEach(Tensor::close), SafeTensors::header)) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> reader.accept(file));
      if (problem.contains("booleans")) {
        // The header is valid; only loading the data finds bad boolean bytes.
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        return;
      }
      assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
      assertTrue(
          e.getMessage().contains(problem),
          () -> "expected '" + problem + "' in: " + e.getMessage());
    }
  }
}
