package dev.sonus.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioFormatException;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The deep check: every file decoded, its samples looked at. */
class DataCheckDeepTest {
  @TempDir Path dir;

  private static final DataCheck.Options DEEP = DataCheck.Options.defaults().withDeep(true);

  private Path wav(String name, float[] x, int rate, WavEncoding encoding) {
    Path p = dir.resolve(name);
    AudioIO.writeWav(p, Audio.mono(x, rate), encoding);
    return p;
  }

  private static float[] tone(int n, double amplitude) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (amplitude * Math.sin(i * 0.05));
    }
    return x;
  }

  /** A mono IEEE-float WAV written byte by byte: {@code AudioIO.writeWav} refuses NaN. */
  private Path floatWav(String name, float[] x, int rate) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(44 + 4 * x.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + 4 * x.length);
    b.put("WAVEfmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16);
    b.putShort((short) 3).putShort((short) 1).putInt(rate).putInt(4 * rate);
    b.putShort((short) 4).putShort((short) 32);
    b.put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(4 * x.length);
    for (float v : x) {
      b.putFloat(v);
    }
    return Files.write(dir.resolve(name), b.array());
  }

  private byte[] flacFixture() throws IOException {
    try (InputStream in =
        DataCheckDeepTest.class.getResourceAsStream("/audio/flac/mono16_16k.flac")) {
      if (in == null) {
        throw new IllegalStateException(
            "missing test fixture audio/flac/mono16_16k.flac; run "
                + "src/test/resources/audio/make-flac-fixtures.sh");
      }
      return in.readAllBytes();
    }
  }

  private Manifest manifest(Path... files) throws IOException {
    StringBuilder sb = new StringBuilder("ID,wav\n");
    for (Path f : files) {
      sb.append(f.getFileName().toString().replace('.', '_')).append(',').append(f).append('\n');
    }
    Path p = dir.resolve("train.csv");
    Files.writeString(p, sb.toString());
    return Manifest.load(p, Map.of());
  }

  private static Set<DataCheck.Kind> kinds(DataCheck.Report r) {
    return r.problems().stream().map(DataCheck.Problem::kind).collect(Collectors.toSet());
  }

  @Test
  void aCorruptFlacFramePassesTheHeaderCheckButNotTheDeepOne() throws IOException {
    byte[] flac = flacFixture();
    Path good = Files.write(dir.resolve("good.flac"), flac);
    byte[] flipped = flac.clone();
    flipped[flipped.length / 2] ^= 0x55;
    Path corrupt = Files.write(dir.resolve("corrupt.flac"), flipped);
    byte[] md5 = flac.clone();
    md5[30] ^= 0x01; // STREAMINFO's MD5 signature occupies bytes 26-41
    Path badMd5 = Files.write(dir.resolve("md5.flac"), md5);
    Manifest m = manifest(good, corrupt, badMd5);

    assertTrue(DataCheck.check(List.of(m), DataCheck.Options.defaults()).ok());
    DataCheck.Report r = DataCheck.check(List.of(m), DEEP);
    assertEquals(Set.of(DataCheck.Kind.DECODE_ERROR), kinds(r), r::format);
    assertEquals(2, r.problems().size(), r::format);
    String text = r.format();
    assertTrue(text.contains("train.csv:3: corrupt_flac [decode_error] " + corrupt), text);
    assertTrue(text.contains("CRC-16 mismatch"), text);
    assertTrue(text.contains("train.csv:4: md5_flac [decode_error] " + badMd5), text);
    assertTrue(text.contains("MD5"), text);
  }

  @Test
  void compressedFilesPassWithTheirCodecPaddingAndACutOneIsADecodeError() throws IOException {
    List<Path> files = new ArrayList<>();
    for (String name :
        List.of("mono16k.mp3", "mono16k.ogg", "mono16k.m4a", "mono16k.opus", "stereo44k.webm")) {
      try (InputStream in = DataCheckDeepTest.class.getResourceAsStream("/audio/codec/" + name)) {
        files.add(Files.write(dir.resolve(name), in.readAllBytes()));
      }
    }
    byte[] mp3 = Files.readAllBytes(files.get(0));
    Path cut = Files.write(dir.resolve("cut.mp3"), java.util.Arrays.copyOf(mp3, mp3.length / 2));
    files.add(cut);
    Manifest m = manifest(files.toArray(Path[]::new));

    DataCheck.Report r = DataCheck.check(List.of(m), DEEP);
    assertEquals(Set.of(DataCheck.Kind.DECODE_ERROR), kinds(r), r::format);
    assertEquals(1, r.problems().size(), r::format);
    assertTrue(r.format().contains("cut_mp3 [decode_error] " + cut), r::format);
  }

  @Test
  void nanAndInfiniteSamplesAreReportedWithTheFirstOne() throws IOException {
    float[] x = tone(1600, 0.3);
    x[700] = Float.NaN;
    x[900] = Float.POSITIVE_INFINITY;
    Path nan = floatWav("nan.wav", x, 16000);
    Path fine = floatWav("fine.wav", tone(1600, 0.3), 16000);
    Manifest m = manifest(nan, fine);

    assertTrue(DataCheck.check(List.of(m), DataCheck.Options.defaults()).ok());
    DataCheck.Report r = DataCheck.check(List.of(m), DEEP);
    assertEquals(Set.of(DataCheck.Kind.NON_FINITE_SAMPLES), kinds(r), r::format);
    String line = r.problems().get(0).toString();
    assertTrue(line.startsWith(m.source() + ":2: nan_wav [non_finite_samples] " + nan), line);
    // Either this check found them (2 samples, the first NaN at frame 700), or the reader refused
    // the file and its message names it.
    assertTrue(
        line.contains("2 NaN or infinite sample(s), the first NaN at frame 700")
            || line.toLowerCase(java.util.Locale.ROOT).contains("nan"),
        line);
  }

  @Test
  void aReaderThatRefusesNonFiniteSamplesIsReportedAsSuch() {
    Path p = Path.of("x.wav");
    assertEquals(
        DataCheck.Kind.NON_FINITE_SAMPLES,
        DataCheck.decodeFailureKind(
            new AudioFormatException(p, "sample 700 of channel 0 is NaN; the file is corrupt")));
    assertEquals(
        DataCheck.Kind.NON_FINITE_SAMPLES,
        DataCheck.decodeFailureKind(
            new IllegalArgumentException(
                "x.wav", new IllegalStateException("holds non-finite samples (Inf)"))));
    assertEquals(
        DataCheck.Kind.NON_FINITE_SAMPLES,
        DataCheck.decodeFailureKind(
            new IllegalArgumentException("cannot read x.wav: sample 3 is not a finite number")));
    assertEquals(
        DataCheck.Kind.DECODE_ERROR,
        DataCheck.decodeFailureKind(
            new AudioFormatException(p, "frame 3 at byte 4096: CRC-16 mismatch, STREAMINFO")));
  }

  @Test
  void clippingAboveTheAllowedFractionIsReported() throws IOException {
    float[] x = tone(8000, 0.5);
    for (int i = 0; i < 80; i++) {
      x[i * 100] = i % 2 == 0 ? 1f : -1f; // 1 % of the samples at +-full scale
    }
    Path clipped = wav("clipped.wav", x, 8000, WavEncoding.PCM_S16);
    float[] once = tone(8000, 0.5);
    once[10] = 1f; // a single full-scale sample: 0.0125 %
    Path touched = wav("touched.wav", once, 8000, WavEncoding.PCM_S16);
    Path floating = wav("float.wav", x, 8000, WavEncoding.FLOAT32);
    Manifest m = manifest(clipped, touched, floating);

    DataCheck.Report r = DataCheck.check(List.of(m), DEEP);
    assertEquals(Set.of(DataCheck.Kind.CLIPPING), kinds(r), r::format);
    assertEquals(2, r.problems().size(), r::format);
    String text = r.format();
    assertTrue(text.contains("clipped_wav [clipping]") && text.contains("80 of 8000"), text);
    assertTrue(text.contains("(1.000%) at full scale, more than 0.100%"), text);
    assertTrue(text.contains("float_wav [clipping]"), text);
    // A stricter threshold catches the single sample too; a looser one lets all pass.
    assertEquals(3, DataCheck.check(List.of(m), DEEP.withLevels(0, 0.001)).problems().size());
    assertTrue(DataCheck.check(List.of(m), DEEP.withLevels(0.02, 0.001)).ok());
  }

  @Test
  void silentFilesAreReportedBelowThePeakThreshold() throws IOException {
    Path zeros = wav("zeros.wav", new float[4000], 8000, WavEncoding.PCM_S16);
    Path hum = wav("hum.wav", tone(4000, 0.0005), 8000, WavEncoding.PCM_S16);
    Path speech = wav("speech.wav", tone(4000, 0.2), 8000, WavEncoding.PCM_S16);
    Manifest m = manifest(zeros, hum, speech);

    DataCheck.Report r = DataCheck.check(List.of(m), DEEP);
    assertEquals(Set.of(DataCheck.Kind.SILENT_AUDIO), kinds(r), r::format);
    assertEquals(2, r.problems().size(), r::format);
    assertTrue(r.format().contains("zeros_wav [silent_audio]"), r::format);
    assertTrue(r.format().contains("digital silence"), r::format);
    assertTrue(r.format().contains("hum_wav [silent_audio]") && r.format().contains("dBFS"));
    assertEquals(1, DataCheck.check(List.of(m), DEEP.withLevels(0.001, 1e-4)).problems().size());
  }

  @Test
  void theDecodedLengthIsComparedWithTheDeclaredDuration() throws IOException {
    Path a = wav("a.wav", tone(8000, 0.2), 16000, WavEncoding.PCM_S16);
    Path p = dir.resolve("train.csv");
    Files.writeString(p, "ID,duration,wav\nright,0.5," + a + "\nwrong,0.9," + a + "\n");
    Manifest m = Manifest.load(p, Map.of());
    DataCheck.Report r = DataCheck.check(List.of(m), DEEP);
    assertEquals(Set.of(DataCheck.Kind.DURATION_MISMATCH), kinds(r), r::format);
    assertTrue(
        r.format().contains("train.csv:3: wrong [duration_mismatch] declared duration 0.900 s")
            && r.format().contains("decodes to 0.500 s"),
        r::format);
    assertEquals(0.5 + 0.5, r.audioSeconds(), 1e-9);
  }

  @Test
  void decodesOnSeveralThreadsAndReportsProgressUpToTheTotal() throws IOException {
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      files.add(wav("f" + i + ".wav", tone(4000, 0.2), 8000, WavEncoding.PCM_S16));
    }
    Manifest m = manifest(files.toArray(new Path[0]));
    List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
    List<String> threads = Collections.synchronizedList(new ArrayList<>());
    DataCheck.Report r =
        DataCheck.check(
            List.of(m),
            DEEP.withThreads(3),
            (done, total, elapsed) -> {
              assertEquals(24, total);
              assertTrue(elapsed >= 0);
              seen.add(done);
              threads.add(Thread.currentThread().getName());
            });
    assertTrue(r.ok(), r::format);
    assertEquals(24, r.rows());
    assertEquals(24 * 0.5, r.audioSeconds(), 1e-9);
    List<Integer> expected = new ArrayList<>();
    for (int i = 1; i <= 24; i++) {
      expected.add(i);
    }
    assertEquals(expected, seen);
    assertTrue(
        threads.stream().allMatch(t -> t.equals(Thread.currentThread().getName())),
        "progress is reported on the calling thread: " + threads);
  }

  @Test
  void theDemoCorpusPassesTheDeepCheckInsideItsDataRoot() {
    Path demo = Path.of("../demo/digits");
    Map<String, String> root = Map.of("data_root", demo.toString());
    List<Manifest> splits = new ArrayList<>();
    for (String split : List.of("train", "valid", "test")) {
      splits.add(Manifest.load(demo.resolve(split + ".csv"), root));
    }
    DataCheck.Report r =
        DataCheck.check(splits, DEEP.withDataRoot(demo).withContain(true).withThreads(2));
    assertTrue(r.ok() && r.warnings().isEmpty(), r::format);
    assertEquals(splits.stream().mapToInt(Manifest::size).sum(), r.rows());
  }
}
