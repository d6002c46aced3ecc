package dev.sonus.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.testing.Budget;
import dev.sonus.testing.NativeMemory;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compressed audio through FFmpeg, on the small files that {@code scripts/make-codec-samples.sh}
 * encodes from two synthesized WAVs: each decodes close to its source (SNR after the best
 * alignment, so encoder delay does not matter, while silence, noise, a wrong rate or a truncated
 * decode all fail), {@code info} reads the container's length without decoding, damaged and
 * truncated files are refused with the path and the reason, and nothing leaks.
 */
class FfmpegReaderTest {
  @TempDir Path tmp;

  /**
   * One encoded sample: its source, the rate and channels it decodes to, the encoding {@code info}
   * names, the least SNR (dB) it must reach against the source, and how far (samples at its own
   * rate) {@code info}'s length may be from the source's.
   */
  record Case(
      String file,
      String source,
      int rate,
      int channels,
      String encoding,
      double minSnrDb,
      int infoTolerance) {
    @Override
    public String toString() {
      return file;
    }
  }

  static Stream<Case> cases() {
    // Least SNRs about 5 dB under what these files reach (FFmpeg 8.0.1's decoders); the native AAC
    // encoder's 64 kbit/s stereo ADTS file reaches only 10-12 dB. Garbage stays under 3 dB (see
    // silenceOrAWrongRateFailsTheComparison).
    return Stream.of(
        new Case("mono16k.mp3", "mono16k.wav", 16_000, 1, "MP3", 20, 576),
        new Case("mono16k.ogg", "mono16k.wav", 16_000, 1, "VORBIS", 18, 1024),
        new Case("mono16k.opus", "mono16k.wav", 48_000, 1, "OPUS", 15, 960),
        new Case("mono16k.m4a", "mono16k.wav", 16_000, 1, "AAC", 22, 1024),
        new Case("stereo44k.mp3", "stereo44k.wav", 44_100, 2, "MP3", 18, 1152),
        // Raw ADTS declares no length: info sums packets, which include the encoder's 1024-sample
        // delay and the padding of the last frame (as the decoder does).
        new Case("stereo44k.aac", "stereo44k.wav", 44_100, 2, "AAC", 6, 2048),
        new Case("stereo44k.webm", "stereo44k.wav", 48_000, 2, "OPUS", 20, 960));
  }

