package dev.sonus.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.tensor.TorchCheckpoint.CheckpointException;
import dev.sonus.testing.Pickle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests {@link TorchCheckpoint} on checkpoints built byte by byte here from the format's
 * description (zip of {@code <prefix>/data.pkl} and {@code <prefix>/data/<key>}), and on hostile or
 * broken files, which must fail with a message naming the file and the problem without anything
 * being executed. SpeechBrain's own checkpoints are read in {@link TorchCheckpointParityTest}.
 */
class TorchCheckpointTest {
  @TempDir Path tmp;

  // ---------------------------------------------------------------------------------------------------------------
  // Checkpoints built here

  /** Storage "0": floats 0..7; "1": one long. */
  private static byte[] floatsLe(int n, ByteOrder order) {
    ByteBuffer b = ByteBuffer.allocate(4 * n).order(order);
    for (int i = 0; i < n; i++) {
      b.putFloat(i);
    }
    return b.array();
  }

  /**
   * A state dict exercising views, numbers, nesting, parameters and the OrderedDict's _metadata.
   */
  private static byte[] richPickle() {
    Pickle p = new Pickle().proto(2);
    p.global("collections", "OrderedDict").put(0).emptyTuple().reduce().put(1);
    p.mark();
    // "t": a transposed view with an offset, size (3, 2), stride (1, 3), offset 1 of storage 0 (8
    // floats).
    p.str("t");
    p.global("torch._utils", "_rebuild_tensor_v2").put(2);
    p.mark()
        .storage("FloatStorage", "0", 8)
        .int1(1)
        .int1(3)
        .int1(2)
        .tuple2()
        .int1(1)
        .int1(3)
        .tuple2()
        .bool(false)
        .get(0)
        .emptyTuple()
        .reduce()
        .tuple()
        .reduce();
    // "p": a parameter over the first 2 elements of the same storage.
    p.str("p");
    p.global("torch._utils", "_rebuild_parameter");
    p.get(2)
        .mark()
        .storage("FloatStorage", "0", 8)
        .int1(0)
        .int1(2)
        .tuple1()
        .int1(1)
        .tuple1()
        .bool(true)
        .get(0)
        .emptyTuple()
        .reduce()
        .tuple()
        .reduce()
        .bool(true)
        .get(0)
        .emptyTuple()
        .reduce()
        .tuple3()
        .reduce();
    // "n": a 0-dim long tensor (storage "1").
    p.str("n")
        .get(2)
        .mark()
        .storage("LongStorage", "1", 1)
        .int1(0)
        .emptyTuple()
        .emptyTuple()
        .bool(false)
        .get(0)
        .emptyTuple()
        .reduce()
        .tuple()
        .reduce();
    p.str("count").int4(-7);
    p.str("eps").float8(1e-5);
    p.str("flag").bool(true);
    p.str("big").long1(1L << 40);
    p.str("inner")
        .emptyDict()
        .int1(3)
        .float8(2.5)
        .setitem()
        .str("x")
        .bool(false)
        .setitem()
        .str("empty")
        .emptyList()
        .setitem();
    p.str("betas").float8(0.9).float8(0.99).tuple2();
    p.setitems();
    // BUILD with {'_metadata': OrderedDict(...)}, as torch.save writes a state dict.
    p.emptyDict()
        .str("_metadata")
        .get(0)
        .emptyTuple()
        .reduce()
        .str("")
        .emptyDict()
        .str("version")
        .int1(1)
        .setitem()
        .setitem()
        .setitem()
        .build();
    return p.stop();
  }

  private Path richCheckpoint(String name, ByteOrder order) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("archive/data.pkl", richPickle());
    if (order == ByteOrder.BIG_ENDIAN) {
      entries.put("archive/byteorder", "big".getBytes(StandardCharsets.US_ASCII));
    }
    entries.put("archive/data/0", floatsLe(8, order));
    entries.put("archive/data/1", ByteBuffer.allocate(8).order(order).putLong(42).array());
    entries.put("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
    return zip(name, entries);
  }

