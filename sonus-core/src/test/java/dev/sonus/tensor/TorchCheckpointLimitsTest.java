package dev.sonus.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.tensor.TorchCheckpoint.CheckpointException;
import dev.sonus.tensor.TorchCheckpoint.Limits;
import dev.sonus.testing.Pickle;
import dev.sonus.testing.RawZip;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TorchCheckpoint.Limits}: defaults, what each bounds, and raising them. */
class TorchCheckpointLimitsTest {
  @TempDir Path tmp;

  private Path checkpoint(String name, byte[] pickle, Map<String, byte[]> storages) {
    return RawZip.checkpoint(tmp.resolve(name), pickle, storages);
  }

  @Test
  void defaultsAreTheDocumentedValues() {
    Limits d = Limits.defaults();
    assertEquals(1_000_000, d.maxTensors());
    assertEquals(16L << 30, d.maxTensorBytes());
    assertEquals(4.0, d.maxExpansion());
    assertEquals(32L << 20, d.maxPickleBytes());
    assertEquals(64, d.maxDepth());
  }

  @Test
  void systemPropertiesReplaceTheDefaults() {
    String key = "sonus.limits.checkpoint.maxTensorBytes";
    System.setProperty(key, "2g");
    try {
      assertEquals(2L << 30, Limits.defaults().maxTensorBytes());
      System.setProperty(key, "lots");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Limits::defaults);
      assertTrue(e.getMessage().contains(key) && e.getMessage().contains("'lots'"), e.getMessage());
    } finally {
      System.clearProperty(key);
    }
  }

  @Test
  void limitsMustBePositive() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Limits.defaults().withMaxTensors(0));
    assertTrue(e.getMessage().contains("maxTensors is 0"), e.getMessage());
  }

  @Test
  void raisingTheRelativeBoundLoadsWhatTheDefaultRefuses() {
    // 2^14 = 16384 tensors from a few hundred bytes: over the floor of 10,000 values.
    Path f = checkpoint("lists14.ckpt", Pickle.sharedLists(14, 2), Map.of("0", floats(3, 4)));
    CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(f));
    assertTrue(
        e.getMessage().contains("more than 10000 values")
            && e.getMessage().contains("withMaxExpansion(")
            && e.getMessage().contains("-Dsonus.limits.checkpoint.maxExpansion="),
        e.getMessage());
    Map<String, Tensor> sd =
        TorchCheckpoint.read(f, Limits.defaults().withMaxExpansion(Double.POSITIVE_INFINITY));
    try {
      assertEquals(1 << 14, sd.size());
      assertArrayEquals(
          new float[] {3, 4}, Tensors.toFloats(sd.get("w.1.0.1.0.1.0.1.0.1.0.1.0.1.0")));
    } finally {
      sd.values().forEach(Tensor::close);
    }
  }

  @Test
  void theAbsoluteTensorCountCapsEvenAnUnboundedExpansion() {
    Path f = checkpoint("lists8.ckpt", Pickle.sharedLists(8, 2), Map.of("0", floats(3, 4)));
    CheckpointException e =
        assertThrows(
            CheckpointException.class,
            () ->
                TorchCheckpoint.read(
                    f,
                    Limits.defaults()
                        .withMaxExpansion(Double.POSITIVE_INFINITY)
                        .withMaxTensors(100)));
    assertTrue(
        e.getMessage().contains("more than 100 values") && e.getMessage().contains("maxTensors"),
        e.getMessage());
  }

  @Test
  void copiesOfOneSharedStorageCountAgainstTheTensorMemory() {
    int numel = 1 << 20; // a 4 MiB storage, referenced 30 times: 120 MiB of copies
    Pickle p = new Pickle().proto(2).emptyDict().mark();
    p.str("t0").tensor("FloatStorage", "0", numel, 0, new long[] {numel}, new long[] {1}).put(1);
    for (int i = 1; i < 30; i++) {
      p.str("t" + i).get(1);
    }
    Path f = checkpoint("tied.ckpt", p.setitems().stop(), Map.of("0", new byte[4 * numel]));
    CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(f));
    assertTrue(
        e.getMessage().contains("tensor memory allowed") && e.getMessage().contains("maxExpansion"),
        e.getMessage());
    Map<String, Tensor> sd = TorchCheckpoint.read(f, Limits.defaults().withMaxExpansion(64));
    try {
      assertEquals(30, sd.size());
      assertEquals(numel, sd.get("t29").numel());
    } finally {
      sd.values().forEach(Tensor::close);
    }
    CheckpointException capped =
        assertThrows(
            CheckpointException.class,
            () ->
                TorchCheckpoint.read(
                    f, Limits.defaults().withMaxExpansion(64).withMaxTensorBytes(50L << 20)));
    assertTrue(capped.getMessage().contains("withMaxTensorBytes("), capped.getMessage());
  }

  @Test
  void theOnlyUserOfAWholeStorageGetsItWithoutACopyAndOthersGetCopies() {
    Pickle p = new Pickle().proto(2).emptyDict().mark();
    p.str("alone").tensor("FloatStorage", "0", 4, 0, new long[] {2, 2}, new long[] {2, 1});
    p.str("a").tensor("FloatStorage", "1", 2, 0, new long[] {2}, new long[] {1}).put(1);
    p.str("b").get(1);
    Path f =
        checkpoint(
            "owners.ckpt", p.setitems().stop(), Map.of("0", floats(1, 2, 3, 4), "1", floats(5, 6)));
    Map<String, Tensor> sd = TorchCheckpoint.read(f);
    try {
      assertArrayEquals(new float[] {1, 2, 3, 4}, Tensors.toFloats(sd.get("alone")));
      assertTrue(sd.get("alone").is_contiguous());
      sd.get("a").add_(new org.bytedeco.pytorch.Scalar(10.0));
      assertArrayEquals(new float[] {5, 6}, Tensors.toFloats(sd.get("b")), "b is its own copy");
    } finally {
      sd.values().forEach(Tensor::close);
    }
  }

  @Test
  void nestingBeyondMaxDepthIsRefusedAndRaisable() {
    Pickle p = new Pickle().proto(2).emptyDict().str("x");
    for (int i = 0; i < 70; i++) {
      p.emptyDict().str("k");
    }
    p.int1(1);
    for (int i = 0; i < 71; i++) {
      p.setitem();
    }
    Path f = checkpoint("deep.ckpt", p.stop(), Map.of());
    CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(f));
    assertTrue(e.getMessage().contains("maxDepth"), e.getMessage());
    Map<String, Tensor> sd = TorchCheckpoint.read(f, Limits.defaults().withMaxDepth(100));
    try {
      assertEquals(1, sd.size());
    } finally {
      sd.values().forEach(Tensor::close);
    }
  }

  @Test
  void marksNestedBeyondMaxDepthAreRefused() {
    Pickle p = new Pickle().proto(2);
    for (int i = 0; i < 100; i++) {
      p.mark();
    }
    Path f = checkpoint("marks.ckpt", p.stop(), Map.of());
    CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(f));
    assertTrue(
        e.getMessage().contains("MARKs deeper than 64") && e.getMessage().contains("maxDepth"),
        e.getMessage());
  }

  @Test
  void aPickleOverMaxPickleBytesIsRefusedNamingTheLimit() {
    byte[] pkl = new Pickle().proto(2).emptyDict().str("x".repeat(2000)).int1(1).setitem().stop();
    Path f = checkpoint("bigpkl.ckpt", pkl, Map.of());
    CheckpointException e =
        assertThrows(
            CheckpointException.class,
            () -> TorchCheckpoint.read(f, Limits.defaults().withMaxPickleBytes(1000)));
    assertTrue(
        e.getMessage().contains("maxPickleBytes") && e.getMessage().contains("archive/data.pkl"),
        e.getMessage());
  }

  @Test
  void aStorageDeclaredTwiceWithDifferentSizesIsRefused() {
    Pickle p = new Pickle().proto(2).emptyDict().mark();
    p.str("a").tensor("FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1});
    p.str("b").tensor("FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1});
    Path f = checkpoint("twice.ckpt", p.setitems().stop(), Map.of("0", floats(1, 2)));
    CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(f));
    assertTrue(e.getMessage().contains("storage '0' is declared as 2 elements"), e.getMessage());
  }

  private static byte[] floats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }
}
