package dev.sonus.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each waveform augmentation does to a signal it is given. */
class WaveformAugmentationsTest {
  static float[] tone(double freq, int n, int rate, double amp) {
    float[] x = new float[n];
    for (int t = 0; t < n; t++) {
      x[t] = (float) (amp * Math.sin(2 * Math.PI * freq * t / rate));
    }
    return x;
  }

  static double rms(float[] x) {
    double s = 0;
    for (float v : x) {
      s += v * v;
    }
    return Math.sqrt(s / x.length);
  }

  @Test
  void addNoiseFromAFolderReachesTheDrawnSnr(@TempDir Path tmp) throws Exception {
    Path noises = Files.createDirectories(tmp.resolve("noises"));
    SplittableRandom g = new SplittableRandom(3);
    float[] noise = new float[20000];
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) (0.2 * g.nextGaussian());
    }
    AudioIO.writeWav(noises.resolve("n.wav"), Audio.mono(noise, 16000), WavEncoding.FLOAT32);
    float[] clean = tone(440, 16000, 16000, 0.5);
    for (double snr : new double[] {0, 10, 20}) {
      AddNoise add =
          new AddNoise(
              new AddNoise.Options(
                  noises.toString(),
                  null,
                  "random",
                  0,
                  snr,
                  snr,
                  false,
                  null,
                  false,
                  "white",
                  Map.of(),
                  16000,
                  16000));
      float[] y = add.apply(new float[][] {clean}, 16000, new SplittableRandom(1))[0];
      // y = (1 - a) x + n', with |n'| = a |x|: the SNR of the scaled parts is snr
      double a = 1 / (Math.pow(10, snr / 20) + 1);
      float[] residual = new float[y.length];
      for (int i = 0; i < y.length; i++) {
        residual[i] = (float) (y[i] - (1 - a) * clean[i]);
      }
      double got = 20 * Math.log10((1 - a) * rms(clean) / rms(residual));
      assertEquals(snr, got, 0.05, "SNR");
    }
  }

  @Test
  void whiteAndPinkNoiseNeedNoFileAndPinkIsDarker() {
    float[] clean = tone(440, 16000, 16000, 0.5);
    float[] white =
        new AddNoise(AddNoise.Options.defaults())
            .apply(new float[][] {new float[16000]}, 16000, new SplittableRandom(1))[0];
    assertEquals(16000, white.length);
    AddNoise.Options p = AddNoise.Options.defaults();
    AddNoise pink =
        new AddNoise(
            new AddNoise.Options(
                null, null, "random", 0, 5, 5, false, null, false, "pink", Map.of(), 16000, 16000));
    float[] y = pink.apply(new float[][] {clean}, 16000, new SplittableRandom(2))[0];
    double a = 1 / (Math.pow(10, 5 / 20.0) + 1);
    float[] n = new float[y.length];
    for (int i = 0; i < y.length; i++) {
      n[i] = (float) (y[i] - (1 - a) * clean[i]);
    }
    // pink noise: neighbouring samples are strongly correlated, white noise's are not
    assertTrue(lag1(n) > 0.5, "pink lag-1 correlation " + lag1(n));
    assertTrue(p.noiseType().equals("white"));
  }

  private static double lag1(float[] x) {
    double num = 0;
    double den = 0;
    for (int i = 1; i < x.length; i++) {
      num += x[i] * x[i - 1];
      den += x[i] * x[i];
    }
    return num / den;
  }

  @Test
  void speedPerturbChangesTheLengthAndDropFreqRemovesATone() {
    // SpeechBrain's notch for f stops from 3f/pi to 3(f + 2 width)/pi of Nyquist (its sinc uses 3
    // for pi): the middle of the band for f = 0.125 is at 1337 Hz
    double centre = 3 * (0.125 + 0.05) / Math.PI * 8000;
    float[] x = tone(centre, 16000, 16000, 0.5);
    float[] slow =
        new SpeedPerturb(16000, List.of(90))
            .apply(new float[][] {x}, 16000, new SplittableRandom(1))[0];
    assertEquals(14400, slow.length);
    DropFreq drop = new DropFreq(new DropFreq.Options(0.125, 0.125, 1, 1, 0.05));
    float[] y = drop.apply(new float[][] {x}, 16000, new SplittableRandom(1))[0];
    assertTrue(
        rms(y) < 0.1 * rms(x), "the tone in the notch keeps " + rms(y) / rms(x) + " of its RMS");
    float[] other = tone(5000, 16000, 16000, 0.5);
    float[] kept = drop.apply(new float[][] {other}, 16000, new SplittableRandom(1))[0];
    assertTrue(rms(kept) > 0.9 * rms(other), "a 5 kHz tone passes");
  }

  @Test
  void dropChunkClipAmpFlipAndBitDepthDoWhatTheySay() {
    float[] x = tone(300, 8000, 16000, 0.5);
    float[] dropped =
        new DropChunk(new DropChunk.Options(500, 500, 2, 2, 0, null, 0.0))
            .apply(new float[][] {x}, 16000, new SplittableRandom(4))[0];
    int zeros = 0;
    for (int i = 0; i < x.length; i++) {
      if (dropped[i] == 0 && x[i] != 0) {
        zeros++;
      }
    }
    assertTrue(zeros >= 500 && zeros <= 1000, zeros + " samples dropped");

    float[] clipped =
        new DoClip(0.5, 0.5).apply(new float[][] {x}, 16000, new SplittableRandom(1))[0];
    assertEquals(0.5, Signals.absMax(clipped), 1e-6, "clipping keeps the peak");
    assertTrue(rms(clipped) > rms(x), "clipped at half the peak, then scaled back: louder");

    float[] amp = new RandAmp(0.2, 0.3).apply(new float[][] {x}, 16000, new SplittableRandom(1))[0];
    assertTrue(Signals.absMax(amp) >= 0.2 && Signals.absMax(amp) <= 0.3);

    float[] flipped = new SignFlip(1.0).apply(new float[][] {x}, 16000, new SplittableRandom(1))[0];
    assertEquals(-x[10], flipped[10]);

    float[] int8 =
        new DropBitResolution("int8").apply(new float[][] {x}, 16000, new SplittableRandom(1))[0];
    double step = 0.5 / 127;
    for (int i = 0; i < x.length; i++) {
      assertTrue(Math.abs(int8[i] - x[i]) <= step + 1e-6);
    }
  }

  @Test
  void channelDropAndSwapWorkOnChannels() {
    float[][] x = {{1, 1}, {2, 2}, {3, 3}};
    float[][] dropped = new ChannelDrop(1.0).apply(x, 16000, new SplittableRandom(1));
    assertEquals(0f, dropped[0][0] + dropped[1][0] + dropped[2][0]);
    float[][] swapped = new ChannelSwap(3, 3).apply(x, 16000, new SplittableRandom(1));
    float sum = 0;
    for (float[] c : swapped) {
      sum += c[0];
    }
    assertEquals(6f, sum, "a permutation keeps every channel");
  }

  @Test
  void reverbNeedsItsSourceAndNamesWhatIsMissing(@TempDir Path tmp) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new AddReverb(
                    new AddReverb.Options(
                        tmp.resolve("nope").toString(),
                        "random",
                        0,
                        1.0,
                        Map.of(),
                        16000,
                        16000,
                        "avg")));
    assertTrue(
        e.getMessage().contains("nope") && e.getMessage().contains("does not exist"),
        e.getMessage());
    IllegalArgumentException empty =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new AddNoise(
                    new AddNoise.Options(
                        tmp.toString(),
                        null,
                        "random",
                        0,
                        0,
                        1,
                        false,
                        null,
                        false,
                        "white",
                        Map.of(),
                        16000,
                        16000)));
    assertTrue(empty.getMessage().contains("holds no audio files"), empty.getMessage());
  }
}
