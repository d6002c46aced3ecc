package dev.sonus.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.tensor.StateDict;
import dev.sonus.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class MoreLayersTest {
  private static long[] shapeOf(Tensor t) {
    long[] s = Tensors.shape(t);
    t.close();
    return s;
  }

  private static float[] valuesOf(Tensor t) {
    float[] v = Tensors.toFloats(t);
    t.close();
    return v;
  }

  private static float[] gaussian(Random random, int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) random.nextGaussian();
    }
    return out;
  }

  private static Map<String, long[]> shapes(Module m) {
    Map<String, Tensor> sd = StateDict.of(m);
    Map<String, long[]> out = new java.util.LinkedHashMap<>();
    sd.forEach((k, v) -> out.put(k, Tensors.shape(v)));
    sd.values().forEach(Tensor::close);
    return out;
  }

  private static String message(Executable call) {
    return assertThrows(IllegalArgumentException.class, call).getMessage();
  }

  @Test
  void conv1dOutputShapesForPaddingsStridesAndDilations() {
    torch.manual_seed(0);
    try (PointerScope scope = new PointerScope()) {
      Tensor x = torch.randn(2, 10, 4);
      assertArrayEquals(new long[] {2, 10, 6}, shapeOf(new Conv1d(4, 6, 3).forward(x)));
      assertArrayEquals(
          new long[] {2, 10, 6}, shapeOf(new Conv1d(1, 6, 5).forward(torch.randn(2, 10))));
      assertArrayEquals(
          new long[] {2, 10, 6},
          shapeOf(
              new Conv1d(4, 6, 3, 1, 2, Conv1d.Padding.SAME, Conv1d.PaddingMode.REFLECT, 1, true)
                  .forward(x)));
      assertArrayEquals(
          new long[] {2, 6, 6},
          shapeOf(
              new Conv1d(4, 6, 3, 1, 2, Conv1d.Padding.VALID, Conv1d.PaddingMode.REFLECT, 1, true)
                  .forward(x)));
      assertArrayEquals(
          new long[] {2, 10, 6},
          shapeOf(
              new Conv1d(4, 6, 3, 1, 2, Conv1d.Padding.CAUSAL, Conv1d.PaddingMode.REFLECT, 1, true)
                  .forward(x)));
      // Stride 2: SpeechBrain pads kernelSize / 2 per side: floor((10 + 2 - 2 - 1) / 2) + 1 = 5.
      assertArrayEquals(
          new long[] {2, 5, 6},
          shapeOf(
              new Conv1d(4, 6, 3, 2, 1, Conv1d.Padding.SAME, Conv1d.PaddingMode.REFLECT, 1, true)
                  .forward(x)));
      // Stride 2, dilation 2, kernel 5: pad 2 per side (dilation ignored): floor((10 + 4 - 8 - 1) /
      // 2) + 1 = 3.
      assertArrayEquals(
          new long[] {2, 3, 6},
          shapeOf(
              new Conv1d(4, 6, 5, 2, 2, Conv1d.Padding.SAME, Conv1d.PaddingMode.REFLECT, 1, true)
                  .forward(x)));
      // Even kernels are allowed with VALID padding.
      assertArrayEquals(
          new long[] {2, 4, 6},
          shapeOf(
              new Conv1d(4, 6, 4, 2, 1, Conv1d.Padding.VALID, Conv1d.PaddingMode.REFLECT, 1, true)
                  .forward(x)));
    }
  }

  @Test
  void conv1dParametersHaveSpeechBrainNamesAndShapes() {
    Map<String, long[]> grouped =
        shapes(new Conv1d(4, 6, 3, 1, 1, Conv1d.Padding.SAME, Conv1d.PaddingMode.REFLECT, 2, true));
    assertEquals(List.of("conv.weight", "conv.bias"), List.copyOf(grouped.keySet()));
    assertArrayEquals(new long[] {6, 2, 3}, grouped.get("conv.weight"));
    assertArrayEquals(new long[] {6}, grouped.get("conv.bias"));
    Map<String, long[]> noBias =
        shapes(
            new Conv1d(4, 6, 5, 1, 1, Conv1d.Padding.VALID, Conv1d.PaddingMode.REFLECT, 1, false));
    assertEquals(List.of("conv.weight"), List.copyOf(noBias.keySet()));
    assertArrayEquals(new long[] {6, 4, 5}, noBias.get("conv.weight"));
  }

  /**
   * Kernel {1, 10, 100}, bias 0.5, input 1..4: y[t] = p[t] + 10 p[t+1] + 100 p[t+2] + 0.5 over the
   * padded p.
   */
  private static float[] convolveOneToFour(Conv1d.PaddingMode mode) {
    Conv1d conv = new Conv1d(1, 1, 3, 1, 1, Conv1d.Padding.SAME, mode, 1, true);
    try (PointerScope scope = new PointerScope()) {
      StateDict.load(
          conv,
          Map.of(
              "conv.weight",
              Tensors.fromFloats(new float[] {1, 10, 100}, 1, 1, 3),
              "conv.bias",
              Tensors.fromFloats(new float[] {0.5f}, 1)),
          true,
          "hand-set weights");
      Tensor x = Tensors.fromFloats(new float[] {1, 2, 3, 4}, 1, 4, 1);
      Tensor y = conv.forward(x);
      assertArrayEquals(new long[] {1, 4, 1}, Tensors.shape(y));
      return valuesOf(y);
    }
  }

  @Test
  void conv1dSamePaddingModesMatchHandComputation() {
    // reflect pads to [2, 1, 2, 3, 4, 3]
    assertArrayEquals(
        new float[] {212.5f, 321.5f, 432.5f, 343.5f},
        convolveOneToFour(Conv1d.PaddingMode.REFLECT),
        1e-4f);
    // zeros: [0, 1, 2, 3, 4, 0]
    assertArrayEquals(
        new float[] {210.5f, 321.5f, 432.5f, 43.5f},
        convolveOneToFour(Conv1d.PaddingMode.ZEROS),
        1e-4f);
    // replicate: [1, 1, 2, 3, 4, 4]
    assertArrayEquals(
        new float[] {211.5f, 321.5f, 432.5f, 443.5f},
        convolveOneToFour(Conv1d.PaddingMode.REPLICATE),
        1e-4f);
    // circular: [4, 1, 2, 3, 4, 1]
    assertArrayEquals(
        new float[] {214.5f, 321.5f, 432.5f, 143.5f},
        convolveOneToFour(Conv1d.PaddingMode.CIRCULAR),
        1e-4f);
  }

  @Test
  void conv1dCausalOutputDependsOnlyOnPastAndPresentInputs() {
    torch.manual_seed(1);
    Conv1d conv =
        new Conv1d(2, 3, 3, 1, 2, Conv1d.Padding.CAUSAL, Conv1d.PaddingMode.REFLECT, 1, true);
    Random random = new Random(7);
    float[] a = gaussian(random, 12 * 2);
    float[] b = a.clone();
    for (int i = 6 * 2; i < b.length; i++) {
      b[i] += 1 + random.nextFloat(); // change every input frame from t = 6 on
    }
    try (PointerScope scope = new PointerScope()) {
      float[] ya = valuesOf(conv.forward(Tensors.fromFloats(a, 1, 12, 2)));
      float[] yb = valuesOf(conv.forward(Tensors.fromFloats(b, 1, 12, 2)));
      assertArrayEquals(
          java.util.Arrays.copyOf(ya, 6 * 3),
          java.util.Arrays.copyOf(yb, 6 * 3),
          0f,
          "frames 0..5 must not see inputs from frame 6 on");
      boolean frame6Changed = false;
      for (int i = 6 * 3; i < 7 * 3; i++) {
        frame6Changed |= ya[i] != yb[i];
      }
      assertTrue(frame6Changed, "frame 6 must see input frame 6");
      // Frame 0 sees only input frame 0 (the padding is zeros): y = w[:, :, 2] x0 + bias.
      Map<String, Tensor> sd = StateDict.of(conv);
      float[] w = Tensors.toFloats(sd.get("conv.weight")); // [3, 2, 3]
      float[] bias = Tensors.toFloats(sd.get("conv.bias"));
      sd.values().forEach(Tensor::close);
      for (int o = 0; o < 3; o++) {
        float expected = bias[o] + w[o * 6 + 2] * a[0] + w[o * 6 + 3 + 2] * a[1];
        assertEquals(expected, ya[o], 1e-5f);
      }
    }
  }

  @Test
  void conv1dChannelsFirstEqualsTransposedChannelsLast() {
    torch.manual_seed(3);
    Conv1d conv =
        new Conv1d(4, 6, 3, 2, 1, Conv1d.Padding.SAME, Conv1d.PaddingMode.REFLECT, 2, true);
    try (PointerScope scope = new PointerScope()) {
      Tensor x = torch.randn(2, 9, 4);
      Tensor last = conv.forward(x);
      Tensor first = conv.forwardChannelsFirst(x.transpose(1, 2).contiguous());
      assertArrayEquals(new long[] {2, 6, 5}, Tensors.shape(first));
      assertArrayEquals(valuesOf(last.transpose(1, 2)), valuesOf(first), 1e-6f);
      String m = message(() -> conv.forwardChannelsFirst(x));
      assertTrue(m.contains("[2, 9, 4]") && m.contains("expected 4"), m);
    }
  }

  @Test
  void batchNorm2dStandardisesEachChannelOverBatchTimeAndFreqInTraining() {
    Random random = new Random(3);
    int n = 3 * 5 * 4;
    float[] x = new float[n * 2];
    for (int i = 0; i < n; i++) {
      x[2 * i] = (float) random.nextGaussian() * 0.5f - 1; // channel 0
      x[2 * i + 1] = (float) random.nextGaussian() * 4 + 10; // channel 1
    }
    BatchNorm2d bn = new BatchNorm2d(2);
    try (PointerScope scope = new PointerScope()) {
      Tensor y = bn.forward(Tensors.fromFloats(x, 3, 5, 4, 2));
      assertArrayEquals(new long[] {3, 5, 4, 2}, Tensors.shape(y));
      float[] v = valuesOf(y);
      for (int c = 0; c < 2; c++) {
        double sum = 0;
        double sq = 0;
        for (int i = 0; i < n; i++) {
          sum += v[2 * i + c];
          sq += v[2 * i + c] * v[2 * i + c];
        }
        double mean = sum / n;
        assertEquals(0, mean, 1e-4, "channel " + c + " mean");
        assertEquals(1, sq / n - mean * mean, 1e-3, "channel " + c + " (biased) variance");
      }
      // Running mean after one step: 0.9 * 0 + 0.1 * batch mean.
      Map<String, Tensor> sd = StateDict.of(bn);
      double mean1 = 0;
      for (int i = 0; i < n; i++) {
        mean1 += x[2 * i + 1];
      }
      mean1 /= n;
      assertEquals(0.1 * mean1, Tensors.toFloats(sd.get("norm.running_mean"))[1], 1e-4);
      assertEquals(1, Tensors.toLongs(sd.get("norm.num_batches_tracked"))[0]);
      sd.values().forEach(Tensor::close);
    }
  }

  @Test
  void batchNorm2dUsesRunningStatisticsInEvalModeAndSpeechBrainKeys() {
    BatchNorm2d bn = new BatchNorm2d(2);
    assertEquals(
        List.of(
            "norm.weight",
            "norm.bias",
            "norm.running_mean",
            "norm.running_var",
            "norm.num_batches_tracked"),
        List.copyOf(StateDict.of(bn).keySet()));
    try (PointerScope scope = new PointerScope()) {
      StateDict.load(
          bn,
          Map.of(
              "norm.running_mean",
              Tensors.fromFloats(new float[] {1, 2}, 2),
              "norm.running_var",
              Tensors.fromFloats(new float[] {4, 9}, 2),
              "norm.weight",
              Tensors.fromFloats(new float[] {2, 1}, 2),
              "norm.bias",
              Tensors.fromFloats(new float[] {0, 0.5f}, 2)),
          false,
          "hand-set statistics");
      bn.eval();
      float[] x = {3, 5, 1, 2, -1, 11}; // [1, 1, 3, 2]: (freq, channel) pairs
      float[] y = valuesOf(bn.forward(Tensors.fromFloats(x, 1, 1, 3, 2)));
      float[] expected = new float[6];
      for (int i = 0; i < 3; i++) {
        expected[2 * i] = (float) (2 * (x[2 * i] - 1) / Math.sqrt(4 + 1e-5));
        expected[2 * i + 1] = (float) ((x[2 * i + 1] - 2) / Math.sqrt(9 + 1e-5) + 0.5);
      }
      assertArrayEquals(expected, y, 1e-5f);
    }
  }

  @Test
  void gruStateDictMatchesTorchGruNames() {
    Gru gru = new Gru(6, 4, 2, true, 0.1);
    Map<String, long[]> s = shapes(gru);
    List<String> expected = new ArrayList<>();
    for (int layer = 0; layer < 2; layer++) {
      for (String suffix : List.of("", "_reverse")) {
        for (String p : List.of("weight_ih", "weight_hh", "bias_ih", "bias_hh")) {
          expected.add("rnn." + p + "_l" + layer + suffix);
        }
      }
    }
    assertEquals(expected, List.copyOf(s.keySet()));
    assertArrayEquals(new long[] {12, 6}, s.get("rnn.weight_ih_l0"));
    assertArrayEquals(new long[] {12, 8}, s.get("rnn.weight_ih_l1_reverse"));
    assertArrayEquals(new long[] {12, 4}, s.get("rnn.weight_hh_l1"));
    assertEquals(8, gru.outputSize());
    try (PointerScope scope = new PointerScope()) {
      gru.eval();
      assertArrayEquals(new long[] {2, 5, 8}, shapeOf(gru.forward(torch.randn(2, 5, 3, 2))));
    }
  }

  @Test
  void gruWithRelativeLengthsIgnoresPaddingAndZeroesPaddedFrames() {
    torch.manual_seed(2);
    Gru gru = new Gru(3, 4, 2, true, 0);
    Random random = new Random(5);
    float[] shortOne = gaussian(random, 4 * 3);
    float[] batch = new float[2 * 7 * 3];
    System.arraycopy(shortOne, 0, batch, 0, shortOne.length);
    float[] junk = gaussian(random, 3 * 3); // non-zero padding, must be packed away
    System.arraycopy(junk, 0, batch, shortOne.length, junk.length);
    float[] longOne = gaussian(random, 7 * 3);
    System.arraycopy(longOne, 0, batch, 7 * 3, longOne.length);
    try (PointerScope scope = new PointerScope()) {
      float[] alone = valuesOf(gru.forward(Tensors.fromFloats(shortOne, 1, 4, 3)));
      Tensor out =
          gru.forward(
              Tensors.fromFloats(batch, 2, 7, 3), Tensors.fromFloats(new float[] {4 / 7f, 1}, 2));
      assertArrayEquals(new long[] {2, 7, 8}, Tensors.shape(out));
      float[] o = valuesOf(out);
      assertArrayEquals(alone, java.util.Arrays.copyOf(o, 4 * 8), 1e-5f);
      for (int i = 4 * 8; i < 7 * 8; i++) {
        assertEquals(0f, o[i], 0f, "padded output " + i);
      }
      float[] longAlone = valuesOf(gru.forward(Tensors.fromFloats(longOne, 1, 7, 3)));
      assertArrayEquals(longAlone, java.util.Arrays.copyOfRange(o, 7 * 8, 14 * 8), 1e-5f);
      // Without lengths the junk frames reach the backward direction of the short utterance.
      float[] unpacked = valuesOf(gru.forward(Tensors.fromFloats(batch, 2, 7, 3)));
      assertNotEquals(alone[3], unpacked[3], 1e-4f);
    }
  }

  @Test
  void badArgumentsAreRejectedNamingTheValue() {
    String m = message(() -> new Conv1d(4, 6, 4));
    assertTrue(m.contains("kernelSize is 4") && m.contains("SAME"), m);
    m =
        message(
            () ->
                new Conv1d(
                    4, 6, 4, 1, 1, Conv1d.Padding.CAUSAL, Conv1d.PaddingMode.REFLECT, 1, true));
    assertTrue(m.contains("kernelSize is 4") && m.contains("CAUSAL"), m);
    m =
        message(
            () ->
                new Conv1d(
                    4, 6, 3, 1, 1, Conv1d.Padding.SAME, Conv1d.PaddingMode.REFLECT, 3, true));
    assertTrue(m.contains("groups is 3"), m);
    m =
        message(
            () ->
                new Conv1d(
                    4, 6, 3, 0, 1, Conv1d.Padding.SAME, Conv1d.PaddingMode.REFLECT, 1, true));
    assertTrue(m.contains("stride is 0"), m);
    m = message(() -> new BatchNorm2d(0));
    assertTrue(m.contains("channels is 0"), m);
    m = message(() -> new Gru(0, 3, 1, false, 0));
    assertTrue(m.contains("inputSize is 0"), m);
    m = message(() -> new Gru(3, 3, 2, false, 1.0));
    assertTrue(m.contains("dropout is 1.0"), m);
  }

  @Test
  void badInputsAreRejectedNamingTheShape() {
    Conv1d conv = new Conv1d(4, 6, 3);
    Conv1d mono = new Conv1d(1, 2, 5);
    BatchNorm2d bn = new BatchNorm2d(3);
    Gru gru = new Gru(3, 2, 1, false, 0);
    try (PointerScope scope = new PointerScope()) {
      String m = message(() -> conv.forward(torch.randn(2, 10, 5)));
      assertTrue(m.contains("5") && m.contains("expected 4"), m);
      m = message(() -> conv.forward(torch.randn(2, 10)));
      assertTrue(m.contains("[2, 10]"), m);
      m = message(() -> mono.forward(torch.randn(1, 2)));
      assertTrue(m.contains("[1, 2]") && m.contains("at least 3 frames"), m);
      m = message(() -> bn.forward(torch.randn(2, 5, 4, 2)));
      assertTrue(m.contains("[2, 5, 4, 2]") && m.contains("expected 3"), m);
      m = message(() -> bn.forward(torch.randn(2, 5, 3)));
      assertTrue(m.contains("[2, 5, 3]"), m);
      m = message(() -> gru.forward(torch.randn(2, 5, 3), torch.ones(3)));
      assertTrue(m.contains("[3]") && m.contains("[2]"), m);
    }
  }

  @Test
  void toStringsShowSettingsNotAddresses() {
    for (Module m :
        List.<Module>of(new Conv1d(2, 3, 3), new BatchNorm2d(3), new Gru(2, 3, 1, true, 0))) {
      String s = m.toString();
      assertFalse(s.contains("address") || s.contains("0x"), s);
    }
    assertTrue(new Conv1d(2, 3, 5).toString().contains("kernel=5"));
  }
}
