package dev.sonus.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.tensor.Tensors;
import dev.sonus.testing.Close;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Behaviour of the feature extractors on signals the tests make; parity with SpeechBrain is in
 * FbankParityTest.
 */
class FeaturesTest {

  /** A chirp plus a little deterministic noise, {@code seconds} long at {@code rate} Hz. */
  static float[] chirp(int rate, double seconds, long seed) {
    int n = (int) Math.round(rate * seconds);
    float[] x = new float[n];
    java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      double t = (double) i / rate;
      x[i] =
          (float)
              (0.5 * Math.sin(2 * Math.PI * (200 + 1500 * t) * t)
                  + 0.01 * (rng.nextDouble() - 0.5));
    }
    return x;
  }

  @Test
  void fbankHasOneFramePerHopPlusOneAndTheConfiguredDims() {
    try (PointerScope scope = new PointerScope();
        Fbank fbank = new Fbank(16000, 40)) {
      float[] x = chirp(16000, 0.5, 1);
      try (Tensor out = fbank.forward(Tensors.fromFloats(x, 1, x.length))) {
        assertArrayEquals(new long[] {1, 1 + x.length / 160, 40}, Tensors.shape(out));
        assertEquals(1 + x.length / 160, fbank.frames(x.length));
      }
    }
  }

  @Test
  void fbankOfABatchEqualsFbankOfEachItem() {
    float[] a = chirp(8000, 0.4, 1);
    float[] b = chirp(8000, 0.4, 2);
    for (int i = 0; i < b.length; i++) {
      b[i] *= 0.01f; // a much quieter item: its top_db floor must not come from the loud one
    }
    float[] both = new float[a.length * 2];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    try (PointerScope scope = new PointerScope();
        Fbank fbank = new Fbank(8000, 40)) {
      float[] batched = Tensors.toFloats(fbank.forward(Tensors.fromFloats(both, 2, a.length)));
      float[] one = Tensors.toFloats(fbank.forward(Tensors.fromFloats(a, 1, a.length)));
      float[] two = Tensors.toFloats(fbank.forward(Tensors.fromFloats(b, 1, b.length)));
      float[] separate = new float[one.length + two.length];
      System.arraycopy(one, 0, separate, 0, one.length);
      System.arraycopy(two, 0, separate, one.length, two.length);
      Close.assertClose("batched vs per item", separate, batched, 1e-4, 0);
    }
  }

  @Test
  void fbankFloorsEachSequenceAt80DbBelowItsMaximum() {
    float[] x = chirp(16000, 0.3, 3);
    for (int i = x.length / 2; i < x.length; i++) {
      x[i] = 0; // digital silence: log of 0 would be -inf without the floor
    }
    try (PointerScope scope = new PointerScope();
        Fbank fbank = new Fbank(16000, 40)) {
      float[] out = Tensors.toFloats(fbank.forward(Tensors.fromFloats(x, 1, x.length)));
      float max = Float.NEGATIVE_INFINITY;
      float min = Float.POSITIVE_INFINITY;
      for (float v : out) {
        max = Math.max(max, v);
        min = Math.min(min, v);
      }
      assertEquals(max - 80f, min, 1e-3, "the floor is max - top_db");
    }
  }

  @Test
  void fbankWithDeltasAndContextHas33TimesTheMels() {
    Fbank.Options options =
        Fbank.Options.defaults().withNMels(20).withDeltas(true).withContext(true);
    try (PointerScope scope = new PointerScope();
        Fbank fbank = new Fbank(options)) {
      float[] x = chirp(16000, 0.2, 4);
      Tensor out = fbank.forward(Tensors.fromFloats(x, 1, x.length));
      assertEquals(20 * 3 * 11, out.size(2));
      assertEquals(fbank.outputDim(), out.size(2));
      out.close();
    }
  }

  @Test
  void fbankRejectsAWaveformWithoutBatchAxis() {
    try (PointerScope scope = new PointerScope();
        Fbank fbank = new Fbank(16000, 40)) {
      Tensor x = Tensors.fromFloats(new float[1600], 1600);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> fbank.forward(x));
      assertTrue(
          e.getMessage().contains("[1600]") && e.getMessage().contains("[batch, time]"),
          e.getMessage());
    }
  }

  @Test
  void stftRejectsAWindowLongerThanTheFft() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Stft(48000, 25, 10, 400, true));
    assertTrue(
        e.getMessage().contains("1200 samples") && e.getMessage().contains("n_fft=400"),
        e.getMessage());
  }

  @Test
  void filterbankRejectsAnFMaxAboveNyquist() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Filterbank.speechBrainDefaults(40, 400, 8000, 0, 8000));
    assertTrue(
        e.getMessage().contains("f_max=8000.0") && e.getMessage().contains("4000"), e.getMessage());
  }

  @Test
  void deltasOfALinearRampAreItsSlopeAwayFromTheEdges() {
    int frames = 12;
    float[] ramp = new float[frames * 2];
    for (int t = 0; t < frames; t++) {
      ramp[t * 2] = 3f * t; // feature 0: slope 3
      ramp[t * 2 + 1] = -0.5f * t; // feature 1: slope -0.5
    }
    try (PointerScope scope = new PointerScope()) {
      float[] d = Tensors.toFloats(new Deltas(5).forward(Tensors.fromFloats(ramp, 1, frames, 2)));
      for (int t = 2; t < frames - 2; t++) {
        assertEquals(3f, d[t * 2], 1e-5);
        assertEquals(-0.5f, d[t * 2 + 1], 1e-5);
      }
      // Replicate padding: at t=0 the window sees x[0], x[0], x[0], x[1], x[2] -> (0+0+0+3+12)/10 =
      // 1.5.
      assertEquals(1.5f, d[0], 1e-5);
    }
  }

  @Test
  void deltasRejectAnEvenWindow() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Deltas(4));
    assertTrue(e.getMessage().contains("is 4"), e.getMessage());
  }

  @Test
  void contextWindowStacksNeighboursFeatureMajorWithZerosOutside() {
    // 4 frames x 2 features: value = 10 * frame + feature.
    float[] x = new float[8];
    for (int t = 0; t < 4; t++) {
      for (int f = 0; f < 2; f++) {
        x[t * 2 + f] = 10 * t + f + 1;
      }
    }
    try (PointerScope scope = new PointerScope()) {
      float[] out =
          Tensors.toFloats(new ContextWindow(1, 2).forward(Tensors.fromFloats(x, 1, 4, 2)));
      int w = 4; // 1 + 1 + 2
      for (int t = 0; t < 4; t++) {
        for (int f = 0; f < 2; f++) {
          for (int j = 0; j < w; j++) {
            int src = t + j - 1;
            float expected = src < 0 || src >= 4 ? 0f : 10 * src + f + 1;
            assertEquals(
                expected, out[t * 2 * w + f * w + j], 0f, "t=" + t + " f=" + f + " j=" + j);
          }
        }
      }
    }
  }

  @Test
  void orthonormalDctPreservesEnergyWhenKeepingAllCoefficients() {
    float[] x = {1f, -2f, 0.5f, 3f, 0f, -1f, 2f, 0.25f};
    try (PointerScope scope = new PointerScope();
        Dct dct = new Dct(8, 8, true)) {
      float[] y = Tensors.toFloats(dct.forward(Tensors.fromFloats(x, 1, 8)));
      double ex = 0;
      double ey = 0;
      for (int i = 0; i < 8; i++) {
        ex += x[i] * x[i];
        ey += y[i] * y[i];
      }
      assertEquals(ex, ey, 1e-4);
      double mean = 0;
      for (float v : x) {
        mean += v;
      }
      assertEquals(
          mean / Math.sqrt(8), y[0], 1e-5, "c0 of the orthonormal DCT-II is sum / sqrt(N)");
    }
  }

  @Test
  void dctRejectsMoreCoefficientsThanMels() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Dct(23, 40, true));
    assertTrue(e.getMessage().contains("40") && e.getMessage().contains("23"), e.getMessage());
  }

  @Test
  void mfccWithSpeechBrainDefaultsHas660DimsPerFrame() {
    try (PointerScope scope = new PointerScope();
        Mfcc mfcc = Mfcc.speechBrainDefaults(16000)) {
      float[] x = chirp(16000, 0.25, 5);
      Tensor out = mfcc.forward(Tensors.fromFloats(x, 1, x.length));
      assertArrayEquals(new long[] {1, 1 + x.length / 160, 20 * 3 * 11}, Tensors.shape(out));
      assertEquals(660, mfcc.outputDim());
      out.close();
    }
  }

  @Test
  void mfccFirstCoefficientsEqualTheDctOfTheLogMelFilterbank() {
    Fbank.Options options = Fbank.Options.defaults().withNMels(23);
    float[] x = chirp(16000, 0.2, 6);
    try (PointerScope scope = new PointerScope();
        Fbank fbank = new Fbank(options);
        Mfcc mfcc = new Mfcc(options, 13);
        Dct dct = new Dct(23, 13, true)) {
      Tensor wav = Tensors.fromFloats(x, 1, x.length);
      float[] expected = Tensors.toFloats(dct.forward(fbank.forward(wav)));
      Close.assertClose(
          "mfcc vs dct(fbank)", expected, Tensors.toFloats(mfcc.forward(wav)), 1e-4, 1e-5);
    }
  }
}
