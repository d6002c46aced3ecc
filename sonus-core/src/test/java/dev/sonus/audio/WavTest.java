package dev.sonus.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tests WAV reading and writing through {@link AudioIO}. Files to decode are built byte by byte
 * here with {@link Riff}, independently of {@link Wav}'s writer, so that reader and writer cannot
 * share a mistake.
 */
final class WavTest {
  private static final int[] CHANNEL_COUNTS = {1, 2, 6};

  @TempDir Path tmp;

  // ---------------------------------------------------------------------------------------------------------------
  // Write -> read round trips

  @ParameterizedTest
  @EnumSource(WavEncoding.class)
  void roundTripsLosslesslyInEveryEncodingOnMonoStereoAndSixChannels(WavEncoding encoding) {
    for (int channels : CHANNEL_COUNTS) {
      // 101 frames: for 8-bit mono the data chunk has an odd size and needs a pad byte.
      Audio audio =
          representableAudio(
              encoding, channels, 101, 22_050, 1000L * channels + encoding.ordinal());
      Path file = tmp.resolve(encoding + "-" + channels + "ch.wav");

      AudioIO.writeWav(file, audio, encoding);

      String what = encoding + ", " + channels + " channel(s)";
      assertEquals(audio, AudioIO.read(file), what);
      assertEquals(
          new AudioInfo(22_050, channels, 101, encoding.bits(), encoding.name()),
          AudioIO.info(file),
          what);
    }
  }

  @Test
  void roundTripsFullScaleExtremesOfEveryIntegerEncoding() {
    assertRoundTrip(WavEncoding.PCM_U8, -1f, 127 / 128f, 0f, -1 / 128f);
    assertRoundTrip(WavEncoding.PCM_S16, -1f, 32767 / 32768f, 0f, 1 / 32768f, -1 / 32768f);
    assertRoundTrip(WavEncoding.PCM_S24, -1f, 8388607 / 8388608f, 1 / 8388608f, -1 / 8388608f);
    // 2^31 - 128 is the largest 32-bit code whose scaled value a float holds exactly: 1 - 2^-24.
    assertRoundTrip(
        WavEncoding.PCM_S32,
        -1f,
        (float) ((Math.pow(2, 31) - 128) / Math.pow(2, 31)),
        (float) Math.pow(2, -31),
        (float) -Math.pow(2, -31));
  }

  @Test
  void roundTripsFloatsOutsideFullScaleAndSignedZeroInFloatEncodings() {
    float[] values = {
      -0f, 3.5f, -1e-30f, Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, 0.1f, 1f
    };
    assertRoundTrip(WavEncoding.FLOAT32, values);
    assertRoundTrip(WavEncoding.FLOAT64, values);
  }

