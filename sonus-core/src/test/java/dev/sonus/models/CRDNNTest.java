package dev.sonus.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.tensor.StateDict;
import dev.sonus.tensor.Tensors;
import dev.sonus.testing.NativeMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class CRDNNTest {
  /**
   * state_dict() keys of speechbrain.lobes.models.CRDNN.CRDNN v1.0.0 built as the ASR recipe's
   * encoder (cnn_blocks 1, rnn_class LSTM, rnn_layers 2 bidirectional, dnn_blocks 1), in PyTorch's
   * order, derived from CRDNN.py (CNN/block_0/conv_1..., RNN, DNN/block_0/linear...), CNN.py
   * ({@code conv}), normalization.py ({@code norm}), linear.py ({@code w}) and RNN.py ({@code rnn},
   * torch.nn.LSTM's names).
   */
  static final List<String> SPEECHBRAIN_KEYS =
      List.of(
          "CNN.block_0.conv_1.conv.weight",
          "CNN.block_0.conv_1.conv.bias",
          "CNN.block_0.norm_1.norm.weight",
          "CNN.block_0.norm_1.norm.bias",
          "CNN.block_0.conv_2.conv.weight",
          "CNN.block_0.conv_2.conv.bias",
          "CNN.block_0.norm_2.norm.weight",
          "CNN.block_0.norm_2.norm.bias",
          "RNN.rnn.weight_ih_l0",
          "RNN.rnn.weight_hh_l0",
          "RNN.rnn.bias_ih_l0",
          "RNN.rnn.bias_hh_l0",
          "RNN.rnn.weight_ih_l0_reverse",
          "RNN.rnn.weight_hh_l0_reverse",
          "RNN.rnn.bias_ih_l0_reverse",
          "RNN.rnn.bias_hh_l0_reverse",
          "RNN.rnn.weight_ih_l1",
          "RNN.rnn.weight_hh_l1",
          "RNN.rnn.bias_ih_l1",
          "RNN.rnn.bias_hh_l1",
          "RNN.rnn.weight_ih_l1_reverse",
          "RNN.rnn.weight_hh_l1_reverse",
          "RNN.rnn.bias_ih_l1_reverse",
          "RNN.rnn.bias_hh_l1_reverse",
          "DNN.block_0.linear.w.weight",
          "DNN.block_0.linear.w.bias",
          "DNN.block_0.norm.norm.weight",
          "DNN.block_0.norm.norm.bias",
          "DNN.block_0.norm.norm.running_mean",
          "DNN.block_0.norm.norm.running_var",
          "DNN.block_0.norm.norm.num_batches_tracked");

  private static CRDNN.Options small() {
    return new CRDNN.Options(
        12,
        dev.sonus.nn.Activation.LEAKY_RELU,
        0.15,
        1,
        List.of(4L),
        List.of(3L, 3L),
        false,
        2,
        false,
        List.of(2L),
        2,
        8,
        true,
        1,
        6);
  }

  private static Tensor input(long batch, long time, long feats) {
    torch.manual_seed(7);
    return torch.randn(batch, time, feats);
  }

  @Test
  void withLengthsAnUtterancesOutputDoesNotDependOnItsBatch() {
    torch.manual_seed(5);
    CRDNN model = new CRDNN(CRDNN.Options.defaults());
    model.eval();
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard()) {
      Tensor shortOne = torch.randn(1, 23, 40);
      Tensor longOne = torch.randn(1, 37, 40);
      Tensor padded =
          torch.cat(
              new org.bytedeco.pytorch.TensorVector(
                  torch.constant_pad_nd(shortOne, new long[] {0, 0, 0, 14}), longOne),
              0); // [2, 37, 40]
      Tensor batch = model.forward(padded, Tensors.fromFloats(new float[] {23f / 37f, 1f}, 2));
      Tensor alone = model.forward(shortOne, Tensors.fromFloats(new float[] {1f}, 1));
      float[] inBatch = Tensors.toFloats(batch.select(0, 0).narrow(0, 0, 23));
      float[] single = Tensors.toFloats(alone.select(0, 0));
      assertEquals(single.length, inBatch.length);
      double worst = 0;
      for (int k = 0; k < single.length; k++) {
        worst = Math.max(worst, Math.abs(single[k] - inBatch[k]));
      }
      assertTrue(
          worst < 1e-4,
          "valid frames differ by " + worst + " between the batch and the utterance alone");
      // Without lengths (SpeechBrain's behaviour) the padding leaks into the last frames.
      Tensor noLengths = model.forward(padded);
      float[] leaky = Tensors.toFloats(noLengths.select(0, 0).narrow(0, 0, 23));
      double diff = 0;
      for (int k = 0; k < single.length; k++) {
        diff = Math.max(diff, Math.abs(single[k] - leaky[k]));
      }
      assertTrue(
          diff > 1e-3, "expected the padding to change the output without lengths, diff " + diff);
    }
  }

  @Test
  void survivesGarbageCollectionBeforeSwitchingModes() throws InterruptedException {
    CRDNN model = new CRDNN(CRDNN.Options.defaults());
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(20);
    }
    // The native tree calls train() back through the Java object of each registered module: a
    // module made in
    // Java and referenced only by the native tree would have been reclaimed, failing here.
    model.train(true);
    model.eval();
    assertFalse(model.is_training());
  }

  @Test
  void outputIsBatchTimeDnnNeurons() {
    try (PointerScope scope = new PointerScope()) {
      CRDNN model = new CRDNN(CRDNN.Options.defaults());
      Tensor y = model.forward(input(2, 9, 40), torch.tensor(new float[] {1f, 0.6f}));
      assertArrayEquals(new long[] {2, 9, 128}, Tensors.shape(y));
      y.close();
    }
  }

  @Test
  void timePoolingHalvesTime() {
    CRDNN.Options o = small();
    CRDNN.Options pooled =
        new CRDNN.Options(
            o.inputSize(),
            o.activation(),
            o.dropout(),
            o.cnnBlocks(),
            o.cnnChannels(),
            o.cnnKernelSize(),
            true,
            2,
            false,
            o.interLayerPoolingSize(),
            o.rnnLayers(),
            o.rnnNeurons(),
            o.rnnBidirectional(),
            o.dnnBlocks(),
            o.dnnNeurons());
    try (PointerScope scope = new PointerScope()) {
      Tensor y = new CRDNN(pooled).forward(input(3, 10, 12));
      assertArrayEquals(new long[] {3, 5, 6}, Tensors.shape(y));
      y.close();
    }
  }

  @Test
  void stateDictKeysEqualSpeechBrains() {
    CRDNN model = new CRDNN(CRDNN.Options.defaults());
    Map<String, Tensor> own = StateDict.of(model);
    // StateDict.of lists parameters, then buffers; PyTorch interleaves them per module. Same keys,
    // same order
    // within parameters and within buffers.
    List<String> params = new ArrayList<>();
    List<String> buffers = new ArrayList<>();
    for (String k : SPEECHBRAIN_KEYS) {
      (k.contains("running_") || k.contains("num_batches") ? buffers : params).add(k);
    }
    List<String> expected = new ArrayList<>(params);
    expected.addAll(buffers);
    assertEquals(expected, new ArrayList<>(own.keySet()));
    assertArrayEquals(
        new long[] {32, 1, 3, 3}, Tensors.shape(own.get("CNN.block_0.conv_1.conv.weight")));
    assertArrayEquals(
        new long[] {40, 32},
        Tensors.shape(own.get("CNN.block_0.norm_1.norm.weight"))); // before pooling
    assertArrayEquals(new long[] {512, 20 * 32}, Tensors.shape(own.get("RNN.rnn.weight_ih_l0")));
    assertArrayEquals(
        new long[] {512, 256}, Tensors.shape(own.get("RNN.rnn.weight_ih_l1_reverse")));
    assertArrayEquals(new long[] {128, 256}, Tensors.shape(own.get("DNN.block_0.linear.w.weight")));
  }

  @Test
  void sameSeedGivesSameOutput() {
    try (PointerScope scope = new PointerScope()) {
      torch.manual_seed(3);
      CRDNN a = new CRDNN(small());
      torch.manual_seed(3);
      CRDNN b = new CRDNN(small());
      a.eval();
      b.eval();
      Tensor x = input(2, 6, 12);
      assertArrayEquals(Tensors.toFloats(a.forward(x)), Tensors.toFloats(b.forward(x)));
    }
  }

  @Test
  void rejectsWrongFeatureCount() {
    CRDNN model = new CRDNN(small());
    try (PointerScope scope = new PointerScope()) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> model.forward(input(2, 6, 13)));
      assertTrue(
          e.getMessage().contains("13") && e.getMessage().contains("expected 12"), e.getMessage());
    }
  }

  @Test
  void rejectsTwoDPooling() {
    CRDNN.Options o = small();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new CRDNN.Options(
                    o.inputSize(),
                    o.activation(),
                    o.dropout(),
                    1,
                    List.of(4L),
                    List.of(3L, 3L),
                    false,
                    2,
                    true,
                    List.of(2L),
                    1,
                    4,
                    false,
                    1,
                    4));
    assertTrue(e.getMessage().contains("using_2d_pooling"), e.getMessage());
  }

  @Test
  void dropoutActsOnlyInTraining() {
    try (PointerScope scope = new PointerScope()) {
      torch.manual_seed(1);
      CRDNN model = new CRDNN(small());
      Tensor x = input(4, 6, 12);
      model.train(true);
      torch.manual_seed(11);
      float[] t1 = Tensors.toFloats(model.forward(x));
      torch.manual_seed(12);
      float[] t2 = Tensors.toFloats(model.forward(x));
      assertFalse(java.util.Arrays.equals(t1, t2), "training outputs should differ under dropout");
      model.eval();
      try (NoGradGuard g = new NoGradGuard()) {
        assertArrayEquals(Tensors.toFloats(model.forward(x)), Tensors.toFloats(model.forward(x)));
      }
    }
  }

  @Test
  void paddedFramesDoNotChangeTheLstmOnValidFrames() {
    try (PointerScope scope = new PointerScope()) {
      torch.manual_seed(2);
      dev.sonus.nn.Lstm lstm = new dev.sonus.nn.Lstm(3, 4, 2, true, 0);
      Tensor x = input(1, 5, 3);
      Tensor padded = torch.cat(new org.bytedeco.pytorch.TensorVector(x, torch.randn(1, 3, 3)), 1);
      Tensor full = lstm.forward(x);
      Tensor masked = lstm.forward(padded, torch.tensor(new float[] {5f / 8f}));
      assertArrayEquals(new long[] {1, 8, 8}, Tensors.shape(masked));
      float[] a = Tensors.toFloats(full);
      float[] b = Tensors.toFloats(masked.narrow(1, 0, 5).contiguous());
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i], b[i], 1e-5, "frame value " + i);
      }
    }
  }

  @Test
  void trainingStepReducesLoss() {
    torch.manual_seed(5);
    CRDNN model = new CRDNN(small());
    model.train(true);
    Tensor x = input(4, 6, 12);
    Tensor target = torch.randn(4, 6, 6);
    SGD opt = new SGD(model.parameters(), new SGDOptions(0.1));
    double first = 0;
    double last = 0;
    for (int step = 0; step < 15; step++) {
      try (PointerScope scope = new PointerScope()) {
        opt.zero_grad();
        Tensor y = model.forward(x);
        Tensor loss = y.sub(target).pow(new org.bytedeco.pytorch.Scalar(2.0)).mean();
        loss.backward();
        opt.step();
        double v = loss.item_double();
        if (step == 0) {
          first = v;
        }
        last = v;
        y.close();
      }
    }
    assertTrue(last < first, "loss went from " + first + " to " + last);
  }

  @Test
  void repeatedForwardsDoNotGrowNativeMemory() {
    CRDNN model = new CRDNN(small());
    Tensor x = input(2, 6, 12);
    Tensor lengths = torch.tensor(new float[] {1f, 0.5f});
    for (int i = 0; i < 3; i++) {
      try (PointerScope scope = new PointerScope()) {
        model.forward(x, lengths).close();
      }
    }
    NativeMemory.settle();
    long before = Pointer.totalCount();
    for (int i = 0; i < 20; i++) {
      try (PointerScope scope = new PointerScope();
          Tensor y = model.forward(x, lengths)) {
        y.sum().item_double();
      }
    }
    NativeMemory.settle();
    long after = Pointer.totalCount();
    assertTrue(after <= before, "native pointers grew from " + before + " to " + after);
  }

  @Test
  void toStringHasNoNativeAddress() {
    String s = new CRDNN(small()).toString();
    assertTrue(s.startsWith("CRDNN(") && !s.contains("address"), s);
  }
}
