package dev.sonus.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.testing.FlacWriter;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests {@link FlacReader} against files made by the reference encoder (see {@code
 * src/test/resources/audio/make-flac-fixtures.sh}) and against small streams written bit by bit
 * here to cover what the reference encoder never emits: variable block sizes, escaped residual
 * partitions, reserved values.
 *
 * <p>Each fixture {@code NAME.flac} has a {@code NAME.raw} twin holding the same samples as
 * little-endian signed integers, so decoding must be bit exact: every float equals {@code raw /
 * 2^(bits-1)}.
 */
final class FlacReaderTest {

  @TempDir Path tmp;

  // ---------------------------------------------------------------------------------------------------------------
  // Bit-exact decoding of reference-encoder files

  @Test
  void decodesMono16BitExactAsSampleOver32768() throws IOException {
    Audio audio = assertDecodesBitExact("mono16_16k", 16_000, 1, 16);
    long[] raw = readRaw("mono16_16k", 2);
    for (int i = 0; i < raw.length; i++) {
      assertEquals(raw[i] / 32768f, audio.channel(0)[i], "sample " + i);
    }
  }

  @Test
  void decodesStereoLeftSideRightSideAndMidSideBitExact() throws IOException {
    assertDecodesBitExact("stereo16_side_modes", 16_000, 2, 16);
  }

  @Test
  void decodesIndependentStereoBitExact() throws IOException {
    assertDecodesBitExact("stereo16_independent", 16_000, 2, 16);
  }

  @Test
  void decodes24BitStereoMidSideBitExact() throws IOException {
    assertDecodesBitExact("stereo24_44k", 44_100, 2, 24);
  }

  @Test
  void decodes32BitStereoWhoseSideChannelNeeds33BitsBitExact() throws IOException {
    assertDecodesBitExact("stereo32_16k", 16_000, 2, 32);
  }

  @Test
  void decodes8BitMonoBitExact() throws IOException {
    assertDecodesBitExact("mono8_8k", 8_000, 1, 8);
  }

  @Test
  void decodesLpcOrder32BitExact() throws IOException {
    assertDecodesBitExact("lpc32_12k", 12_000, 1, 16);
  }

  @Test
  void decodesShortLastBlockAndSampleRateStoredInFrameHeaderBitExact() throws IOException {
    Audio audio = assertDecodesBitExact("blocksize1152_11k", 11_025, 1, 16);
    assertEquals(5000, audio.numFrames());
  }

  @Test
  void decodesFixedPredictorSubframesBitExact() throws IOException {
    assertDecodesBitExact("fixed_16k", 16_000, 1, 16);
  }

  @Test
  void decodesSilenceFromConstantSubframes() throws IOException {
    Audio audio = assertDecodesBitExact("silence_16k", 16_000, 1, 16);
    assertEquals(4000, audio.numFrames());
    for (float x : audio.channel(0)) {
      assertEquals(0f, x);
    }
  }

  @Test
  void decodesVerbatimSubframesBitExact() throws IOException {
    assertDecodesBitExact("noise_verbatim_16k", 16_000, 1, 16);
  }

  @Test
  void decodesWastedBitsBitExact() throws IOException {
    assertDecodesBitExact("wasted_bits_16k", 16_000, 1, 16);
  }