  @Test
  void clipsIntegerEncodingsAtFullScaleAndRoundsToTheNearestStep() {
    Path file = tmp.resolve("clip.wav");
    AudioIO.writeWav(
        file,
        Audio.mono(new float[] {2f, -2f, 1f, 0.4f / 32768, 0.6f / 32768}, 16_000),
        WavEncoding.PCM_S16);

    assertArrayEquals(
        new float[] {32767 / 32768f, -1f, 32767 / 32768f, 0f, 1 / 32768f},
        AudioIO.read(file).channel(0));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Decoding hand-made files

  @Test
  void decodes16BitPcmAsSampleOver32768Exactly() throws IOException {
    short[] codes = {0, 1, -1, 32767, -32768, 12345, -2, 16384};
    ByteBuffer data = le(codes.length * 2);
    for (short s : codes) {
      data.putShort(s);
    }
    Path file = write("s16.wav", new Riff().fmt(1, 1, 16_000, 16).data(data.array()).bytes());

    float[] samples = AudioIO.read(file).channel(0);

    for (int i = 0; i < codes.length; i++) {
      assertEquals(codes[i] / 32768f, samples[i], "sample " + i);
    }
    assertEquals(-1f, samples[4]);
    assertEquals(32767f / 32768f, samples[3]);
    assertEquals(new AudioInfo(16_000, 1, codes.length, 16, "PCM_S16"), AudioIO.info(file));
  }

  @Test
  void decodes8BitUnsignedPcmWithOffset128() throws IOException {
    byte[] codes = {0, 1, 127, (byte) 128, (byte) 129, (byte) 255, 64};
    Path file = write("u8.wav", new Riff().fmt(1, 1, 8_000, 8).data(codes).bytes());

    assertArrayEquals(
        new float[] {-1f, -127 / 128f, -1 / 128f, 0f, 1 / 128f, 127 / 128f, -0.5f},
        AudioIO.read(file).channel(0));
    assertEquals(new AudioInfo(8_000, 1, 7, 8, "PCM_U8"), AudioIO.info(file));
  }

  @Test
  void decodes24BitPcmFromPlainFormat1Header() throws IOException {
    int[] codes = {0, 1, -1, 8_388_607, -8_388_608, 0x123456, -0x123456, 256};
    ByteBuffer data = le(codes.length * 3);
    for (int v : codes) {
      data.put((byte) v).put((byte) (v >> 8)).put((byte) (v >> 16));
    }
    Path file = write("s24.wav", new Riff().fmt(1, 1, 44_100, 24).data(data.array()).bytes());

    float[] samples = AudioIO.read(file).channel(0);

    for (int i = 0; i < codes.length; i++) {
      assertEquals(codes[i] / 8388608f, samples[i], "sample " + i);
    }
    assertEquals(new AudioInfo(44_100, 1, codes.length, 24, "PCM_S24"), AudioIO.info(file));
  }

  @Test
  void decodes32BitIntegerPcmAsSampleOver2To31() throws IOException {
    int[] codes = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 123_456_789, 1 << 30};
    ByteBuffer data = le(codes.length * 4);
    for (int v : codes) {
      data.putInt(v);
    }
    Path file = write("s32.wav", new Riff().fmt(1, 1, 16_000, 32).data(data.array()).bytes());

    float[] samples = AudioIO.read(file).channel(0);

    for (int i = 0; i < codes.length; i++) {
      assertEquals((float) (codes[i] / 2147483648.0), samples[i], "sample " + i);
    }
    assertEquals(-1f, samples[4]);
    assertEquals(0.5f, samples[6]);
    assertEquals(new AudioInfo(16_000, 1, codes.length, 32, "PCM_S32"), AudioIO.info(file));
  }

  @Test
  void decodesFloat32WithFormatCode3AndFactChunk() throws IOException {
    float[] values = {0f, 0.25f, -1.5f, 1e-7f, 123.456f};
    ByteBuffer data = le(values.length * 4);
    for (float v : values) {
      data.putFloat(v);
    }
    byte[] fmt =
        fmtBody(3, 1, 48_000, 32, 18); // 18-byte fmt chunk with cbSize = 0, as float writers emit
    Path file =
        write(
            "f32.wav",
            new Riff()
                .chunk("fmt ", fmt)
                .chunk("fact", le(4).putInt(values.length).array())
                .data(data.array())
                .bytes());

    assertArrayEquals(values, AudioIO.read(file).channel(0));
    assertEquals(new AudioInfo(48_000, 1, values.length, 32, "FLOAT32"), AudioIO.info(file));
  }

  @Test
  void decodesFloat64WithFormatCode3() throws IOException {
    double[] values = {0.5, -0.125, 1.0 / 3};
    ByteBuffer data = le(values.length * 8);
    for (double v : values) {
      data.putDouble(v);
    }
    Path file = write("f64.wav", new Riff().fmt(3, 1, 16_000, 64).data(data.array()).bytes());

    assertArrayEquals(
        new float[] {0.5f, -0.125f, (float) (1.0 / 3)}, AudioIO.read(file).channel(0));
    assertEquals(new AudioInfo(16_000, 1, 3, 64, "FLOAT64"), AudioIO.info(file));
  }

  @Test
  void decodesWaveFormatExtensibleWithPcmSubFormat() throws IOException {
    int[] codes = {0x7FFFFF, -0x800000, 1, -1}; // two stereo frames of 24-bit PCM
    ByteBuffer data = le(codes.length * 3);
    for (int v : codes) {
      data.put((byte) v).put((byte) (v >> 8)).put((byte) (v >> 16));
    }
    Path file =
        write("ext-pcm.wav", new Riff().fmtExtensible(1, 2, 96_000, 24).data(data.array()).bytes());

    Audio audio = AudioIO.read(file);

    assertArrayEquals(new float[] {0x7FFFFF / 8388608f, 1 / 8388608f}, audio.channel(0));
    assertArrayEquals(new float[] {-1f, -1 / 8388608f}, audio.channel(1));
    assertEquals(new AudioInfo(96_000, 2, 2, 24, "PCM_S24"), AudioIO.info(file));
  }

