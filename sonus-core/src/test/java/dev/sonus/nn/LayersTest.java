package dev.sonus.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.tensor.StateDict;
import dev.sonus.tensor.Tensors;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class LayersTest {
  private static long[] shapeOf(Tensor t) {
    long[] s = Tensors.shape(t);
    t.close();
    return s;
  }

  @Test
  void linearProjectsLastAxisAndNamesWeightLikeSpeechBrain() {
    try (PointerScope scope = new PointerScope()) {
      Linear lin = new Linear(5, 3, true);
      assertArrayEquals(new long[] {2, 4, 3}, shapeOf(lin.forward(torch.randn(2, 4, 5))));
      assertEquals(List.of("w.weight", "w.bias"), List.copyOf(StateDict.of(lin).keySet()));
    }
  }

  @Test
  void linearRejectsWrongFeatureCount() {
    Linear lin = new Linear(5, 3, true);
    try (PointerScope scope = new PointerScope()) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> lin.forward(torch.randn(2, 4, 6)));
      assertTrue(
          e.getMessage().contains("6") && e.getMessage().contains("expected 5"), e.getMessage());
    }
  }

  @Test
  void conv2dSameKeepsTimeAndFreqAndAcceptsThreeAxes() {
    try (PointerScope scope = new PointerScope()) {
      Conv2d one = new Conv2d(1, 4, new long[] {3, 3}, Conv2d.Padding.SAME);
      assertArrayEquals(new long[] {2, 7, 10, 4}, shapeOf(one.forward(torch.randn(2, 7, 10))));
      Conv2d many = new Conv2d(4, 6, new long[] {3, 5}, Conv2d.Padding.VALID);
      assertArrayEquals(new long[] {2, 3, 8, 6}, shapeOf(many.forward(torch.randn(2, 7, 10, 4))));
      assertEquals(List.of("conv.weight", "conv.bias"), List.copyOf(StateDict.of(one).keySet()));
    }
  }

  @Test
  void conv2dRejectsEvenKernelWithSamePadding() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Conv2d(1, 4, new long[] {2, 3}, Conv2d.Padding.SAME));
    assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
  }

  @Test
  void layerNormAndBatchNormKeepShapeAndUseNormPrefix() {
    try (PointerScope scope = new PointerScope()) {
      LayerNorm ln = new LayerNorm(10, 4);
      assertArrayEquals(new long[] {2, 7, 10, 4}, shapeOf(ln.forward(torch.randn(2, 7, 10, 4))));
      BatchNorm1d bn = new BatchNorm1d(5);
      assertArrayEquals(new long[] {2, 7, 5}, shapeOf(bn.forward(torch.randn(2, 7, 5))));
      assertEquals(
          List.of(
              "norm.weight",
              "norm.bias",
              "norm.running_mean",
              "norm.running_var",
              "norm.num_batches_tracked"),
          List.copyOf(StateDict.of(bn).keySet()));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> ln.forward(torch.randn(2, 7, 9, 4)));
      assertTrue(e.getMessage().contains("[2, 7, 9, 4]"), e.getMessage());
    }
  }

  @Test
  void pooling1dTakesMaxAlongAxis() {
    try (PointerScope scope = new PointerScope()) {
      Tensor x = Tensors.fromFloats(new float[] {1, 5, 2, 3, 9, 0, 4}, 1, 1, 7, 1);
      Tensor y = new Pooling1d(2, 2).forward(x);
      assertArrayEquals(new float[] {5, 3, 9}, Tensors.toFloats(y));
      assertArrayEquals(new long[] {1, 1, 3, 1}, Tensors.shape(y));
    }
  }

  @Test
  void dropout2dZeroesWholeFrequencyBinsOnlyInTraining() {
    try (PointerScope scope = new PointerScope()) {
      Dropout2d drop = new Dropout2d(0.5);
      Tensor x = torch.ones(2, 3, 8, 4);
      torch.manual_seed(0);
      Tensor y = drop.forward(x);
      // Every (example, bin) slice is all zeros or all 2.
      Tensor perBin = y.amax(new long[] {1, 3}, false).sub(y.amin(new long[] {1, 3}, false));
      assertEquals(0.0, perBin.abs().max().item_double(), 0.0);
      assertTrue(y.eq(new org.bytedeco.pytorch.Scalar(0.0)).any().item_bool());
      drop.eval();
      assertArrayEquals(Tensors.toFloats(x), Tensors.toFloats(drop.forward(x)));
    }
  }

  @Test
  void lstmOutputsBothDirectionsAndSpeechBrainNames() {
    try (PointerScope scope = new PointerScope()) {
      Lstm lstm = new Lstm(6, 4, 1, true, 0);
      assertArrayEquals(new long[] {2, 5, 8}, shapeOf(lstm.forward(torch.randn(2, 5, 3, 2))));
      assertEquals(
          List.of(
              "rnn.weight_ih_l0",
              "rnn.weight_hh_l0",
              "rnn.bias_ih_l0",
              "rnn.bias_hh_l0",
              "rnn.weight_ih_l0_reverse",
              "rnn.weight_hh_l0_reverse",
              "rnn.bias_ih_l0_reverse",
              "rnn.bias_hh_l0_reverse"),
          List.copyOf(StateDict.of(lstm).keySet()));
    }
  }

  @Test
  void toStringsShowSettingsNotAddresses() {
    for (Module m :
        List.<Module>of(
            new Linear(2, 3, false),
            new Conv2d(1, 2, new long[] {3, 3}, Conv2d.Padding.SAME),
            new LayerNorm(4),
            new BatchNorm1d(3),
            new Lstm(2, 3, 1, false, 0),
            new Pooling1d(2, 1),
            new Dropout2d(0.1),
            new Dropout(0.1))) {
      String s = m.toString();
      assertFalse(s.contains("address") || s.contains("0x"), s);
    }
  }

  @Test
  void constructorsRejectBadSettingsByName() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Dropout2d(1.5));
    assertTrue(e.getMessage().contains("1.5"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Lstm(0, 3, 1, false, 0));
    assertTrue(e.getMessage().contains("inputSize is 0"), e.getMessage());
  }
}