  @Test
  void decodesVariableBlockSizeStreamWithEscapedPartitionsAndWastedBits() throws IOException {
    HandmadeStream stream = HandmadeStream.write(0);
    Path file = write("variable.flac", stream.bytes);

    Audio audio = FlacReader.read(file);

    assertEquals(HandmadeStream.SAMPLE_RATE, audio.sampleRate());
    float[] expected = new float[stream.samples.length];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = stream.samples[i] / 2048f;
    }
    assertArrayEquals(expected, audio.channel(0));
    assertEquals(
        new AudioInfo(HandmadeStream.SAMPLE_RATE, 1, stream.samples.length, 12, "FLAC"),
        FlacReader.info(file));
  }

  @Test
  void skipsId3v2TagBeforeTheMarker() throws IOException {
    byte[] flac = fixtureBytes("mono16_16k.flac");
    byte[] tag = new byte[10 + 300];
    tag[0] = 'I';
    tag[1] = 'D';
    tag[2] = '3';
    tag[3] = 4;
    tag[9] = (byte) (300 & 0x7F); // 300 as a 7-bits-per-byte size: 0x02 0x2c
    tag[8] = (byte) (300 >> 7);
    Path tagged = write("tagged.flac", concat(tag, flac));

    assertEquals(FlacReader.read(fixture("mono16_16k.flac")), FlacReader.read(tagged));
    assertEquals(FlacReader.info(fixture("mono16_16k.flac")), FlacReader.info(tagged));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // info

  @Test
  void infoReadsStreamInfoWithoutDecodingAudio() throws IOException {
    // Audio damage that read() rejects must not matter to info(), which only reads the header.
    byte[] flac = fixtureBytes("stereo24_44k.flac");
    flac[flac.length / 2] ^= 0x55;
    Path damaged = write("damaged.flac", flac);

    assertEquals(new AudioInfo(44_100, 2, 4410, 24, "FLAC"), FlacReader.info(damaged));
    assertThrows(AudioFormatException.class, () -> FlacReader.read(damaged));
  }

  @Test
  void infoReportsRateChannelsLengthAndBitDepth() {
    assertEquals(
        new AudioInfo(16_000, 1, 8000, 16, "FLAC"), FlacReader.info(fixture("mono16_16k.flac")));
    assertEquals(
        new AudioInfo(16_000, 2, 3840, 16, "FLAC"),
        FlacReader.info(fixture("stereo16_side_modes.flac")));
    assertEquals(
        new AudioInfo(16_000, 2, 800, 32, "FLAC"), FlacReader.info(fixture("stereo32_16k.flac")));
    assertEquals(
        new AudioInfo(8_000, 1, 4000, 8, "FLAC"), FlacReader.info(fixture("mono8_8k.flac")));
    assertEquals(
        new AudioInfo(12_000, 1, 3600, 16, "FLAC"), FlacReader.info(fixture("lpc32_12k.flac")));
    assertEquals(
        new AudioInfo(11_025, 1, 5000, 16, "FLAC"),
        FlacReader.info(fixture("blocksize1152_11k.flac")));
  }

  @Test
  void infoCountsSamplesByDecodingWhenStreamInfoOmitsTheLength() throws IOException {
    byte[] flac = fixtureBytes("blocksize1152_11k.flac");
    // Total samples: the 36 bits after rate (20), channels (3) and bits (5), from byte 18 of the
    // file.
    flac[21] &= (byte) 0xF0;
    Arrays.fill(flac, 22, 26, (byte) 0);
    Path unknownLength = write("unknown-length.flac", flac);

    assertEquals(new AudioInfo(11_025, 1, 5000, 16, "FLAC"), FlacReader.info(unknownLength));
    assertEquals(
        FlacReader.read(fixture("blocksize1152_11k.flac")), FlacReader.read(unknownLength));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Errors: each names the file and the problem

  @Test
  void rejectsFileTruncatedInTheMiddleOfAFrame() throws IOException {
    byte[] flac = fixtureBytes("mono16_16k.flac");
    Path truncated = write("truncated.flac", Arrays.copyOf(flac, flac.length / 2));

    assertFails(
        truncated,
        () -> FlacReader.read(truncated),
        "file ends in the middle of the frame",
        "truncated");
  }

  @Test
  void rejectsFileTruncatedAtAFrameBoundary() throws IOException {
    HandmadeStream stream = HandmadeStream.write(0);
    Path truncated = write("cut.flac", Arrays.copyOf(stream.bytes, stream.frameOffsets.get(2)));

    assertFails(
        truncated,
        () -> FlacReader.read(truncated),
        "file ends after 2 frames",
        "164 of the 214 samples",
        "truncated");
  }

  @Test
  void rejectsFlippedAudioByteWithCrc16Mismatch() throws IOException {
    byte[] flac = fixtureBytes("mono16_16k.flac");
    flac[flac.length / 2] ^= 0x55;
    Path corrupt = write("flipped.flac", flac);

    assertFails(
        corrupt,
        () -> FlacReader.read(corrupt),
        "at byte",
        "CRC-16 mismatch (computed 0x",
        ", stored 0x",
        "the file is corrupt");
  }

  @Test
  void rejectsFlippedFrameHeaderByteWithCrc8Mismatch() throws IOException {
    byte[] flac = fixtureBytes("mono16_16k.flac");
    int frame = firstFrameOffset(flac);
    flac[frame + 2] ^= 0x01; // lowest bit of the sample rate code
    Path corrupt = write("header.flac", flac);

    assertFails(
        corrupt,
        () -> FlacReader.read(corrupt),
        "frame 0 at byte " + frame,
        "header CRC-8 mismatch",
        "corrupt");
  }

  @Test
  void rejectsBadSyncCode() throws IOException {
    byte[] flac = fixtureBytes("mono16_16k.flac");
    int frame = firstFrameOffset(flac);
    flac[frame] = 0x12;
    Path corrupt = write("sync.flac", flac);

    assertFails(
        corrupt, () -> FlacReader.read(corrupt), "frame 0 at byte " + frame, "sync code", "12 f8");
  }

  @Test
  void rejectsMd5MismatchBetweenSignalAndStreamInfo() throws IOException {
    byte[] flac = fixtureBytes("mono16_16k.flac");
    flac[30] ^= 0x01; // STREAMINFO's MD5 occupies bytes 26-41
    Path altered = write("md5.flac", flac);

    assertFails(altered, () -> FlacReader.read(altered), "MD5", "differs", "corrupt");
  }

  @Test
  void rejectsReservedChannelAssignment() throws IOException {
    Path reserved = write("reserved.flac", HandmadeStream.write(11).bytes);

    assertFails(
        reserved,
        () -> FlacReader.read(reserved),
        "frame 0 at byte",
        "channel assignment 11 is reserved");
  }

  @Test
  void rejectsMissingStreamInfo() throws IOException {
    byte[] comment = {'f', 'L', 'a', 'C', (byte) 0x84, 0, 0, 4, 0, 0, 0, 0};
    Path file = write("no-streaminfo.flac", comment);

    assertFails(file, () -> FlacReader.read(file), "type 4, not STREAMINFO");
    assertFails(file, () -> FlacReader.info(file), "type 4, not STREAMINFO");
  }

  @Test
  void rejectsTextFileAsNotFlac() throws IOException {
    Path text = write("notes.flac", "hello, this is text\n".getBytes(StandardCharsets.US_ASCII));

    assertFails(text, () -> FlacReader.read(text), "'fLaC'", "not a FLAC file");
    assertFails(text, () -> FlacReader.info(text), "'fLaC'", "not a FLAC file");
  }

  @Test
  void rejectsWavFileNamingItsFormat() throws IOException {
    Path wav = write("speech.flac", "RIFF\0\0\0\0WAVEfmt ".getBytes(StandardCharsets.US_ASCII));

    assertFails(wav, () -> FlacReader.read(wav), "'fLaC'", "WAV");
  }

  @Test
  void rejectsDirectory() {
    assertFails(tmp, () -> FlacReader.read(tmp), "is a directory");
    assertFails(tmp, () -> FlacReader.info(tmp), "is a directory");
  }

  @Test
  void rejectsMissingFile() {
    Path missing = tmp.resolve("missing.flac");

    assertFails(missing, () -> FlacReader.read(missing), "no such file");
    assertFails(missing, () -> FlacReader.info(missing), "no such file");
  }

  @Test
  void rejectsEmptyFile() throws IOException {
    Path empty = write("empty.flac", new byte[0]);

    assertFails(empty, () -> FlacReader.read(empty), "empty");
    assertFails(empty, () -> FlacReader.info(empty), "empty");
  }

  @Test
  void rejectsFileEndingInsideStreamInfo() throws IOException {
    Path cut = write("header-cut.flac", Arrays.copyOf(fixtureBytes("mono16_16k.flac"), 20));

    assertFails(cut, () -> FlacReader.read(cut), "inside the STREAMINFO block", "truncated");
    assertFails(cut, () -> FlacReader.info(cut), "inside the STREAMINFO block", "truncated");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Helpers

  /**
   * Decodes fixture {@code name}, checks it against {@code name.raw} bit for bit, and checks {@code
   * info}.
   */
  private static Audio assertDecodesBitExact(String name, int sampleRate, int channels, int bits)
      throws IOException {
    Path flac = fixture(name + ".flac");
    Audio audio = FlacReader.read(flac);
    long[] raw = readRaw(name, (bits + 7) / 8);
    int frames = raw.length / channels;

    assertEquals(sampleRate, audio.sampleRate(), name);
    assertEquals(channels, audio.numChannels(), name);
    assertEquals(frames, audio.numFrames(), name);
    double scale = Math.pow(2, bits - 1);
    for (int c = 0; c < channels; c++) {
      float[] expected = new float[frames];
      for (int t = 0; t < frames; t++) {
        expected[t] = (float) (raw[t * channels + c] / scale);
      }
      assertArrayEquals(expected, audio.channel(c), name + " channel " + c);
    }
    assertEquals(
        new AudioInfo(sampleRate, channels, frames, bits, "FLAC"), FlacReader.info(flac), name);
    return audio;
  }

  /**
   * Parses a headerless file of little-endian signed integers of {@code bytesPerSample} bytes each.
   */
  private static long[] readRaw(String name, int bytesPerSample) throws IOException {
    byte[] bytes = fixtureBytes(name + ".raw");
    long[] values = new long[bytes.length / bytesPerSample];
    int unused = 64 - 8 * bytesPerSample;
    for (int i = 0; i < values.length; i++) {
      long v = 0;
      for (int k = 0; k < bytesPerSample; k++) {
        v |= (bytes[i * bytesPerSample + k] & 0xFFL) << (8 * k);
      }
      values[i] = v << unused >> unused;
    }
    return values;
  }

  private static Path fixture(String fileName) {
    URL url = FlacReaderTest.class.getResource("/audio/flac/" + fileName);
    if (url == null) {
      throw new IllegalStateException(
          "missing test fixture audio/flac/"
              + fileName
              + "; run src/test/resources/audio/make-flac-fixtures.sh");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] fixtureBytes(String fileName) throws IOException {
    return Files.readAllBytes(fixture(fileName));
  }

  private Path write(String fileName, byte[] bytes) throws IOException {
    return Files.write(tmp.resolve(fileName), bytes);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /**
   * Offset of the first frame: after "fLaC" and the metadata blocks (no ID3 tag in the fixtures).
   */
  private static int firstFrameOffset(byte[] flac) {
    int at = 4;
    boolean last = false;
    while (!last) {
      last = (flac[at] & 0x80) != 0;
      at += 4 + ((flac[at + 1] & 0xFF) << 16 | (flac[at + 2] & 0xFF) << 8 | (flac[at + 3] & 0xFF));
    }
    return at;
  }

  /**
   * Asserts that {@code call} throws an AudioFormatException whose message names {@code path} and
   * each fragment.
   */
  private static void assertFails(Path path, Executable call, String... fragments) {
    AudioFormatException e = assertThrows(AudioFormatException.class, call);
    String message = e.getMessage();
    assertTrue(
        message.startsWith(path + ": "), () -> "message does not start with the path: " + message);
    for (String fragment : fragments) {
      assertTrue(message.contains(fragment), () -> "message lacks '" + fragment + "': " + message);
    }
  }

  /**
   * A 12-bit mono FLAC stream written bit by bit, independently of {@link FlacReader}, covering
   * what the reference encoder never writes: variable blocking with coded sample numbers, 8- and
   * 16-bit block sizes in the header, a sample rate in Hz in the header, 5-bit Rice parameters with
   * escaped (raw) partitions, a Rice parameter of 0, and a CONSTANT subframe with wasted bits. A
   * PADDING block follows STREAMINFO.
   */
  private static final class HandmadeStream {
    static final int SAMPLE_RATE = 22_050;
    private static final int[] BLOCK_SIZES = {100, 64, 37, 13};

    final byte[] bytes;
    final int[] samples;
    final List<Integer> frameOffsets;

    private HandmadeStream(byte[] bytes, int[] samples, List<Integer> frameOffsets) {
      this.bytes = bytes;
      this.samples = samples;
      this.frameOffsets = frameOffsets;
    }

    /**
     * Writes the stream; {@code firstChannelCode} is the first frame's channel assignment (0 =
     * mono).
     */
    static HandmadeStream write(int firstChannelCode) {
      int total = Arrays.stream(BLOCK_SIZES).sum();
      int[] s = new int[total];
      for (int i = 0; i < total; i++) {
        s[i] = (int) Math.round(1500 * Math.sin(i * 0.07)) + (i * 37 % 11) - 5;
      }
      Arrays.fill(s, total - BLOCK_SIZES[3], total, 1024); // constant: 1 << 10, i.e. 10 wasted bits

      FlacWriter.BitWriter w = new FlacWriter.BitWriter();
      w.bytes("fLaC");
      w.bits(0, 1); // not the last metadata block
      w.bits(0, 7); // STREAMINFO
      w.bits(34, 24);
      w.bits(13, 16); // min block size
      w.bits(100, 16); // max block size
      w.bits(0, 24); // min frame size: unknown
      w.bits(0, 24); // max frame size: unknown
      w.bits(SAMPLE_RATE, 20);
      w.bits(0, 3); // 1 channel
      w.bits(11, 5); // 12 bits per sample
      w.bits(total, 36);
      for (byte b : md5Of12Bit(s)) {
        w.bits(b & 0xFF, 8);
      }
      w.bits(1, 1); // last metadata block
      w.bits(1, 7); // PADDING
      w.bits(10, 24);
      w.bits(0, 80);

      List<Integer> offsets = new ArrayList<>();
      int start = 0;
      for (int f = 0; f < BLOCK_SIZES.length; f++) {
        int n = BLOCK_SIZES[f];
        int frameStart = w.size();
        offsets.add(frameStart);
        w.bits(0x3FFE, 14);
        w.bits(0, 1);
        w.bits(1, 1); // variable blocking: the header carries the sample number
        w.bits(n == 64 ? 7 : 6, 4); // block size - 1 follows in 16 or 8 bits
        int rateCode =
            f == 2 ? 6 : f == 3 ? 13 : 0; // 22.05 kHz from the table, in Hz, or from STREAMINFO
        w.bits(rateCode, 4);
        w.bits(f == 0 ? firstChannelCode : 0, 4);
        w.bits(f == 0 ? 2 : 0, 3); // 12 bits, or from STREAMINFO
        w.bits(0, 1);
        w.codedNumber(start);
        w.bits(n - 1, n == 64 ? 16 : 8);
        if (rateCode == 13) {
          w.bits(SAMPLE_RATE, 16);
        }
        w.bits(FlacWriter.crc(w.toByteArray(), frameStart, 8, 0x07), 8);

        int[] x = Arrays.copyOfRange(s, start, start + n);
        switch (f) {
          case 0: // VERBATIM
            w.bits(0b0_000001_0, 8);
            for (int v : x) {
              w.signed(v, 12);
            }
            break;
          case 1:
            { // FIXED order 2, method 1, 4 partitions: Rice k=5, escaped, escaped, Rice k=0
              w.bits(0b0_001010_0, 8);
              w.signed(x[0], 12);
              w.signed(x[1], 12);
              int[] residual = new int[n];
              for (int i = 2; i < n; i++) {
                residual[i] = x[i] - (2 * x[i - 1] - x[i - 2]);
              }
              w.bits(1, 2);
              w.bits(2, 4);
              riceRange(w, residual, 2, 16, 5, 5);
              escapedRange(w, residual, 16, 32, 5);
              escapedRange(w, residual, 32, 48, 5);
              riceRange(w, residual, 48, 64, 0, 5);
              break;
            }
          case 2:
            { // LPC order 2, precision 5, shift 2, coefficients 7 and -3; method 0, k=6
              w.bits(0b0_100001_0, 8);
              w.signed(x[0], 12);
              w.signed(x[1], 12);
              w.bits(5 - 1, 4);
              w.signed(2, 5);
              w.signed(7, 5);
              w.signed(-3, 5);
              int[] residual = new int[n];
              for (int i = 2; i < n; i++) {
                residual[i] = x[i] - ((7 * x[i - 1] - 3 * x[i - 2]) >> 2);
              }
              w.bits(0, 2);
              w.bits(0, 4);
              riceRange(w, residual, 2, n, 6, 4);
              break;
            }
          default: // CONSTANT 1 with 10 wasted bits: 2-bit value, shifted left by 10
            w.bits(0b0_000000_1, 8);
            w.bits(1, 10); // unary 9 (wasted - 1): nine zeros and a one
            w.signed(1, 2);
            break;
        }
        w.align();
        w.bits(FlacWriter.crc(w.toByteArray(), frameStart, 16, 0x8005), 16);
        start += n;
      }
      return new HandmadeStream(w.toByteArray(), s, offsets);
    }

    private static void riceRange(
        FlacWriter.BitWriter w, int[] residual, int from, int to, int k, int parameterBits) {
      w.bits(k, parameterBits);
      for (int i = from; i < to; i++) {
        w.rice(residual[i], k);
      }
    }

    private static void escapedRange(
        FlacWriter.BitWriter w, int[] residual, int from, int to, int parameterBits) {
      int bits = 1;
      for (int i = from; i < to; i++) {
        while (residual[i] < -(1 << (bits - 1)) || residual[i] >= 1 << (bits - 1)) {
          bits++;
        }
      }
      w.bits((1 << parameterBits) - 1, parameterBits);
      w.bits(bits, 5);
      for (int i = from; i < to; i++) {
        w.signed(residual[i], bits);
      }
    }

    private static byte[] md5Of12Bit(int[] samples) {
      try {
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        for (int v : samples) {
          md5.update((byte) v);
          md5.update((byte) (v >> 8));
        }
        return md5.digest();
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
