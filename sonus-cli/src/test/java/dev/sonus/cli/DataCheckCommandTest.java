package dev.sonus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sonus data check}: the always-on checks, --deep, --contain and --held-out. */
class DataCheckCommandTest {
  @TempDir Path dir;

  private Path tone(String name) {
    float[] x = new float[8000];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.3 * Math.sin(i * 0.1));
    }
    Path p = dir.resolve(name);
    AudioIO.writeWav(p, Audio.mono(x, 16000), WavEncoding.PCM_S16);
    return p;
  }

  /** A float WAV holding a NaN, written byte by byte (AudioIO.writeWav refuses NaN). */
  private Path nanWav(String name) throws IOException {
    int n = 8000;
    ByteBuffer b = ByteBuffer.allocate(44 + 4 * n).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + 4 * n);
    b.put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16);
    b.putShort((short) 3).putShort((short) 1).putInt(16000).putInt(4 * 16000);
    b.putShort((short) 4).putShort((short) 32);
    b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(4 * n);
    for (int i = 0; i < n; i++) {
      b.putFloat(i == 123 ? Float.NaN : (float) (0.3 * Math.sin(i * 0.1)));
    }
    return Files.write(dir.resolve(name), b.array());
  }

  private Path flac(String name, boolean corrupt) throws IOException {
    byte[] bytes;
    try (var in = getClass().getResourceAsStream("/audio/flac/mono16_16k.flac")) {
      if (in == null) {
        throw new IllegalStateException(
            "missing the core's test fixture audio/flac/mono16_16k.flac");
      }
      bytes = in.readAllBytes();
    }
    if (corrupt) {
      bytes[bytes.length / 2] ^= 0x55;
    }
    return Files.write(dir.resolve(name), bytes);
  }

  private Path csv(String name, String body) throws IOException {
    return Files.writeString(dir.resolve(name), "ID,duration,wav,spk_id,wrd\n" + body);
  }

  @Test
  void nanDurationsAndEmptyIdsFailTheDefaultCheck() throws IOException {
    tone("a.wav");
    Path train = csv("train.csv", "a,-0.5,$data_root/a.wav,s1,one\n,0.5,$data_root/a.wav,s1,two\n");
    MainTest.Result r =
        MainTest.run("data", "check", train.toString(), "--data-root", dir.toString());
    assertEquals(1, r.status(), r.out() + r.err());
    assertTrue(r.out().contains("train.csv:2: a [invalid_duration] duration '-0.5'"), r.out());
    assertTrue(r.out().contains("negative"), r.out());
    assertTrue(r.out().contains("train.csv:3:  [empty_id]"), r.out());

    // A NaN duration is refused as the manifest loads, with its line.
    Path nan = csv("nan.csv", "a,NaN,$data_root/a.wav,s1,one\n");
    MainTest.Result n =
        MainTest.run("data", "check", nan.toString(), "--data-root", dir.toString());
    assertEquals(1, n.status(), n.out() + n.err());
    assertTrue(n.err().contains("nan.csv:2: duration 'NaN' is not a finite number"), n.err());
  }

  @Test
  void deepDecodingFindsACorruptFlacAndANanWavThatTheHeadersHide() throws IOException {
    Path good = flac("good.flac", false);
    Path bad = flac("bad.flac", true);
    Path nan = nanWav("nan.wav");
    Path train =
        Files.writeString(
            dir.resolve("train.csv"),
            "ID,wav\ngood," + good + "\nbad," + bad + "\nnan," + nan + "\n");
    MainTest.Result headers = MainTest.run("data", "check", train.toString());
    assertEquals(0, headers.status(), headers.out() + headers.err());

    MainTest.Result deep = MainTest.run("data", "check", "--deep", train.toString());
    assertEquals(1, deep.status(), deep.out() + deep.err());
    assertTrue(deep.out().contains("train.csv:3: bad [decode_error] " + bad), deep.out());
    assertTrue(deep.out().contains("CRC-16 mismatch"), deep.out());
    assertTrue(deep.out().contains("train.csv:4: nan [non_finite_samples] " + nan), deep.out());
    assertFalse(deep.out().contains("good ["), deep.out());
  }

  @Test
  void deepThresholdsComeFromTheirOptions() throws IOException {
    float[] x = new float[8000];
    for (int i = 0; i < 40; i++) {
      x[i * 100] = 1f; // 0.5 % at full scale
    }
    for (int i = 0; i < x.length; i++) {
      x[i] = x[i] == 0 ? (float) (0.2 * Math.sin(i * 0.1)) : x[i];
    }
    Path loud = dir.resolve("loud.wav");
    AudioIO.writeWav(loud, Audio.mono(x, 16000), WavEncoding.PCM_S16);
    Path train = Files.writeString(dir.resolve("train.csv"), "ID,wav\nloud," + loud + "\n");
    MainTest.Result strict = MainTest.run("data", "check", "--deep", train.toString());
    assertEquals(1, strict.status(), strict.out());
    assertTrue(
        strict.out().contains("[clipping]") && strict.out().contains("40 of 8000"), strict.out());
    MainTest.Result lax =
        MainTest.run("data", "check", "--deep", "--clip-fraction", "0.01", train.toString());
    assertEquals(0, lax.status(), lax.out());
    MainTest.Result silent =
        MainTest.run(
            "data",
            "check",
            "--deep",
            "--clip-fraction",
            "0.01",
            "--silence-peak",
            "1",
            train.toString());
    assertEquals(1, silent.status(), silent.out());
    assertTrue(silent.out().contains("[silent_audio]"), silent.out());
  }

  @Test
  void audioOutsideTheDataRootWarnsAndWithContainFails() throws IOException {
    Path root = Files.createDirectories(dir.resolve("root"));
    Path outside = tone("outside.wav");
    Files.copy(outside, root.resolve("in.wav"));
    Path train =
        csv(
            "train.csv",
            "in,0.5,$data_root/in.wav,s1,one\nup,0.5,$data_root/../outside.wav,s1,two\n"
                + "abs,0.5,"
                + outside
                + ",s1,three\n");
    MainTest.Result lenient =
        MainTest.run("data", "check", train.toString(), "--data-root", root.toString());
    assertEquals(0, lenient.status(), lenient.out() + lenient.err());
    assertTrue(lenient.out().contains("2 warning(s) {outside_data_root=2}"), lenient.out());
    assertTrue(
        lenient.out().contains("warning: " + train + ":3: up [outside_data_root]"), lenient.out());

    MainTest.Result strict =
        MainTest.run(
            "data", "check", train.toString(), "--data-root", root.toString(), "--contain");
    assertEquals(1, strict.status(), strict.out());
    assertTrue(strict.out().contains(train + ":3: up [outside_data_root]"), strict.out());
    assertTrue(strict.out().contains(train + ":4: abs [outside_data_root]"), strict.out());

    MainTest.Result noRoot = MainTest.run("data", "check", train.toString(), "--contain");
    assertEquals(2, noRoot.status());
    assertTrue(noRoot.err().contains("--contain needs --data-root"), noRoot.err());
  }

  @Test
  void heldOutSplitsByNameTokenAndByOption() throws IOException {
    tone("a.wav");
    String root = dir.toString();
    Path train = csv("bad_train.csv", "a,0.5,$data_root/a.wav,s1,one\n");
    Path test = csv("bad_test.csv", "b,0.5,$data_root/a.wav,s1,two\n");
    MainTest.Result byName =
        MainTest.run("data", "check", train.toString(), test.toString(), "--data-root", root);
    assertEquals(1, byName.status(), byName.out());
    assertTrue(byName.out().contains("bad_test.csv:2: b [speaker_overlap]"), byName.out());

    Path dev = csv("dev.csv", "c,0.5,$data_root/a.wav,s1,three\n");
    MainTest.Result plain =
        MainTest.run("data", "check", train.toString(), dev.toString(), "--data-root", root);
    assertEquals(0, plain.status(), plain.out());
    // A held-out file need not be among the MANIFESTs: it is checked too.
    MainTest.Result option =
        MainTest.run(
            "data", "check", train.toString(), "--data-root", root, "--held-out", dev.toString());
    assertEquals(1, option.status(), option.out());
    assertTrue(option.out().contains("2 rows"), option.out());
    assertTrue(option.out().contains("dev.csv:2: c [speaker_overlap]"), option.out());
  }

  @Test
  void thresholdsOutOfRangeAreUsageErrors() throws IOException {
    Path m = csv("train.csv", "");
    for (String[] bad :
        new String[][] {
          {"--clip-fraction", "2"},
          {"--silence-peak", "NaN"},
          {"--duration-tolerance", "-1"},
          {"--jobs", "0"},
          {"--sample-rate", "2000000000"}
        }) {
      MainTest.Result r = MainTest.run("data", "check", bad[0], bad[1], m.toString());
      assertEquals(2, r.status(), String.join(" ", bad) + ": " + r.err());
      assertTrue(r.err().contains(bad[0] + " is "), r.err());
    }
  }

  @Test
  void progressIsABarOnATerminalAndPeriodicLinesOtherwise() {
    StringWriter bar = new StringWriter();
    var terminal = ProgressBar.counter(new PrintWriter(bar), "decoding audio", true, 30);
    for (int i = 1; i <= 4; i++) {
      terminal.update(i, 4, i * 0.5);
    }
    assertTrue(bar.toString().contains("\rdecoding audio ["), bar.toString());
    assertTrue(bar.toString().contains("4/4, 2.0 rows/s, ETA 0:00"), bar.toString());
    assertTrue(bar.toString().endsWith(System.lineSeparator()), bar.toString());

    StringWriter lines = new StringWriter();
    var log = ProgressBar.counter(new PrintWriter(lines), "reading headers", false, 30);
    log.update(1, 100, 1);
    assertEquals("", lines.toString(), "nothing for work that ends quickly");
    log.update(40, 100, 31);
    assertTrue(
        lines.toString().startsWith("sonus: reading headers: 40/100 rows,"), lines.toString());
  }
}