  @Test
  void decodesWaveFormatExtensibleWithIeeeFloatSubFormat() throws IOException {
    float[] values = {0.75f, -0.75f, 2f};
    ByteBuffer data = le(values.length * 4);
    for (float v : values) {
      data.putFloat(v);
    }
    Path file =
        write(
            "ext-float.wav", new Riff().fmtExtensible(3, 1, 16_000, 32).data(data.array()).bytes());

    assertArrayEquals(values, AudioIO.read(file).channel(0));
    assertEquals(new AudioInfo(16_000, 1, 3, 32, "FLOAT32"), AudioIO.info(file));
  }

  @Test
  void skipsListAndOddSizedChunksWithTheirPadByteAroundTheAudio() throws IOException {
    short[] codes = {100, -100, 7};
    ByteBuffer data = le(codes.length * 2);
    for (short s : codes) {
      data.putShort(s);
    }
    byte[] list = "INFOISFT\u000e\0\0\0Lavf58.76.100\0".getBytes(StandardCharsets.ISO_8859_1);
    byte[] odd = {1, 2, 3, 4, 5}; // 5 bytes: followed by a pad byte that is not part of any chunk
    byte[] riff =
        new Riff()
            .chunk("JUNK", new byte[28])
            .fmt(1, 1, 16_000, 16)
            .chunk("LIST", list)
            .chunk("odd ", odd)
            .data(data.array())
            .chunk("LIST", list) // trailing metadata after the samples must not be read as samples
            .bytes();
    Path file = write("chunks.wav", riff);

    float[] samples = AudioIO.read(file).channel(0);

    assertArrayEquals(new float[] {100 / 32768f, -100 / 32768f, 7 / 32768f}, samples);
    assertEquals(new AudioInfo(16_000, 1, 3, 16, "PCM_S16"), AudioIO.info(file));
  }

  @Test
  void deinterleavesFramesIntoChannelFirstArrays() throws IOException {
    int channels = 3;
    int frames = 4;
    ByteBuffer data = le(channels * frames * 2);
    for (int t = 0; t < frames; t++) {
      for (int c = 0; c < channels; c++) {
        data.putShort((short) (1000 * c + t)); // frame-major on disk: L0 C0 R0 L1 C1 R1 ...
      }
    }
    Path file =
        write("three.wav", new Riff().fmt(1, channels, 16_000, 16).data(data.array()).bytes());

    Audio audio = AudioIO.read(file);

    assertEquals(channels, audio.numChannels());
    assertEquals(frames, audio.numFrames());
    for (int c = 0; c < channels; c++) {
      for (int t = 0; t < frames; t++) {
        assertEquals(
            (1000 * c + t) / 32768f, audio.samples()[c][t], "channel " + c + ", frame " + t);
      }
    }
  }