  static Stream<Arguments> caseArgs() {
    return cases().map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("caseArgs")
  void decodesCloseToItsSource(Case c) {
    Audio source = AudioIO.read(codec(c.source()));
    Audio decoded = AudioIO.read(codec(c.file()));
    assertEquals(c.rate(), decoded.sampleRate(), "sample rate");
    assertEquals(c.channels(), decoded.numChannels(), "channels");
    long expectedFrames = (long) source.numFrames() * c.rate() / source.sampleRate();
    assertTrue(
        Math.abs(decoded.numFrames() - expectedFrames) <= 2048,
        () -> decoded.numFrames() + " frames decoded, the source has " + expectedFrames);
    Audio comparable =
        decoded.sampleRate() == source.sampleRate()
            ? decoded
            : Resample.resample(decoded, source.sampleRate());
    for (int ch = 0; ch < c.channels(); ch++) {
      Alignment a = align(source.channel(ch), comparable.channel(ch), 2000);
      int channel = ch;
      assertTrue(
          a.snrDb() >= c.minSnrDb(),
          () ->
              String.format(
                  Locale.ROOT,
                  "%s channel %d: SNR %.1f dB at lag %d, expected at least %.1f dB",
                  c.file(),
                  channel,
                  a.snrDb(),
                  a.lag(),
                  c.minSnrDb()));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("caseArgs")
  void infoReadsRateChannelsAndLengthFromTheContainer(Case c) {
    AudioInfo source = AudioIO.info(codec(c.source()));
    AudioInfo info = AudioIO.info(codec(c.file()));
    long expectedFrames = source.numFrames() * c.rate() / source.sampleRate();
    assertEquals(c.rate(), info.sampleRate(), "sample rate");
    assertEquals(c.channels(), info.numChannels(), "channels");
    assertEquals(c.encoding(), info.encoding(), "encoding");
    assertEquals(0, info.bitsPerSample(), "bits per sample of a lossy codec");
    assertTrue(
        Math.abs(info.numFrames() - expectedFrames) <= c.infoTolerance(),
        () ->
            c.file()
                + ": info says "
                + info.numFrames()
                + " frames, the source has "
                + expectedFrames
                + " (tolerance "
                + c.infoTolerance()
                + ")");
    int decoded = AudioIO.read(codec(c.file())).numFrames();
    assertTrue(
        Math.abs(info.numFrames() - decoded) <= c.infoTolerance(),
        () -> c.file() + ": info says " + info.numFrames() + " frames, read decodes " + decoded);
  }

  @Test
  void silenceOrAWrongRateFailsTheComparison() {
    // The comparison itself must reject garbage, or the tolerances above prove nothing.
    float[] source = AudioIO.read(codec("mono16k.wav")).channel(0);
    assertTrue(align(source, new float[source.length], 2000).snrDb() < 1);
    float[] wrongRate = Resample.resample(source, 16_000, 22_050);
    assertTrue(align(source, wrongRate, 2000).snrDb() < 3);
    float[] noise = new float[source.length];
    Random r = new Random(1);
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) (0.3 * r.nextGaussian());
    }
    assertTrue(align(source, noise, 2000).snrDb() < 1);
    float[] firstHalf = Arrays.copyOf(source, source.length / 2);
    assertTrue(align(source, firstHalf, 2000).snrDb() < 6);
  }

  @Test
  void losslessOggFlacDecodesExactlyThroughTheSampleFormatConverter() {
    // FFmpeg's FLAC decoder gives 16-bit integers: libswresample turns them into floats.
    Audio source = AudioIO.read(codec("mono16k.wav"));
    Audio decoded = AudioIO.read(codec("mono16k.oga"));
    assertEquals(16_000, decoded.sampleRate());
    assertArrayEquals(source.channel(0), decoded.channel(0));
    assertEquals(new AudioInfo(16_000, 1, 16_000, 16, "FLAC"), AudioIO.info(codec("mono16k.oga")));
  }

  @Test
  void aiffIsReadThroughFfmpeg() {
    float[] source = AudioIO.read(codec("mono16k.wav")).channel(0);
    Audio decoded = AudioIO.read(codec("mono16k.aiff"));
    assertArrayEquals(Arrays.copyOf(source, 4000), decoded.channel(0));
    assertEquals(
        new AudioInfo(16_000, 1, 4000, 16, "PCM_S16BE"), AudioIO.info(codec("mono16k.aiff")));
  }

  @Test
  void readMonoDownmixesAndResamplesCompressedAudio() {
    Audio mono = AudioIO.readMono(codec("stereo44k.webm"), 16_000);
    assertEquals(1, mono.numChannels());
    assertEquals(16_000, mono.sampleRate());
    assertTrue(Math.abs(mono.numFrames() - 8000) <= 16, () -> mono.numFrames() + " frames");
  }

  @Test
  void namesWithColonsSpacesAndAccentsOpen() throws IOException {
    Path odd = Files.copy(codec("mono16k.ogg"), tmp.resolve("take 1: café ünïcode.ogg"));
    assertEquals(
        AudioIO.read(codec("mono16k.ogg")).channel(0).length, AudioIO.read(odd).channel(0).length);
  }

  @Test
  void concurrentDecodesEqualSequentialOnes() throws Exception {
    List<String> files = cases().map(Case::file).toList();
    List<Audio> expected = files.stream().map(f -> AudioIO.read(codec(f))).toList();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 8 * files.size(); i++) {
        int k = i % files.size();
        results.add(pool.submit(() -> AudioIO.read(codec(files.get(k))).equals(expected.get(k))));
      }
      for (Future<Boolean> f : results) {
        assertTrue(f.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- info of long files

  /** 2 hours of 8 kHz MP3 at 8 kbit/s: the committed 1.152 s file's 16 frames, 6250 times. */
  private Path twoHourMp3() throws IOException {
    byte[] frames = Files.readAllBytes(codec("cbr8k.mp3"));
    assertEquals(16 * 72, frames.length, "cbr8k.mp3 should be 16 frames of 72 bytes, no tags");
    Path f = tmp.resolve("two-hours.mp3");
    try (OutputStream out = Files.newOutputStream(f)) {
      for (int i = 0; i < 6250; i++) {
        out.write(frames);
      }
    }
    return f;
  }

  @Test
  void infoOfATwoHourMp3IsQuickAndDoesNotDecode() throws IOException {
    Path f = twoHourMp3();
    AudioIO.info(codec("cbr8k.mp3")); // loads FFmpeg outside the budget
    long[] allocated = new long[1];
    AudioInfo[] info = new AudioInfo[1];
    Budget.assertWithin(
        "info of a 2-hour MP3 (" + Files.size(f) + " bytes)",
        new Budget.Limit(Duration.ofSeconds(2), 256L << 20, 64L << 20),
        () -> {
          long before = threadAllocatedBytes();
          info[0] = AudioIO.info(f);
          allocated[0] = threadAllocatedBytes() - before;
          return info[0];
        });
    assertEquals(8000, info[0].sampleRate());
    assertEquals(1, info[0].numChannels());
    assertEquals("MP3", info[0].encoding());
    assertEquals(6250L * 16 * 576, info[0].numFrames());
    assertEquals(7200.0, info[0].durationSeconds(), 1e-9);
    // Decoding would allocate 230 MB of floats (57.6 million samples).
    assertTrue(allocated[0] < 16L << 20, () -> "info allocated " + allocated[0] + " bytes");
  }

  @Test
  void decodingPastTheLimitIsRefusedWhileDecoding() throws IOException {
    // No Xing header: the length is unknown until decoded, so the limit stops the decoder.
    Path f = twoHourMp3();
    AudioIO.ReadOptions small = AudioIO.ReadOptions.defaults().withMaxDecodedBytes(4L << 20);
    AudioFormatException e = assertThrows(AudioFormatException.class, () -> AudioIO.read(f, small));
    assertMessage(e, f, "decoding reached", "maxDecodedBytes", "withMaxDecodedBytes(");
  }

  @Test
  void aDeclaredLengthPastTheLimitIsRefusedBeforeDecoding() {
    Path f = codec("mono16k.mp3");
    AudioIO.ReadOptions tiny = AudioIO.ReadOptions.defaults().withMaxDecodedBytes(16_000);
    AudioFormatException e = assertThrows(AudioFormatException.class, () -> AudioIO.read(f, tiny));
    assertMessage(e, f, "the container declares 1 channel(s) of 16000 samples", "maxDecodedBytes");
  }

  // ---- damaged files

  static Stream<String> damageable() {
    return Stream.of(
        "mono16k.mp3",
        "mono16k.ogg",
        "mono16k.opus",
        "mono16k.m4a",
        "stereo44k.mp3",
        "stereo44k.aac",
        "stereo44k.webm");
  }

  @ParameterizedTest
  @MethodSource("damageable")
  void aFileTruncatedToHalfIsRefused(String name) throws IOException {
    byte[] whole = Files.readAllBytes(codec(name));
    Path f = Files.write(tmp.resolve("half-" + name), Arrays.copyOf(whole, whole.length / 2));
    assertRefused(f);
  }

  @ParameterizedTest
  @MethodSource("damageable")
  void aFileWithRandomBytesInTheMiddleIsRefused(String name) throws IOException {
    byte[] b = Files.readAllBytes(codec(name));
    Random r = new Random(name.hashCode());
    for (int i = b.length * 3 / 8; i < b.length * 5 / 8; i++) {
      b[i] = (byte) r.nextInt(256);
    }
    Path f = Files.write(tmp.resolve("noisy-" + name), b);
    assertRefused(f);
  }

  @ParameterizedTest
  @MethodSource("oggFiles")
  void anOggFileCutInsideItsLastPageIsRefused(String name) throws IOException {
    byte[] whole = Files.readAllBytes(codec(name));
    Path f = Files.write(tmp.resolve("cut-" + name), Arrays.copyOf(whole, whole.length - 100));
    AudioFormatException e = assertRefused(f);
    assertMessage(e, f, "truncated", "Ogg page at byte");
  }

  static Stream<String> oggFiles() {
    return Stream.of("mono16k.ogg", "mono16k.opus", "mono16k.oga");
  }

  @Test
  void anMp3CutInsideItsLastFrameIsRefused() throws IOException {
    // No Xing header to compare with: the last frame's header says how long it should be.
    byte[] frames = Files.readAllBytes(codec("cbr8k.mp3"));
    Path f = Files.write(tmp.resolve("cut.mp3"), Arrays.copyOf(frames, 15 * 72 + 30));
    AudioFormatException e = assertRefused(f);
    assertMessage(e, f, "truncated", "at byte 1080", "needs 72 bytes", "ends after 30");
  }

  @Test
  void anEmptyMp3IsRefused() throws IOException {
    Path f = Files.write(tmp.resolve("empty.mp3"), new byte[0]);
    assertMessage(assertRefused(f), f, "empty (0 bytes)");
    assertMessage(
        assertThrows(AudioFormatException.class, () -> AudioIO.info(f)), f, "empty (0 bytes)");
  }

  @Test
  void aTextFileNamedMp3IsRefusedAsUnrecognised() throws IOException {
    Path f =
        Files.write(
            tmp.resolve("notes.mp3"),
            "hello, this is not audio at all\n".repeat(20).getBytes(StandardCharsets.US_ASCII));
    for (Executable call : List.<Executable>of(() -> AudioIO.read(f), () -> AudioIO.info(f))) {
      AudioFormatException e = assertThrows(AudioFormatException.class, call);
      assertMessage(
          e, f, "unrecognised audio format", "68656c6c6f2c2074", "supported: WAV", "MP3", "ffmpeg");
    }
  }

  @Test
  void aWavFileHeaderIsNotHandedToFfmpegEvenWhenNamedMp3() throws IOException {
    Path f = Files.copy(codec("mono16k.wav"), tmp.resolve("actually-wav.mp3"));
    assertEquals("PCM_S16", AudioIO.info(f).encoding());
  }

  // ---- native memory

  @Test
  void nativeMemoryStaysFlatOverManyDecodes() throws IOException {
    byte[] whole = Files.readAllBytes(codec("mono16k.m4a"));
    Path damaged = Files.write(tmp.resolve("half.m4a"), Arrays.copyOf(whole, whole.length / 2));
    List<Path> files =
        List.of(
            codec("mono16k.mp3"),
            codec("mono16k.ogg"),
            codec("mono16k.opus"),
            codec("mono16k.m4a"),
            codec("mono16k.oga"),
            codec("stereo44k.webm"));
    Runnable round =
        () -> {
          for (Path f : files) {
            AudioIO.read(f);
            AudioIO.info(f);
          }
          assertThrows(AudioFormatException.class, () -> AudioIO.read(damaged));
        };
    // Warm up first: the JIT, glibc's arenas and the heap each add a step of about 10 MiB once.
    for (int i = 0; i < 30; i++) {
      round.run();
    }
    NativeMemory.settle();
    long physicalBefore = Pointer.physicalBytes();
    long trackedBefore = Pointer.totalBytes();
    long countBefore = Pointer.totalCount();
    int rounds = 60;
    for (int i = 0; i < rounds; i++) {
      round.run();
    }
    NativeMemory.settle();
    long grown = Pointer.physicalBytes() - physicalBefore;
    // 780 calls: leaving one format context open per call (about 100 KiB with its I/O buffer and
    // probing state) adds 75 MiB; without a leak the resident size moves by a few MiB, once by a
    // step like the ones above.
    assertTrue(
        grown < 24L << 20,
        () -> "resident memory grew by " + grown / 1024 + " KiB over " + rounds * 13 + " calls");
    assertEquals(trackedBefore, Pointer.totalBytes(), "JavaCPP-allocated bytes");
    assertEquals(countBefore, Pointer.totalCount(), "JavaCPP-allocated pointers");
  }

  // ---- helpers

  private static AudioFormatException assertRefused(Path f) {
    AudioFormatException e = assertThrows(AudioFormatException.class, () -> AudioIO.read(f));
    assertMessage(e, f);
    return e;
  }

  private static void assertMessage(AudioFormatException e, Path f, String... fragments) {
    String message = e.getMessage();
    assertTrue(
        message.startsWith(f + ": "), () -> "message does not start with the path: " + message);
    assertEquals(f, e.path());
    for (String fragment : fragments) {
      assertTrue(message.contains(fragment), () -> "message lacks '" + fragment + "': " + message);
    }
  }

  /** The lag (decoded[t + lag] matches source[t]) and the SNR there, in dB. */
  record Alignment(int lag, double snrDb) {}

  /**
   * Finds the lag in {@code [-maxLag, maxLag]} of highest cross-correlation and returns the SNR of
   * {@code decoded} against {@code source} there, over the whole source: samples the decode lacks
   * count as zeros, so a short decode loses.
   */
  static Alignment align(float[] source, float[] decoded, int maxLag) {
    int bestLag = 0;
    double best = Double.NEGATIVE_INFINITY;
    for (int lag = -maxLag; lag <= maxLag; lag++) {
      double dot = 0;
      int from = Math.max(0, -lag);
      int to = Math.min(source.length, decoded.length - lag);
      for (int t = from; t < to; t++) {
        dot += source[t] * decoded[t + lag];
      }
      if (dot > best) {
        best = dot;
        bestLag = lag;
      }
    }
    double signal = 0;
    double noise = 0;
    for (int t = 0; t < source.length; t++) {
      int u = t + bestLag;
      double d = u >= 0 && u < decoded.length ? decoded[u] : 0;
      signal += (double) source[t] * source[t];
      noise += (source[t] - d) * (source[t] - d);
    }
    return new Alignment(bestLag, 10 * Math.log10(signal / Math.max(noise, 1e-30)));
  }

  private static long threadAllocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }

  static Path codec(String fileName) {
    URL url = FfmpegReaderTest.class.getResource("/audio/codec/" + fileName);
    if (url == null) {
      throw new IllegalStateException(
          "missing test input audio/codec/" + fileName + "; run scripts/make-codec-samples.sh");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
