package dev.sonus.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.tensor.TorchCheckpoint.CheckpointException;
import dev.sonus.testing.Budget;
import dev.sonus.testing.Pickle;
import dev.sonus.testing.RawZip;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile checkpoints, each made here byte by byte: small files that declare or expand to far more
 * than they hold. Each must be refused (or read without the expansion) within a fuzzing service's
 * per-input budget, with an error naming the file, the limit and the value found.
 */
class TorchCheckpointHostileTest {
  /** Tighter than {@link Budget#FUZZ} on memory: none of these may allocate what it declares. */
  private static final Budget.Limit SMALL =
      new Budget.Limit(Duration.ofSeconds(25), 1L << 30, 512L << 20);

  @TempDir Path tmp;

  private Path checkpoint(String name, byte[] pickle, Map<String, byte[]> storages) {
    return RawZip.checkpoint(tmp.resolve(name), pickle, storages);
  }

  @Test
  void nestedSharedListsAreRefusedInsteadOfExpandingToMillionsOfTensors() throws IOException {
    for (int depth : new int[] {20, 24}) {
      Path f =
          checkpoint(
              "lists" + depth + ".ckpt", Pickle.sharedLists(depth, 2), Map.of("0", new byte[8]));
      assertTrue(Files.size(f) < 1024, "a bomb of " + Files.size(f) + " bytes");
      Budget.assertWithin(
          "nested shared lists, depth " + depth + " (" + Files.size(f) + " bytes)",
          SMALL,
          () -> {
            CheckpointException e =
                assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(f));
            assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("maxTensors"), e.getMessage());
            return e;
          });
    }
  }

  @Test
  void sharedListsWithinTheLimitKeepEveryKeyAndReadTheStorageOnce() throws IOException {
    Path f = checkpoint("lists3.ckpt", Pickle.sharedLists(3, 2), Map.of("0", floats(1, 2)));
    Map<String, Tensor> sd = TorchCheckpoint.read(f);
    try {
      assertEquals(8, sd.size());
      assertTrue(sd.containsKey("w.0.0.0") && sd.containsKey("w.1.1.1"), sd.keySet() + "");
      for (Tensor t : sd.values()) {
        assertArrayEquals(new float[] {1, 2}, Tensors.toFloats(t));
      }
    } finally {
      sd.values().forEach(Tensor::close);
    }
  }

  @Test
  void strideZeroTensorStaysAViewInsteadOfBecoming16GiB() throws IOException {
    byte[] pkl =
        new Pickle()
            .proto(2)
            .emptyDict()
            .str("w")
            .tensor("FloatStorage", "0", 1, 0, new long[] {65536, 65536}, new long[] {0, 0})
            .setitem()
            .stop();
    Path f = checkpoint("stride0.ckpt", pkl, Map.of("0", floats(0.5f)));
    assertTrue(Files.size(f) < 1024, "a bomb of " + Files.size(f) + " bytes");
    Budget.assertWithin(
        "stride-0 view of 2^32 elements (" + Files.size(f) + " bytes)",
        SMALL,
        () -> {
          Map<String, Tensor> sd = TorchCheckpoint.read(f);
          try {
            Tensor w = sd.get("w");
            assertArrayEquals(new long[] {65536, 65536}, Tensors.shape(w));
            assertArrayEquals(new long[] {0, 0}, w.strides().vec().get());
            assertFalse(w.is_contiguous(), "kept as a view of its one-element storage");
            assertEquals(0.5, w.select(0, 65535).select(0, 12345).item_double());
          } finally {
            sd.values().forEach(Tensor::close);
          }
          return null;
        });
  }

  @Test
  void pickleThatInflatesToAGibibyteIsRefusedWhileInflating() throws IOException {
    byte[] chunk = new byte[1 << 20];
    for (int i = 0; i < chunk.length; i += 2) {
      chunk[i] = 'N'; // NONE, POP: a valid pickle that does nothing, 2^29 times
      chunk[i + 1] = '0';
    }
    Path f =
        RawZip.write(
            tmp.resolve("pklbomb.ckpt"),
            List.of(RawZip.deflatedRepeat("archive/data.pkl", chunk, 1024)));
    assertTrue(Files.size(f) < 4 << 20, "a bomb of " + Files.size(f) + " bytes");
    Budget.assertWithin(
        "data.pkl inflating to 1 GiB (" + Files.size(f) + " bytes)",
        SMALL,
        () -> {
          CheckpointException e =
              assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(f));
          assertTrue(e.getMessage().contains("archive/data.pkl"), e.getMessage());
          assertTrue(e.getMessage().contains("maxPickleBytes"), e.getMessage());
          return e;
        });
  }

  @Test
  void pickleLongerThanTheZipDirectoryStatesIsRefused() throws IOException {
    byte[] chunk = new byte[1 << 20];
    Arrays.fill(chunk, (byte) 'N');
    RawZip.Entry lying = RawZip.deflatedRepeat("archive/data.pkl", chunk, 1024).statingSize(64);
    Path f = RawZip.write(tmp.resolve("lying.ckpt"), List.of(lying));
    Budget.assertWithin(
        "data.pkl stating 64 bytes, inflating to 1 GiB (" + Files.size(f) + " bytes)",
        SMALL,
        () -> {
          CheckpointException e =
              assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(f));
          assertTrue(e.getMessage().contains("archive/data.pkl"), e.getMessage());
          assertTrue(e.getMessage().contains("64"), e.getMessage());
          return e;
        });
  }

  @Test
  void storageThatInflatesToAGibibyteIsRefusedBeforeItIsAllocated() throws IOException {
    long numel = 1L << 28; // 1 GiB of floats
    byte[] pkl =
        new Pickle()
            .proto(2)
            .emptyDict()
            .str("w")
            .tensor("FloatStorage", "0", numel, 0, new long[] {numel}, new long[] {1})
            .setitem()
            .stop();
    Path f =
        RawZip.write(
            tmp.resolve("storagebomb.ckpt"),
            List.of(
                RawZip.stored("archive/data.pkl", pkl),
                RawZip.deflatedRepeat("archive/data/0", new byte[1 << 20], 1024)));
    assertTrue(Files.size(f) < 4 << 20, "a bomb of " + Files.size(f) + " bytes");
    Budget.assertWithin(
        "storage inflating to 1 GiB (" + Files.size(f) + " bytes)",
        SMALL,
        () -> {
          CheckpointException e =
              assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(f));
          assertTrue(e.getMessage().contains("maxTensorBytes"), e.getMessage());
          assertTrue(e.getMessage().contains(Long.toString(4 * numel)), e.getMessage());
          return e;
        });
  }

  @Test
  void storageLongerThanTheZipDirectoryStatesIsRefused() throws IOException {
    byte[] pkl =
        new Pickle()
            .proto(2)
            .emptyDict()
            .str("w")
            .tensor("FloatStorage", "0", 4, 0, new long[] {4}, new long[] {1})
            .setitem()
            .stop();
    Path f =
        RawZip.write(
            tmp.resolve("longstorage.ckpt"),
            List.of(
                RawZip.stored("archive/data.pkl", pkl),
                RawZip.deflatedRepeat("archive/data/0", new byte[1 << 16], 16).statingSize(16)));
    CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(f));
    assertTrue(
        e.getMessage().contains("archive/data/0")
            && e.getMessage().contains("more than the 16 bytes"),
        e.getMessage());
  }

  private static byte[] floats(float... values) {
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(4 * values.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }
}
