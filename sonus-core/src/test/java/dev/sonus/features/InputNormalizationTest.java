package dev.sonus.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.tensor.Tensors;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class InputNormalizationTest {
  private static final int FRAMES = 10;
  private static final int FEATS = 3;

  /**
   * Two items, item 1 valid for 6 of 10 frames (relative length 0.6), padding filled with 1000s.
   */
  private static float[] batch(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] x = new float[2 * FRAMES * FEATS];
    for (int b = 0; b < 2; b++) {
      for (int t = 0; t < FRAMES; t++) {
        for (int f = 0; f < FEATS; f++) {
          boolean pad = b == 1 && t >= 6;
          x[(b * FRAMES + t) * FEATS + f] =
              pad ? 1000f : (float) (5 * f + 2 * rng.nextDouble() + b);
        }
      }
    }
    return x;
  }

  private static double[] meanStd(float[] out, int b, int f, int valid) {
    double sum = 0;
    for (int t = 0; t < valid; t++) {
      sum += out[(b * FRAMES + t) * FEATS + f];
    }
    double mean = sum / valid;
    double ss = 0;
    for (int t = 0; t < valid; t++) {
      double d = out[(b * FRAMES + t) * FEATS + f] - mean;
      ss += d * d;
    }
    return new double[] {mean, Math.sqrt(ss / (valid - 1))};
  }

  @Test
  void sentenceNormalisationGivesZeroMeanUnitStdOverValidFramesOnly() {
    try (PointerScope scope = new PointerScope()) {
      InputNormalization norm =
          new InputNormalization(InputNormalization.Type.SENTENCE, true, true);
      Tensor x = Tensors.fromFloats(batch(1), 2, FRAMES, FEATS);
      Tensor rel = Tensors.fromFloats(new float[] {1f, 0.6f}, 2);
      float[] out = Tensors.toFloats(norm.forward(x, rel, 1));
      for (int f = 0; f < FEATS; f++) {
        double[] ms0 = meanStd(out, 0, f, FRAMES);
        double[] ms1 = meanStd(out, 1, f, 6);
        assertEquals(0, ms0[0], 1e-5);
        assertEquals(1, ms0[1], 1e-5);
        assertEquals(0, ms1[0], 1e-5, "padding must not enter the statistics");
        assertEquals(1, ms1[1], 1e-5);
      }
    }
  }

  @Test
  void meanOnlyNormalisationKeepsTheScale() {
    try (PointerScope scope = new PointerScope()) {
      InputNormalization norm =
          new InputNormalization(InputNormalization.Type.SENTENCE, true, false);
      float[] in = batch(2);
      float[] out =
          Tensors.toFloats(
              norm.forward(
                  Tensors.fromFloats(in, 2, FRAMES, FEATS),
                  Tensors.fromFloats(new float[] {1f, 1f}, 2),
                  1));
      // Differences between frames are unchanged when only the mean is removed.
      assertEquals(in[FEATS] - in[0], out[FEATS] - out[0], 1e-5);
    }
  }

  @Test
  void globalStatisticsAreACumulativeAverageAndFreezeAfterUpdateUntilEpoch() {
    try (PointerScope scope = new PointerScope()) {
      InputNormalization norm =
          new InputNormalization(InputNormalization.Type.GLOBAL, true, true, 2, Double.NaN);
      norm.train(true);
      Tensor rel = Tensors.fromFloats(new float[] {1f, 1f}, 2);
      Tensor first = Tensors.fromFloats(batch(3), 2, FRAMES, FEATS);
      Tensor second = Tensors.fromFloats(batch(4), 2, FRAMES, FEATS);
      norm.forward(first, rel, 1).close();
      float[] mean1 = norm.globalMean();
      norm.forward(second, rel, 1).close();
      float[] mean2 = norm.globalMean();
      assertEquals(2, norm.count());

      InputNormalization alone = new InputNormalization(InputNormalization.Type.BATCH, true, true);
      // The batch-mode statistics of `second` are the mean of its sentences' means.
      float[] secondMean = new float[FEATS];
      float[] raw = batch(4);
      for (int f = 0; f < FEATS; f++) {
        double s = 0;
        for (int b = 0; b < 2; b++) {
          for (int t = 0; t < FRAMES; t++) {
            s += raw[(b * FRAMES + t) * FEATS + f];
          }
        }
        secondMean[f] = (float) (s / (2 * FRAMES));
        assertEquals(
            0.5 * mean1[f] + 0.5 * secondMean[f], mean2[f], 1e-4, "cumulative average, weight 1/2");
      }
      alone.close();

      norm.forward(first, rel, 2).close(); // epoch 2 >= update_until_epoch: frozen
      assertArrayEquals(mean2, norm.globalMean(), 0f);
      assertEquals(3, norm.count());

      norm.eval();
      norm.forward(first, rel, 1).close(); // evaluation never updates
      assertEquals(3, norm.count());
    }
  }

  @Test
  void globalStatisticsAreModuleBuffersSoTheyAreSavedWithTheModel() {
    try (PointerScope scope = new PointerScope()) {
      InputNormalization norm = new InputNormalization(InputNormalization.Type.GLOBAL, true, true);
      norm.train(true);
      norm.forward(
              Tensors.fromFloats(batch(5), 2, FRAMES, FEATS),
              Tensors.fromFloats(new float[] {1f, 1f}, 2),
              1)
          .close();
      StringTensorDict buffers = norm.named_buffers();
      assertEquals(3, buffers.size());
      assertArrayEquals(norm.globalMean(), Tensors.toFloats(buffers.get("glob_mean")), 0f);
      assertEquals(1L, Tensors.toLongs(buffers.get("count"))[0]);
    }
  }

  @Test
  void evaluatingGlobalNormalisationBeforeAnyStatisticsIsAClearError() {
    try (PointerScope scope = new PointerScope()) {
      InputNormalization norm = new InputNormalization(InputNormalization.Type.GLOBAL, true, true);
      norm.eval();
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () ->
                  norm.forward(
                      Tensors.fromFloats(batch(6), 2, FRAMES, FEATS),
                      Tensors.fromFloats(new float[] {1f, 1f}, 2),
                      1));
      assertTrue(e.getMessage().contains("global statistics are empty"), e.getMessage());
    }
  }

  @Test
  void rejectsRelativeLengthsOutsideZeroOne() {
    try (PointerScope scope = new PointerScope()) {
      InputNormalization norm =
          new InputNormalization(InputNormalization.Type.SENTENCE, true, true);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  norm.forward(
                      Tensors.fromFloats(batch(7), 2, FRAMES, FEATS),
                      Tensors.fromFloats(new float[] {1f, 1.5f}, 2),
                      1));
      assertTrue(
          e.getMessage().contains("item 1") && e.getMessage().contains("1.5"), e.getMessage());
    }
  }
}
