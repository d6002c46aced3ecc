package dev.sonus.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.nn.Activation;
import dev.sonus.tensor.StateDict;
import dev.sonus.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class XvectorTest {
  @Test
  void parameterNamesFollowSpeechBrainsFlatBlockList() {
    Xvector model = new Xvector(Xvector.Options.defaults());
    List<String> keys = new ArrayList<>(StateDict.of(model).keySet());
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      expected.add("blocks." + (3 * i) + ".conv.weight");
      expected.add("blocks." + (3 * i) + ".conv.bias");
      for (String n :
          List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked")) {
        expected.add("blocks." + (3 * i + 2) + ".norm." + n);
      }
    }
    expected.add("blocks.16.w.weight");
    expected.add("blocks.16.w.bias");
    assertEquals(expected, keys);
  }

  @Test
  void statisticsUseOnlyTheValidFramesInEvalMode() {
    torch.manual_seed(1);
    Xvector model =
        new Xvector(
            new Xvector.Options(
                20,
                Activation.LEAKY_RELU,
                3,
                List.of(16L, 16L, 24L),
                List.of(5L, 3L, 1L),
                List.of(1L, 2L, 1L),
                8));
    model.eval();
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard()) {
      Tensor x = torch.randn(1, 30, 20);
      Tensor padded = torch.constant_pad_nd(x, new long[] {0, 0, 0, 10});
      float[] alone = Tensors.toFloats(model.forward(x, null));
      Tensor out = model.forward(padded, Tensors.fromFloats(new float[] {30f / 40f}, 1));
      assertArrayEquals(new long[] {1, 1, 8}, Tensors.shape(out));
      float[] masked = Tensors.toFloats(out);
      double worst = 0;
      for (int i = 0; i < alone.length; i++) {
        worst = Math.max(worst, Math.abs(alone[i] - masked[i]));
      }
      // Convolutions near the end still see the padding (as in SpeechBrain); the pooling ignores
      // padded frames.
      assertTrue(worst < 0.5, "difference " + worst);
      float[] again = Tensors.toFloats(model.forward(x, null));
      assertArrayEquals(alone, again, "eval mode must be deterministic");
    }
  }

  @Test
  void classifierHeadHasSpeechBrainNamesAndGivesLogProbabilities() {
    XvectorClassifier head = new XvectorClassifier(8, Activation.LEAKY_RELU, 1, 6, 3);
    List<String> bn =
        List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked");
    List<String> expected = new ArrayList<>();
    bn.forEach(n -> expected.add("norm.norm." + n));
    expected.add("DNN.block_0.linear.w.weight");
    expected.add("DNN.block_0.linear.w.bias");
    bn.forEach(n -> expected.add("DNN.block_0.norm.norm." + n));
    expected.add("out.w.weight");
    expected.add("out.w.bias");
    assertEquals(expected, new ArrayList<>(StateDict.of(head).keySet()));
    head.eval();
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard()) {
      Tensor out = head.forward(torch.randn(2, 1, 8));
      assertArrayEquals(new long[] {2, 1, 3}, Tensors.shape(out));
      float[] p =
          Tensors.toFloats(
              out.exp().sum(new long[] {-1}, false, new org.bytedeco.pytorch.ScalarTypeOptional()));
      assertArrayEquals(new float[] {1f, 1f}, p, 1e-5f);
    }
  }
}