  @Test
  void downmixIsTheMeanOverChannels() throws IOException {
    short[] interleaved = {16384, 8192, -32768, 16384, 8192, -8192};
    ByteBuffer data = le(interleaved.length * 2);
    for (short s : interleaved) {
      data.putShort(s);
    }
    Path file = write("stereo.wav", new Riff().fmt(1, 2, 16_000, 16).data(data.array()).bytes());
    Audio stereo = AudioIO.read(file);

    assertArrayEquals(new float[] {0.375f, -0.25f, 0f}, stereo.downmix());
    assertEquals(Audio.mono(new float[] {0.375f, -0.25f, 0f}, 16_000), stereo.toMono());

    Audio three = new Audio(new float[][] {{0.75f, 0.1f}, {0.25f, 0.2f}, {-0.25f, 0.3f}}, 8_000);
    float[] mean = three.downmix();
    assertEquals(0.25f, mean[0], 1e-7f);
    assertEquals(0.2f, mean[1], 1e-7f);

    Audio mono = Audio.mono(new float[] {0.5f}, 8_000);
    assertSame(mono.channel(0), mono.downmix());
    assertSame(mono, mono.toMono());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // info

  @Test
  void infoReadsTheHeaderWithoutDecodingGarbageSamples() throws IOException {
    // Random bytes as float32 samples include NaNs and infinities; info must not look at them.
    byte[] garbage = new byte[1 << 20];
    new SplittableRandom(7).nextBytes(garbage);
    Path file = write("garbage.wav", new Riff().fmt(3, 2, 44_100, 32).data(garbage).bytes());

    assertEquals(new AudioInfo(44_100, 2, (1 << 20) / 8, 32, "FLOAT32"), AudioIO.info(file));
    assertEquals(((1 << 20) / 8) / 44_100.0, AudioIO.info(file).durationSeconds(), 1e-12);
  }

  @Test
  void infoHandlesADataChunkLargerThan2GiBThatReadRefuses() throws IOException {
    // A sparse file: the 3 GiB of samples take no disk space and are never read.
    long dataBytes = 3L << 30;
    assumeTrue(
        Files.getFileStore(tmp).getUsableSpace() > dataBytes || isLinux(),
        "skipped: not enough disk space for a 3 GiB (possibly non-sparse) file");
    Path file = tmp.resolve("huge.wav");
    byte[] header = new Riff().fmt(1, 2, 16_000, 16).dataHeader(dataBytes).bytes();
    Files.write(file, header);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(header.length + dataBytes);
    }

    assertEquals(new AudioInfo(16_000, 2, dataBytes / 4, 16, "PCM_S16"), AudioIO.info(file));
    assertFails(file, () -> AudioIO.read(file), "too large to decode at once", "split the file");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Errors: each names the file and the problem

  @Test
  void rejectsTruncatedDataChunk() throws IOException {
    Path file =
        write(
            "truncated.wav",
            new Riff().fmt(1, 1, 16_000, 16).dataHeader(1000).raw(new byte[100]).bytes());

    assertFails(
        file, () -> AudioIO.read(file), "truncated", "declares 1000 bytes", "only 100 remain");
    assertFails(
        file, () -> AudioIO.info(file), "truncated", "declares 1000 bytes", "only 100 remain");
  }

  @Test
  void rejectsFileTruncatedInsideTheHeader() throws IOException {
    Path wav = tmp.resolve("whole.wav");
    AudioIO.writeWav(wav, Audio.mono(new float[] {0f, 0.5f}, 16_000), WavEncoding.PCM_S16);
    Path cut =
        write(
            "cut.wav",
            Arrays.copyOf(Files.readAllBytes(wav), 20)); // RIFF header + 'fmt ' chunk header

    assertFails(cut, () -> AudioIO.read(cut), "file ends at byte 20", "'fmt ' chunk", "truncated");
    assertFails(cut, () -> AudioIO.info(cut), "file ends at byte 20", "'fmt ' chunk", "truncated");

    Path afterFmt = write("after-fmt.wav", Arrays.copyOf(Files.readAllBytes(wav), 36));
    assertFails(
        afterFmt,
        () -> AudioIO.read(afterFmt),
        "file ends at byte 36 before the 'data' chunk",
        "truncated");

    Path riffOnly = write("riff-only.wav", Arrays.copyOf(Files.readAllBytes(wav), 8));
    assertFails(
        riffOnly, () -> AudioIO.read(riffOnly), "8 bytes long", "too short for a WAV header");
  }

  @Test
  void rejectsFmtChunkShorterThan16Bytes() throws IOException {
    Path file =
        write(
            "short-fmt.wav",
            new Riff()
                .chunk("fmt ", Arrays.copyOf(fmtBody(1, 1, 16_000, 16, 16), 14))
                .data(new byte[4])
                .bytes());

    assertFails(
        file,
        () -> AudioIO.read(file),
        "'fmt ' chunk at byte 12 is 14 bytes long; expected at least 16",
        "corrupt header");
  }

  @Test
  void rejectsTextFileAsNotAudio() throws IOException {
    Path text = write("notes.wav", "hello, this is text\n".getBytes(StandardCharsets.US_ASCII));

    assertFails(
        text,
        () -> AudioIO.read(text),
        "unrecognised audio format",
        "68656c6c6f",
        "supported: WAV");
    assertFails(text, () -> AudioIO.info(text), "unrecognised audio format");
  }

  @Test
  void rejectsRiffFileThatIsNotWave() throws IOException {
    Path avi = write("movie.wav", new Riff().chunk("avih", new byte[8]).bytes("RIFF", "AVI "));

    assertFails(avi, () -> AudioIO.read(avi), "not a WAV file");
  }

  @Test
  void rejectsDirectory() {
    assertFails(tmp, () -> AudioIO.read(tmp), "is a directory");
    assertFails(tmp, () -> AudioIO.info(tmp), "is a directory");
  }

  @Test
  void rejectsMissingFile() {
    Path missing = tmp.resolve("missing.wav");

    assertFails(missing, () -> AudioIO.read(missing), "no such file");
    assertFails(missing, () -> AudioIO.info(missing), "no such file");
  }

  @Test
  void rejectsEmptyFile() throws IOException {
    Path empty = write("empty.wav", new byte[0]);

    assertFails(empty, () -> AudioIO.read(empty), "empty (0 bytes)");
    assertFails(empty, () -> AudioIO.info(empty), "empty (0 bytes)");
  }

  @Test
  void rejectsMuLawNamingTheFormatCode() throws IOException {
    Path file = write("ulaw.wav", new Riff().fmt(7, 1, 8_000, 8).data(new byte[16]).bytes());

    assertFails(
        file, () -> AudioIO.read(file), "format code 0x0007 (mu-law) is not supported", "PCM (1)");
    assertFails(file, () -> AudioIO.info(file), "format code 0x0007 (mu-law) is not supported");
  }

  @Test
  void rejectsExtensibleHeaderWithNonStandardSubFormatGuid() throws IOException {
    byte[] riff = new Riff().fmtExtensible(1, 1, 16_000, 16).data(new byte[4]).bytes();
    int guidLastByte = 12 + 8 + 40 - 1;
    riff[guidLastByte] ^= 0x01;
    Path file = write("guid.wav", riff);

    assertFails(file, () -> AudioIO.read(file), "sub-format GUID");
  }

  @Test
  void rejects12BitPcm() throws IOException {
    byte[] fmt = fmtBody(1, 1, 16_000, 12, 16); // block align 2: 12-bit samples stored in 2 bytes
    Path file = write("pcm12.wav", new Riff().chunk("fmt ", fmt).data(new byte[8]).bytes());

    assertFails(
        file,
        () -> AudioIO.read(file),
        "PCM WAV with 12 bits per sample is not supported",
        "PCM 8/16/24/32");
  }

  @Test
  void rejectsBlockAlignInconsistentWithChannelsTimesSampleBytes() throws IOException {
    byte[] fmt = fmtBody(1, 2, 16_000, 16, 16);
    ByteBuffer.wrap(fmt)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putShort(12, (short) 2); // stereo 16-bit needs 4
    Path file = write("align.wav", new Riff().chunk("fmt ", fmt).data(new byte[8]).bytes());

    assertFails(
        file,
        () -> AudioIO.read(file),
        "block size of 2 bytes",
        "2 channel(s) of 16-bit samples need 4",
        "corrupt header");
    assertFails(file, () -> AudioIO.info(file), "block size of 2 bytes");
  }

  @Test
  void rejectsDataChunkBeforeFmtChunk() throws IOException {
    Path file = write("order.wav", new Riff().data(new byte[4]).fmt(1, 1, 16_000, 16).bytes());

    assertFails(
        file, () -> AudioIO.read(file), "'data' chunk at byte 12 comes before any 'fmt ' chunk");
  }

  @Test
  void rejectsDataChunkWithZeroSamplesButInfoReportsZeroFrames() throws IOException {
    Path file = write("silent.wav", new Riff().fmt(1, 1, 16_000, 16).data(new byte[0]).bytes());

    assertFails(file, () -> AudioIO.read(file), "0 samples", "empty");
    assertEquals(new AudioInfo(16_000, 1, 0, 16, "PCM_S16"), AudioIO.info(file));
  }

  @Test
  void rejectsDataChunkThatIsNotAWholeNumberOfFrames() throws IOException {
    Path file = write("partial.wav", new Riff().fmt(1, 2, 16_000, 16).data(new byte[6]).bytes());

    assertFails(
        file, () -> AudioIO.read(file), "6 bytes is not a whole number of 4-byte sample frames");
  }

  @Test
  void rejectsRifxAndRf64NamingTheVariant() throws IOException {
    for (String magic : List.of("RIFX", "RF64")) {
      Path file =
          write(
              magic + ".wav",
              new Riff().fmt(1, 1, 16_000, 16).data(new byte[4]).bytes(magic, "WAVE"));

      assertFails(
          file, () -> AudioIO.read(file), magic + " WAV files are not supported", "convert");
      assertFails(file, () -> AudioIO.info(file), magic + " WAV files are not supported");
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Writing

  @Test
  void writingNanThrowsNamingChannelAndIndexAndLeavesTheExistingFileUnchanged() throws IOException {
    Path file = tmp.resolve("keep.wav");
    AudioIO.writeWav(file, Audio.mono(new float[] {0.5f, -0.5f}, 16_000), WavEncoding.PCM_S16);
    byte[] before = Files.readAllBytes(file);
    float[] right = {0f, 0f, 0f, Float.NaN};
    Audio bad = new Audio(new float[][] {new float[4], right}, 16_000);

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> AudioIO.writeWav(file, bad, WavEncoding.FLOAT32));

    assertTrue(e.getMessage().contains(file.toString()), e::getMessage);
    assertTrue(e.getMessage().contains("sample 3 of channel 1 is NaN"), e::getMessage);
    assertArrayEquals(before, Files.readAllBytes(file), "the previous file was modified");
    try (Stream<Path> files = Files.list(tmp)) {
      assertEquals(List.of(file), files.toList(), "a temporary file was left behind");
    }

    right[3] = Float.NEGATIVE_INFINITY;
    IllegalArgumentException inf =
        assertThrows(
            IllegalArgumentException.class, () -> AudioIO.writeWav(file, bad, WavEncoding.PCM_S16));
    assertTrue(inf.getMessage().contains("sample 3 of channel 1 is -Infinity"), inf::getMessage);
    assertArrayEquals(before, Files.readAllBytes(file), "the previous file was modified");
  }

  @Test
  void writingCreatesParentFolders() {
    Path file = tmp.resolve("a/b/c/out.wav");
    Audio audio = Audio.mono(new float[] {0.25f, -0.25f}, 16_000);

    AudioIO.writeWav(file, audio, WavEncoding.PCM_S16);

    assertEquals(audio, AudioIO.read(file));
  }

  @Test
  void rewritingReplacesTheContent() throws IOException {
    Path file = tmp.resolve("out.wav");
    AudioIO.writeWav(
        file, representableAudio(WavEncoding.PCM_S24, 6, 1000, 48_000, 1), WavEncoding.PCM_S24);
    Audio second = Audio.mono(new float[] {0.5f}, 8_000);

    AudioIO.writeWav(file, second, WavEncoding.PCM_U8);

    assertEquals(second, AudioIO.read(file));
    assertEquals(new AudioInfo(8_000, 1, 1, 8, "PCM_U8"), AudioIO.info(file));
    assertEquals(44 + 1 + 1, Files.size(file), "header, one sample and its pad byte");
  }

  @Test
  void writesThePlainHeaderThatOtherToolsExpectFor16BitMono() throws IOException {
    Path file = tmp.resolve("plain.wav");
    AudioIO.writeWav(file, Audio.mono(new float[] {0.5f, -0.5f}, 16_000), WavEncoding.PCM_S16);

    byte[] expected =
        new Riff()
            .fmt(1, 1, 16_000, 16)
            .data(le(4).putShort((short) 16384).putShort((short) -16384).array())
            .bytes();
    assertArrayEquals(expected, Files.readAllBytes(file));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Helpers

  /** Random samples that {@code encoding} stores exactly, including both full-scale ends. */
  private static Audio representableAudio(
      WavEncoding encoding, int channels, int frames, int rate, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[][] s = new float[channels][frames];
    for (int c = 0; c < channels; c++) {
      for (int t = 0; t < frames; t++) {
        s[c][t] =
            switch (encoding) {
              case PCM_U8 -> rng.nextInt(-128, 128) / 128f;
              case PCM_S16 -> rng.nextInt(-32768, 32768) / 32768f;
              case PCM_S24 -> rng.nextInt(-8388608, 8388608) / 8388608f;
              // k·2^8 with |k| < 2^23: a float holds k exactly, so k·2^8 / 2^31 is a float too.
              case PCM_S32 -> (float) ((rng.nextInt(-8388608, 8388608) * 256L) / 2147483648.0);
              case FLOAT32, FLOAT64 -> Float.intBitsToFloat(finiteBits(rng));
            };
      }
      s[c][0] = -1f;
    }
    return new Audio(s, rate);
  }

  private static int finiteBits(SplittableRandom rng) {
    while (true) {
      int bits = rng.nextInt();
      if (Float.isFinite(Float.intBitsToFloat(bits))) {
        return bits;
      }
    }
  }

  private void assertRoundTrip(WavEncoding encoding, float... values) {
    Path file = tmp.resolve("values-" + encoding + ".wav");
    AudioIO.writeWav(file, Audio.mono(values, 16_000), encoding);
    assertArrayEquals(values, AudioIO.read(file).channel(0), encoding.toString());
  }

  private static boolean isLinux() {
    return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
  }

  private Path write(String fileName, byte[] bytes) throws IOException {
    return Files.write(tmp.resolve(fileName), bytes);
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The body of a plain 'fmt ' chunk of {@code size} bytes (16, or 18 with a zero cbSize). */
  private static byte[] fmtBody(int code, int channels, int rate, int bits, int size) {
    int block = channels * ((bits + 7) / 8);
    ByteBuffer b = le(size);
    b.putShort((short) code)
        .putShort((short) channels)
        .putInt(rate)
        .putInt(rate * block)
        .putShort((short) block)
        .putShort((short) bits);
    return b.array();
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
    assertEquals(path, e.path());
    for (String fragment : fragments) {
      assertTrue(message.contains(fragment), () -> "message lacks '" + fragment + "': " + message);
    }
  }

  /** Builds a RIFF file chunk by chunk, little-endian, with pad bytes after odd-sized chunks. */
  private static final class Riff {
    private static final byte[] GUID_TAIL = {
      0x00,
      0x00,
      0x00,
      0x00,
      0x10,
      0x00,
      (byte) 0x80,
      0x00,
      0x00,
      (byte) 0xAA,
      0x00,
      0x38,
      (byte) 0x9B,
      0x71
    };

    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    /** A plain 16-byte 'fmt ' chunk with a consistent byte rate and block align. */
    Riff fmt(int code, int channels, int rate, int bits) {
      return chunk("fmt ", fmtBody(code, channels, rate, bits, 16));
    }

    /**
     * A 40-byte WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk whose sub-format GUID carries {@code subCode}.
     */
    Riff fmtExtensible(int subCode, int channels, int rate, int bits) {
      ByteBuffer b =
          ByteBuffer.wrap(Arrays.copyOf(fmtBody(0xFFFE, channels, rate, bits, 16), 40))
              .order(ByteOrder.LITTLE_ENDIAN);
      b.position(16);
      b.putShort((short) 22).putShort((short) bits).putInt((1 << channels) - 1);
      b.putShort((short) subCode).put(GUID_TAIL);
      return chunk("fmt ", b.array());
    }

    Riff data(byte[] samples) {
      return chunk("data", samples);
    }

    /** A 'data' chunk header alone, declaring {@code size} bytes (which may not follow). */
    Riff dataHeader(long size) {
      return raw("data".getBytes(StandardCharsets.US_ASCII)).raw(le(4).putInt((int) size).array());
    }

    Riff chunk(String id, byte[] content) {
      raw(id.getBytes(StandardCharsets.US_ASCII));
      raw(le(4).putInt(content.length).array());
      raw(content);
      if (content.length % 2 == 1) {
        body.write(0);
      }
      return this;
    }

    Riff raw(byte[] bytes) {
      body.writeBytes(bytes);
      return this;
    }

    byte[] bytes() {
      return bytes("RIFF", "WAVE");
    }

    byte[] bytes(String magic, String form) {
      ByteBuffer b = le(12 + body.size());
      b.put(magic.getBytes(StandardCharsets.US_ASCII))
          .putInt(4 + body.size())
          .put(form.getBytes(StandardCharsets.US_ASCII))
          .put(body.toByteArray());
      return b.array();
    }
  }
}
