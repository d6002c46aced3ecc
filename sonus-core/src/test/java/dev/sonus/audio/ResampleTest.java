package dev.sonus.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Tests {@link Resample} on synthetic signals: output length, identity, and the filter's behaviour
 * on pure tones. Sample-exact parity with torchaudio on real recordings is covered by {@code
 * FbankParityTest}.
 */
final class ResampleTest {
  /**
   * Output samples ignored at each end, where the zero padding makes the filter see a partial
   * signal.
   */
  private static final int EDGE = 64;

  @Test
  void outputLengthIsCeilOfNewRateTimesLengthOverOriginalRate() {
    int[][] pairs = {
      {8_000, 16_000}, {16_000, 8_000}, {44_100, 16_000}, {22_050, 16_000}, {48_000, 44_100}
    };
    int[] lengths = {0, 1, 2, 3, 7, 147, 160, 441, 1001, 16_001};
    for (int[] pair : pairs) {
      for (int length : lengths) {
        long expected = ((long) pair[1] * length + pair[0] - 1) / pair[0];
        float[] out = Resample.resample(new float[length], pair[0], pair[1]);
        assertEquals(
            expected, out.length, pair[0] + " Hz -> " + pair[1] + " Hz, " + length + " samples");
      }
    }
  }

  @Test
  void sameRateReturnsAnEqualCopy() {
    float[] x = noise(257, 1);

    float[] y = Resample.resample(x, 16_000, 16_000);

    assertNotSame(x, y);
    assertArrayEquals(x, y);
  }

  @Test
  void audioAtTheTargetRateIsReturnedAsIs() {
    Audio audio = new Audio(new float[][] {noise(10, 2), noise(10, 3)}, 16_000);

    assertSame(audio, Resample.resample(audio, 16_000));
  }

  @Test
  void audioLevelResampleKeepsChannelCountAndResamplesEachChannel() {
    float[][] channels = {noise(1000, 4), noise(1000, 5), noise(1000, 6)};
    Audio audio = new Audio(channels, 44_100);

    Audio out = Resample.resample(audio, 16_000);

    assertEquals(3, out.numChannels());
    assertEquals(16_000, out.sampleRate());
    assertEquals(363, out.numFrames()); // ceil(16000 * 1000 / 44100)
    for (int c = 0; c < 3; c++) {
      assertArrayEquals(
          Resample.resample(channels[c], 44_100, 16_000), out.channel(c), "channel " + c);
    }
  }

  @Test
  void isDeterministicAcrossCallsSharingTheCachedKernel() {
    float[] x = noise(999, 7);

    assertArrayEquals(Resample.resample(x, 22_050, 16_000), Resample.resample(x, 22_050, 16_000));
  }

  @Test
  void upsampled440HzSineMatchesTheAnalyticSineAtTheNewRate() {
    float[] x = sine(440, 8_000, 8_000);

    float[] y = Resample.resample(x, 8_000, 16_000);

    assertEquals(16_000, y.length);
    float[] expected = sine(440, 16_000, 16_000);
    double worst = 0;
    int at = -1;
    for (int i = EDGE; i < y.length - EDGE; i++) {
      double d = Math.abs(expected[i] - y[i]);
      if (d > worst) {
        worst = d;
        at = i;
      }
    }
    double maxDiff = worst;
    int where = at;
    assertTrue(maxDiff < 2e-3, () -> "max |diff| " + maxDiff + " at sample " + where);
  }

  @Test
  void downsamplingRemovesATone6kHzAboveTheNewNyquist() {
    float[] x = sine(6_000, 16_000, 16_000);

    float[] y = Resample.resample(x, 16_000, 8_000);

    double ratio = interiorRms(y) / interiorRms(x);
    assertTrue(ratio < 0.01, () -> "6 kHz tone kept at " + ratio + " of its RMS; expected < 0.01");
  }

  @Test
  void downsamplingKeepsA1kHzTone() {
    float[] x = sine(1_000, 16_000, 16_000);

    float[] y = Resample.resample(x, 16_000, 8_000);

    double ratio = interiorRms(y) / interiorRms(x);
    assertEquals(1.0, ratio, 0.01, "RMS ratio of the 1 kHz tone after resampling");
  }

  @Test
  void rejectsNonPositiveRatesNamingThem() {
    IllegalArgumentException zero =
        assertThrows(
            IllegalArgumentException.class, () -> Resample.resample(new float[4], 0, 16_000));
    assertTrue(zero.getMessage().contains("from 0 Hz to 16000 Hz"), zero::getMessage);

    IllegalArgumentException negative =
        assertThrows(
            IllegalArgumentException.class, () -> Resample.resample(new float[4], 16_000, -8_000));
    assertTrue(negative.getMessage().contains("from 16000 Hz to -8000 Hz"), negative::getMessage);

    Audio audio = Audio.mono(new float[4], 16_000);
    IllegalArgumentException target =
        assertThrows(IllegalArgumentException.class, () -> Resample.resample(audio, 0));
    assertTrue(target.getMessage().contains("from 16000 Hz to 0 Hz"), target::getMessage);
    assertTrue(target.getMessage().contains("positive"), target::getMessage);
  }

  private static float[] sine(double hz, int rate, int length) {
    float[] x = new float[length];
    for (int i = 0; i < length; i++) {
      x[i] = (float) Math.sin(2 * Math.PI * hz * i / rate);
    }
    return x;
  }

  private static double interiorRms(float[] x) {
    double sum = 0;
    for (int i = EDGE; i < x.length - EDGE; i++) {
      sum += (double) x[i] * x[i];
    }
    return Math.sqrt(sum / (x.length - 2 * EDGE));
  }

  private static float[] noise(int length, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] x = new float[length];
    for (int i = 0; i < length; i++) {
      x[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    return x;
  }
}
