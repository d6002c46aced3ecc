package dev.sonus.tensor;

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
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SafeTensors.Limits}: a header longer than the limit is refused before it is read. */
class SafeTensorsLimitsTest {
  @TempDir Path tmp;

  private Path file(String name, String header, int dataBytes) throws IOException {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(json.length).put(json);
    return Files.write(tmp.resolve(name), b.array());
  }

  @Test
  void aHeaderLongerThanTheLimitIsRefusedNamingTheLimit() throws IOException {
    String padded =
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}" + " ".repeat(3000) + "}";
    Path f = file("padded.safetensors", padded, 8);
    UncheckedIOException e =
        assertThrows(
            UncheckedIOException.class, () -> SafeTensors.read(f, new SafeTensors.Limits(1000)));
    assertTrue(
        e.getMessage().startsWith(f + ": the header length 3054 exceeds the limit maxHeaderBytes")
            && e.getMessage().contains("-Dsonus.limits.safetensors.maxHeaderBytes=3054"),
        e.getMessage());
    try (Tensor w = SafeTensors.read(f).get("w")) {
      assertEquals(2, w.numel());
    }
  }

  @Test
  void theDefaultLimitIs16MiBAndComesFromASystemProperty() {
    assertEquals(16L << 20, SafeTensors.Limits.defaults().maxHeaderBytes());
    System.setProperty("sonus.limits.safetensors.maxHeaderBytes", "64m");
    try {
      assertEquals(64L << 20, SafeTensors.Limits.defaults().maxHeaderBytes());
    } finally {
      System.clearProperty("sonus.limits.safetensors.maxHeaderBytes");
    }
  }

  @Test
  void aHeaderOverTheDefaultIsRefusedWithoutReadingIt() throws IOException {
    // The length field claims 20 MiB and the file really is that long (spaces after the JSON).
    int n = 20 << 20;
    byte[] json = new byte[n];
    Arrays.fill(json, (byte) ' ');
    json[0] = '{';
    json[n - 1] = '}';
    ByteBuffer b = ByteBuffer.allocate(8 + n).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(n).put(json);
    Path f = Files.write(tmp.resolve("long.safetensors"), b.array());
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> SafeTensors.header(f));
    assertTrue(e.getMessage().contains("maxHeaderBytes = 16777216"), e.getMessage());
    assertEquals(0, SafeTensors.header(f, new SafeTensors.Limits(32L << 20)).tensors().size());
  }
}
