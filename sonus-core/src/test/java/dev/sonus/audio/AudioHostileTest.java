package dev.sonus.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.testing.Budget;
import dev.sonus.testing.FlacWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile audio files, each made here: valid streams that declare or decode to far more than a
 * machine holds, samples a reference decoder rejects, and float samples that are not numbers. Each
 * must be refused within a fuzzing service's per-input budget, with an error naming the file, the
 * limit or the bad sample, and the way out.
 */
class AudioHostileTest {
  private static final Budget.Limit SMALL =
      new Budget.Limit(Duration.ofSeconds(25), 1L << 30, 512L << 20);

  @TempDir Path tmp;

  /** 8 channels of 16-bit silence, 32767 frames of 65536 samples: 2^31 - 2^16 samples each. */
  private static FlacWriter eightChannelSilence(long declared) {
    FlacWriter w = new FlacWriter(48_000, 8, 16).declaredSamples(declared);
    for (int i = 0; i < 32767; i++) {
      w.constantFrame(65536, 0);
    }
    return w;
  }

  @Test
  void flacDeclaringEightChannelsOfTwoBillionSamplesIsRefusedBeforeDecoding() throws IOException {
    long samples = 32767L * 65536;
    Path f = eightChannelSilence(samples).write(tmp.resolve("silence8.flac"));
    assertTrue(Files.size(f) < 2 << 20, "a bomb of " + Files.size(f) + " bytes");
    Budget.assertWithin(
        "FLAC, 8 channels x 2^31 samples declared (" + Files.size(f) + " bytes)",
        SMALL,
        () -> {
          AudioFormatException e = assertThrows(AudioFormatException.class, () -> AudioIO.read(f));
          assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
          assertTrue(
              e.getMessage().contains("maxDecodedBytes")
                  && e.getMessage().contains(Long.toString(samples * 8 * 4))
                  && e.getMessage().contains("withMaxDecodedBytes(")
                  && e.getMessage().contains("-Dsonus.limits.audio.maxDecodedBytes="),
              e.getMessage());
          return e;
        });
    assertEquals(new AudioInfo(48_000, 8, samples, 16, "FLAC"), AudioIO.info(f));
  }

  @Test
  void flacOfUnknownLengthThatDecodesPastTheLimitIsRefusedWhileCounting() throws IOException {
    Path f = eightChannelSilence(0).write(tmp.resolve("silence8-unknown.flac"));
    Budget.assertWithin(
        "FLAC, 8 channels x 2^31 samples, length unknown (" + Files.size(f) + " bytes)",
        SMALL,
        () -> {
          AudioFormatException e = assertThrows(AudioFormatException.class, () -> AudioIO.read(f));
          assertTrue(e.getMessage().contains("maxDecodedBytes"), e.getMessage());
          return e;
        });
  }

  @Test
  void flacDeclaringMoreSamplesThanItHoldsIsNotPreallocated() throws IOException {
    // One frame of 4096 samples behind a STREAMINFO that claims 2^28 (1 GiB of floats).
    Path f =
        new FlacWriter(16_000, 1, 16)
            .declaredSamples(1L << 28)
            .constantFrame(4096, 7)
            .write(tmp.resolve("short.flac"));
    Budget.assertWithin(
        "FLAC declaring 2^28 samples, holding 4096 (" + Files.size(f) + " bytes)",
        new Budget.Limit(Duration.ofSeconds(25), 256L << 20, 256L << 20),
        () -> {
          AudioFormatException e = assertThrows(AudioFormatException.class, () -> AudioIO.read(f));
          assertTrue(e.getMessage().contains("truncated"), e.getMessage());
          return e;
        });
  }

  @Test
  void flacDeclaringMoreSamplesThanAnyFileOfItsSizeCouldHoldIsRefusedByInfo() throws IOException {
    Path f =
        new FlacWriter(16_000, 1, 16)
            .declaredSamples(1L << 30)
            .constantFrame(4096, 7)
            .write(tmp.resolve("impossible.flac"));
    AudioFormatException e = assertThrows(AudioFormatException.class, () -> AudioIO.info(f));
    assertTrue(
        e.getMessage().contains(Long.toString(1L << 30)) && e.getMessage().contains("at most"),
        e.getMessage());
  }

  @Test
  void flacSamplesBeyondTheBitDepthAreADecodingErrorNamingFrameAndOffset() throws IOException {
    // A FIXED predictor summing 4095 residuals of 2^30: 4.4e12 in a 16-bit stream.
    byte[] flac =
        new FlacWriter(16_000, 1, 16)
            .constantFrame(4096, 5)
            .fixedOrder1Frame(4096, 0, 31, 1L << 30)
            .bytes();
    Path f = Files.write(tmp.resolve("overflow.flac"), flac);
    AudioFormatException e = assertThrows(AudioFormatException.class, () -> AudioIO.read(f));
    assertTrue(
        e.getMessage().startsWith(f + ": frame 1 at byte ")
            && e.getMessage().contains("channel 0")
            && e.getMessage().contains("sample 1 ")
            && e.getMessage().contains("outside the 16-bit range [-32768, 32767]"),
        e.getMessage());
  }