  @Test
  void handMadeStateDictGivesTensorsNumbersAndFlattenedContainersInOrder() throws IOException {
    for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
      Map<String, Tensor> sd =
          TorchCheckpoint.read(richCheckpoint("rich-" + order + ".ckpt", order));
      try {
        assertEquals(
            List.of(
                "t", "p", "n", "count", "eps", "flag", "big", "inner.3", "inner.x", "betas.0",
                "betas.1"),
            new ArrayList<>(sd.keySet()),
            order.toString());
        Tensor t = sd.get("t");
        assertEquals(ScalarType.Float, Tensors.dtype(t));
        assertArrayEquals(new long[] {3, 2}, Tensors.shape(t));
        assertTrue(t.is_contiguous(), "returned tensors are contiguous");
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, Tensors.toFloats(t), order.toString());
        assertArrayEquals(new float[] {0, 1}, Tensors.toFloats(sd.get("p")));
        assertFalse(sd.get("p").requires_grad(), "gradients are not restored");
        assertEquals(ScalarType.Long, Tensors.dtype(sd.get("n")));
        assertEquals(0, sd.get("n").dim());
        assertArrayEquals(new long[] {42}, Tensors.toLongs(sd.get("n")));
        assertScalar(sd.get("count"), ScalarType.Long, -7);
        assertScalar(sd.get("eps"), ScalarType.Double, 1e-5);
        assertScalar(sd.get("flag"), ScalarType.Bool, 1);
        assertScalar(sd.get("big"), ScalarType.Long, 1L << 40);
        assertScalar(sd.get("inner.3"), ScalarType.Double, 2.5);
        assertScalar(sd.get("inner.x"), ScalarType.Bool, 0);
        assertScalar(sd.get("betas.0"), ScalarType.Double, 0.9);
        assertScalar(sd.get("betas.1"), ScalarType.Double, 0.99);
      } finally {
        closeAll(sd);
      }
    }
  }

  @Test
  void stringValuesAreRefusedByReadAndSkippedByLoad() throws IOException {
    Pickle p = new Pickle().proto(2).emptyDict().mark();
    p.str("w")
        .global("torch._utils", "_rebuild_tensor_v2")
        .mark()
        .storage("FloatStorage", "0", 2)
        .int1(0)
        .int1(2)
        .tuple1()
        .int1(1)
        .tuple1()
        .bool(false)
        .emptyDict()
        .tuple()
        .reduce();
    p.str("name").str("ecapa").str("none").none();
    p.setitems();
    Path f =
        zip(
            "strings.ckpt",
            Map.of("s/data.pkl", p.stop(), "s/data/0", floatsLe(2, ByteOrder.LITTLE_ENDIAN)));
    CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(f));
    assertTrue(
        e.getMessage().contains("strings.ckpt")
            && e.getMessage().contains("'name'")
            && e.getMessage().contains("'ecapa'")
            && e.getMessage().contains("none"),
        e.getMessage());
    TorchCheckpoint.Contents c = TorchCheckpoint.load(f);
    try {
      assertEquals(List.of("w"), new ArrayList<>(c.tensors().keySet()));
      assertEquals(List.of("name", "none"), new ArrayList<>(c.skipped().keySet()));
      assertEquals("None", c.skipped().get("none"));
    } finally {
      closeAll(c.tensors());
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Hostile and broken files

  @Test
  void osSystemIsRefusedAndNotExecuted() throws IOException {
    Path marker = tmp.resolve("pwned");
    Pickle p =
        new Pickle().proto(2).global("os", "system").str("touch " + marker).tuple1().reduce();
    Path f = zip("evil.ckpt", Map.of("evil/data.pkl", p.stop()));
    CheckpointException e = assertProblem(f, "refusing to load os.system from");
    assertTrue(
        e.getMessage().contains("only tensors and plain containers are allowed"), e.getMessage());
    assertFalse(Files.exists(marker), "nothing may be executed");

    // The same through STACK_GLOBAL (protocol 4), and a builtins call hidden as a dict value.
    Pickle q =
        new Pickle()
            .proto(4)
            .emptyDict()
            .str("x")
            .str("builtins")
            .str("eval")
            .stackGlobal()
            .str("1")
            .tuple1()
            .reduce()
            .setitem();
    assertProblem(
        zip("evil4.ckpt", Map.of("a/data.pkl", q.stop())), "refusing to load builtins.eval from");

    // INST names a class without GLOBAL.
    byte[] inst =
        concat(
            new byte[] {(byte) 0x80, 2, '('},
            "ios\nsystem\n".getBytes(StandardCharsets.US_ASCII),
            new byte[] {'.'});
    assertProblem(zip("inst.ckpt", Map.of("a/data.pkl", inst)), "INST");
  }

  @Test
  void notAZipIsReported() throws IOException {
    Path f = tmp.resolve("text.ckpt");
    Files.writeString(f, "hello, not a checkpoint");
    assertProblem(f, "not a zip archive");
    Path legacy = tmp.resolve("legacy.pt");
    Files.write(legacy, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c});
    assertProblem(legacy, "legacy");
    Path empty = tmp.resolve("empty.ckpt");
    Files.write(empty, new byte[0]);
    assertProblem(empty, "empty");
  }

  @Test
  void missingFileIsReported() {
    Path f = tmp.resolve("absent.ckpt");
    assertProblem(f, "no such file");
    assertProblem(tmp, "directory");
  }

  @Test
  void zipWithoutDataPklIsReported() throws IOException {
    Path f = zip("nodata.ckpt", Map.of("readme.txt", "hi".getBytes(StandardCharsets.US_ASCII)));
    CheckpointException e = assertProblem(f, "without a <prefix>/data.pkl");
    assertTrue(e.getMessage().contains("readme.txt"), e.getMessage());
  }

  @Test
  void truncatedStorageIsReported() throws IOException {
    Pickle p = new Pickle().proto(2).global("collections", "OrderedDict").emptyTuple().reduce();
    p.str("w")
        .global("torch._utils", "_rebuild_tensor_v2")
        .mark()
        .storage("FloatStorage", "0", 4)
        .int1(0)
        .int1(4)
        .tuple1()
        .int1(1)
        .tuple1()
        .bool(false)
        .emptyDict()
        .tuple()
        .reduce()
        .setitem();
    Path f = zip("short.ckpt", Map.of("m/data.pkl", p.stop(), "m/data/0", new byte[8]));
    CheckpointException e = assertProblem(f, "truncated");
    assertTrue(
        e.getMessage().contains("m/data/0") && e.getMessage().contains("'w'"), e.getMessage());

    Path missing = zip("nostorage.ckpt", Map.of("m/data.pkl", p.stop()));
    assertProblem(missing, "missing from the archive");
  }

  @Test
  void viewBeyondItsStorageIsReported() throws IOException {
    Pickle p = new Pickle().proto(2).emptyDict();
    p.str("w")
        .global("torch._utils", "_rebuild_tensor_v2")
        .mark()
        .storage("FloatStorage", "0", 4)
        .int1(1)
        .int1(4)
        .tuple1()
        .int1(1)
        .tuple1()
        .bool(false)
        .emptyDict()
        .tuple()
        .reduce()
        .setitem();
    Path f = zip("beyond.ckpt", Map.of("m/data.pkl", p.stop(), "m/data/0", new byte[16]));
    assertProblem(f, "reaches element 4");
  }

  @Test
  void unsupportedStorageDtypeIsReported() throws IOException {
    Pickle p = new Pickle().proto(2).emptyDict();
    p.str("z")
        .global("torch._utils", "_rebuild_tensor_v2")
        .mark()
        .storage("ComplexFloatStorage", "0", 1)
        .int1(0)
        .int1(1)
        .tuple1()
        .int1(1)
        .tuple1()
        .bool(false)
        .emptyDict()
        .tuple()
        .reduce()
        .setitem();
    Path f = zip("complex.ckpt", Map.of("m/data.pkl", p.stop(), "m/data/0", new byte[8]));
    CheckpointException e = assertProblem(f, "torch.ComplexFloatStorage");
    assertTrue(
        e.getMessage().contains("not supported") && e.getMessage().contains("FloatStorage"),
        e.getMessage());
  }

  @Test
  void malformedPicklesAreReported() throws IOException {
    byte[] whole = new Pickle().proto(2).emptyDict().str("abcdef").int1(1).setitem().stop();
    assertProblem(zip("cutpkl.ckpt", Map.of("m/data.pkl", Arrays.copyOf(whole, 8))), "truncated");
    assertProblem(
        zip("nostop.ckpt", Map.of("m/data.pkl", Arrays.copyOf(whole, whole.length - 1))),
        "without a STOP");
    assertProblem(
        zip("opcode.ckpt", Map.of("m/data.pkl", new byte[] {(byte) 0x80, 2, (byte) 0xfe, '.'})),
        "opcode 0xfe");
    assertProblem(
        zip("list.ckpt", Map.of("m/data.pkl", new Pickle().proto(2).emptyList().stop())),
        "not a dict of tensors");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Helpers

  static CheckpointException assertProblem(Path f, String expected) {
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> closeAll(TorchCheckpoint.read(f)));
    assertTrue(e.getMessage().contains(f.toString()), "message names the file: " + e.getMessage());
    assertTrue(
        e.getMessage().contains(expected),
        "message names the problem (" + expected + "): " + e.getMessage());
    assertEquals(f, e.file());
    return e;
  }

  private static void assertScalar(Tensor t, ScalarType type, double value) {
    assertEquals(type, Tensors.dtype(t));
    assertEquals(0, t.dim());
    assertEquals(value, Tensors.toDoubles(t)[0]);
  }

  static void closeAll(Map<String, Tensor> tensors) {
    tensors.values().forEach(Tensor::close);
  }

  private Path zip(String name, Map<String, byte[]> entries) throws IOException {
    Path f = tmp.resolve(name);
    try (OutputStream os = Files.newOutputStream(f);
        ZipOutputStream z = new ZipOutputStream(os)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue());
        z.closeEntry();
      }
    }
    return f;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
