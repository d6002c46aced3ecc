package dev.sonus.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.data.ItemContext;
import dev.sonus.tensor.Tensors;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** Time and frequency masking and warping of feature batches. */
class FeatureAugmentationsTest {
  static Tensor ramp(int b, int t, int f) {
    float[] x = new float[b * t * f];
    for (int i = 0; i < x.length; i++) {
      x[i] = 1 + (i % (t * f)) * 0.01f;
    }
    return Tensors.fromFloats(x, b, t, f);
  }

  @Test
  void timeMasksStayInsideEachItemsValidFramesAndFrequencyMasksCoverWholeBins() {
    try (PointerScope scope = new PointerScope()) {
      Tensor x = ramp(2, 50, 8);
      SpectrogramDrop time =
          new SpectrogramDrop(new SpectrogramDrop.Options(3, 6, 2, 2, "zeros", 1));
      Tensor y =
          time.apply(
              x, new long[] {50, 20}, List.of(new SplittableRandom(1), new SplittableRandom(2)));
      float[] v = Tensors.toFloats(y);
      int zeroFrames = 0;
      for (int t = 0; t < 50; t++) {
        boolean zero = v[(50 + t) * 8] == 0;
        if (zero) {
          assertTrue(t < 20, "frame " + t + " is past the item's 20 valid frames");
          for (int f = 0; f < 8; f++) {
            assertEquals(0f, v[(50 + t) * 8 + f], "a time mask covers every bin");
          }
          zeroFrames++;
        }
      }
      assertTrue(zeroFrames >= 3 && zeroFrames <= 10, zeroFrames + " frames masked");

      SpectrogramDrop freq =
          new SpectrogramDrop(new SpectrogramDrop.Options(2, 3, 1, 1, "mean", 2));
      float[] w =
          Tensors.toFloats(
              freq.apply(
                  x,
                  new long[] {50, 50},
                  List.of(new SplittableRandom(3), new SplittableRandom(4))));
      int changedBins = 0;
      for (int f = 0; f < 8; f++) {
        if (w[f] != 1 + f * 0.01f) {
          changedBins++;
          assertTrue(w[10 * 8 + f] == w[f], "a frequency mask holds one value, the item's mean");
        }
      }
      assertEquals(2, changedBins);
    }
  }

  @Test
  void warpingKeepsTheShapeMovesFramesAndLeavesPaddingAlone() {
    try (PointerScope scope = new PointerScope()) {
      Tensor x = ramp(1, 40, 4);
      Tensor y =
          new Warping(5, "bicubic", 1).apply(x, new long[] {30}, List.of(new SplittableRandom(9)));
      assertArrayEquals(new long[] {1, 40, 4}, y.sizes().vec().get());
      float[] a = Tensors.toFloats(x);
      float[] b = Tensors.toFloats(y);
      double moved = 0;
      for (int i = 0; i < 30 * 4; i++) {
        moved = Math.max(moved, Math.abs(a[i] - b[i]));
      }
      assertTrue(moved > 1e-3, "the valid frames are warped");
      for (int i = 30 * 4; i < 40 * 4; i++) {
        assertEquals(a[i], b[i], "padding frames are untouched");
      }
    }
  }

  @Test
  void theAugmenterReplicatesLabelsForCopies() {
    try (PointerScope scope = new PointerScope()) {
      Augmenter a =
          new Augmenter(
              new Augmenter.Options(
                  false,
                  false,
                  true,
                  null,
                  null,
                  false,
                  1,
                  0,
                  null,
                  0,
                  null,
                  1.0,
                  List.of(new SpectrogramDrop(SpectrogramDrop.Options.defaults())),
                  null));
      Augmenter.FeatureResult r =
          a.augmentFeatures(
              ramp(2, 30, 4),
              Tensors.fromFloats(new float[] {1f, 0.5f}, 2),
              List.of(new ItemContext(1, 1, "a"), new ItemContext(1, 1, "b")));
      assertEquals(4, r.feats().size(0));
      assertArrayEquals(new int[] {0, 1, 0, 1}, r.source());
      assertArrayEquals(new float[] {1f, 0.5f, 1f, 0.5f}, Tensors.toFloats(r.relLengths()));
      Tensor labels = Tensors.fromLongs(new long[] {7, 8}, 2);
      assertArrayEquals(new long[] {7, 8, 7, 8}, Tensors.toLongs(r.replicate(labels)));
    }
  }
}