  @Test
  void flacSamplesAtFullScaleDecode() throws IOException {
    long[][] samples = {{-32768, 32767, 0, -1}};
    Path f =
        Files.write(
            tmp.resolve("fullscale.flac"),
            new FlacWriter(16_000, 1, 16).verbatimFrame(samples).bytes());
    assertArrayEquals(
        new float[] {-1f, 32767 / 32768f, 0f, -1 / 32768f}, AudioIO.read(f).channel(0));
  }

  @Test
  void floatWavWithNanIsAnErrorNamingTheFirstBadSample() throws IOException {
    float[] interleaved = {0.1f, 0.2f, 0.3f, Float.NaN, 0.5f, Float.POSITIVE_INFINITY};
    Path f = Files.write(tmp.resolve("nan.wav"), floatWav(2, interleaved));
    AudioFormatException e = assertThrows(AudioFormatException.class, () -> AudioIO.read(f));
    assertTrue(
        e.getMessage().startsWith(f + ": ")
            && e.getMessage().contains("sample 3 (frame 1, channel 1) is NaN")
            && e.getMessage().contains("2 of the 6 samples")
            && e.getMessage().contains("withAllowNonFinite(true)"),
        e.getMessage());

    assertTrue(e.getMessage().contains("-Dsonus.audio.allowNonFinite=true"), e.getMessage());

    Audio audio = AudioIO.read(f, AudioIO.ReadOptions.defaults().withAllowNonFinite(true));
    assertTrue(Float.isNaN(audio.channel(1)[1]));
    assertEquals(Float.POSITIVE_INFINITY, audio.channel(1)[2]);

    // The command line's way: a system property changes the default.
    System.setProperty(AudioIO.ReadOptions.ALLOW_NON_FINITE_PROPERTY, "true");
    try {
      assertTrue(Float.isNaN(AudioIO.read(f).channel(1)[1]));
    } finally {
      System.clearProperty(AudioIO.ReadOptions.ALLOW_NON_FINITE_PROPERTY);
    }
    assertThrows(AudioFormatException.class, () -> AudioIO.read(f));
  }

  @Test
  void float64WavBeyondTheFloatRangeIsNonFinite() throws IOException {
    ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    data.putDouble(0.25).putDouble(1e300);
    Path f = Files.write(tmp.resolve("huge64.wav"), wav(3, 1, 64, data.array()));
    AudioFormatException e = assertThrows(AudioFormatException.class, () -> AudioIO.read(f));
    assertTrue(e.getMessage().contains("sample 1 (frame 1, channel 0) is 1.0E300"), e.getMessage());
  }

  @Test
  void wavLongerThanTheLimitIsRefusedNamingTheLimit() throws IOException {
    Path f = Files.write(tmp.resolve("pcm.wav"), wav(1, 2, 16, new byte[4000]));
    AudioFormatException e =
        assertThrows(
            AudioFormatException.class,
            () -> AudioIO.read(f, AudioIO.ReadOptions.defaults().withMaxDecodedBytes(1000)));
    assertTrue(
        e.getMessage().contains("8000 bytes")
            && e.getMessage().contains("maxDecodedBytes")
            && e.getMessage().contains("1000"),
        e.getMessage());
    assertEquals(2, AudioIO.read(f).numChannels());
  }

  @Test
  void readOptionsDefaultsAreDocumentedAndComeFromASystemProperty() {
    assertEquals(2L << 30, AudioIO.ReadOptions.defaults().maxDecodedBytes());
    assertEquals(false, AudioIO.ReadOptions.defaults().allowNonFinite());
    System.setProperty("sonus.limits.audio.maxDecodedBytes", "8g");
    try {
      assertEquals(8L << 30, AudioIO.ReadOptions.defaults().maxDecodedBytes());
    } finally {
      System.clearProperty("sonus.limits.audio.maxDecodedBytes");
    }
  }

  private static byte[] floatWav(int channels, float[] interleaved) {
    ByteBuffer data = ByteBuffer.allocate(4 * interleaved.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : interleaved) {
      data.putFloat(v);
    }
    return wav(3, channels, 32, data.array());
  }

  /** A plain RIFF/WAVE file: a 16-byte 'fmt ' chunk and the data. */
  static byte[] wav(int code, int channels, int bits, byte[] data) {
    int block = channels * bits / 8;
    ByteBuffer b = ByteBuffer.allocate(44 + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + data.length);
    b.put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16);
    b.putShort((short) code).putShort((short) channels).putInt(16_000).putInt(16_000 * block);
    b.putShort((short) block).putShort((short) bits);
    b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(data.length).put(data);
    return b.array();
  }
}
