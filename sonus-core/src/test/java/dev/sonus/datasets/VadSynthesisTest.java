package dev.sonus.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import dev.sonus.data.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VadSynthesisTest {
  @TempDir Path dir;

  /** Utterances of 0.6-1 s: 0.1 s of silence, a harmonic tone, 0.1 s of silence. */
  private Path speech() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("speech"));
    SplittableRandom g = new SplittableRandom(2);
    for (int n = 0; n < 4; n++) {
      int len = 8000 + g.nextInt(6400);
      float[] x = new float[len];
      for (int i = 1600; i < len - 1600; i++) {
        x[i] = (float) (0.3 * Math.sin(2 * Math.PI * (150 + 20 * n) * i / 16000.0));
      }
      AudioIO.writeWav(folder.resolve("u" + n + ".wav"), Audio.mono(x, 16000), WavEncoding.PCM_S16);
    }
    return folder;
  }

  private Path noise() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("noise").resolve("sub"));
    SplittableRandom g = new SplittableRandom(3);
    float[] x = new float[8000];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.1 * g.nextGaussian());
    }
    AudioIO.writeWav(folder.resolve("n.wav"), Audio.mono(x, 8000), WavEncoding.PCM_S16);
    return dir.resolve("noise");
  }

  @Test
  void recordingsHoldTheirUtterancesWhereTheManifestSays() throws Exception {
    Path out = dir.resolve("out");
    Path csv = VadSynthesis.prepare(speech(), noise(), out, "train", 3, 8, 15, 15, 16000, 7);
    Manifest m = Manifest.load(csv, Map.of());
    assertEquals(3, m.size());
    for (Manifest.Row r : m.rows()) {
      float[] x = AudioIO.read(Path.of(String.valueOf(r.get("wav")))).toMono().channel(0);
      assertEquals(8 * 16000, x.length);
      String[] t = String.valueOf(r.get("speech")).split(" ");
      assertTrue(t.length >= 2 && t.length % 2 == 0, r.toString());
      for (int i = 0; i < t.length; i += 2) {
        double a = Double.parseDouble(t[i]);
        double b = Double.parseDouble(t[i + 1]);
        assertTrue(a >= 0 && b > a && b <= 8, r.toString());
        // inside a segment the tone is 15 dB above the noise; in the pause before it, only noise
        double inside = rms(x, (int) (a * 16000) + 400, (int) (b * 16000) - 400);
        double before = rms(x, (int) (a * 16000) - 1500, (int) (a * 16000) - 100);
        assertTrue(inside > 3 * before, "segment " + a + "-" + b + ": " + inside + " vs " + before);
      }
    }
    // the same sources and seed give the same files
    Path again = dir.resolve("again");
    VadSynthesis.prepare(
        dir.resolve("speech"), dir.resolve("noise"), again, "train", 3, 8, 15, 15, 16000, 7);
    assertArrayEquals(
        Files.readAllBytes(out.resolve("train/train_0001.wav")),
        Files.readAllBytes(again.resolve("train/train_0001.wav")));
    assertEquals(
        Files.readString(csv).replace(out.toString(), "OUT"),
        Files.readString(again.resolve("train.csv")).replace(again.toString(), "OUT"));
  }

  private static double rms(float[] x, int from, int to) {
    double s = 0;
    int n = 0;
    for (int i = Math.max(0, from); i < Math.min(x.length, to); i++) {
      s += (double) x[i] * x[i];
      n++;
    }
    return Math.sqrt(s / Math.max(1, n));
  }

  @Test
  void emptyOrMissingSourcesAreNamed() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> VadSynthesis.prepare(empty, noise(), dir, "train", 1, 5, 0, 10, 16000, 1));
    assertTrue(e.getMessage().startsWith("speech_folder " + empty + " holds no recordings"));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            VadSynthesis.prepare(
                speech(), dir.resolve("nope"), dir, "train", 1, 5, 0, 10, 16000, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> VadSynthesis.prepare(speech(), noise(), dir, "../x", 1, 5, 0, 10, 16000, 1));
  }

  @Test
  void speechBrainAnnotationsBecomeAManifestOfTheirSlices() throws Exception {
    float[] x = new float[48000];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.01 * Math.sin(i * 0.01));
    }
    Path data = Files.createDirectories(dir.resolve("vad"));
    AudioIO.writeWav(data.resolve("valid.wav"), Audio.mono(x, 16000), WavEncoding.PCM_S16);
    Path json =
        Files.writeString(
            dir.resolve("VAD_dev.json"),
            "{\"example_1\": {\"length\": 32000, \"wav\": {\"file\": \"{data_folder}/valid.wav\","
                + " \"start\": 0, \"stop\": 32000}, \"speech\": \"0.38 2\"},"
                + " \"example_2\": {\"length\": 16000, \"wav\": {\"file\": \"{data_folder}/valid.wav\","
                + " \"start\": 32000, \"stop\": 48000}, \"speech\": \"\"}}");
    Path out = dir.resolve("ann");
    Path csv = VadSynthesis.fromSpeechBrainJson(json, data, out, "dev");
    Manifest m = Manifest.load(csv, Map.of());
    assertEquals(2, m.size());
    assertEquals("0.38 2", String.valueOf(m.rows().get(0).get("speech")));
    assertEquals(
        16000,
        AudioIO.read(Path.of(String.valueOf(m.rows().get(1).get("wav")))).samples()[0].length);
  }
}
