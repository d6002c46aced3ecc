package dev.sonus.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.tensor.Npy;
import dev.sonus.tensor.Tensors;
import dev.sonus.testing.Close;
import dev.sonus.testing.Shared;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** CTC loss against SpeechBrain v1.0.0 / torch references in ../shared/fixtures/speechbrain/ctc. */
class CtcLossTest {

  @Test
  void matchesSpeechBrainsCtcLossWithRelativeLengths() {
    Path dir = Shared.require("fixtures/speechbrain/ctc");
    try (PointerScope scope = new PointerScope()) {
      Tensor logProbs = Npy.read(dir.resolve("log_probs.npy")).toTensor().transpose(0, 1).contiguous(); // [B,T,C]
      Tensor targets = Npy.read(dir.resolve("targets.npy")).toTensor();
      Tensor inRel = Tensors.fromFloats(new float[] {1.0f, 0.8f}, 2);
      Tensor tgtRel = Tensors.fromFloats(new float[] {1.0f, 0.6f}, 2);
      float mean = Npy.read(dir.resolve("sb_ctc_loss_mean.npy")).floats()[0];
      float batchMean = Npy.read(dir.resolve("sb_ctc_loss_batchmean.npy")).floats()[0];
      double gotMean = new CtcLoss(0, CtcLoss.Reduction.MEAN).forward(logProbs, targets, inRel, tgtRel)
          .item_double();
      double gotBatchMean = new CtcLoss(0, CtcLoss.Reduction.BATCHMEAN).forward(logProbs, targets, inRel, tgtRel)
          .item_double();
      System.out.printf("ctc mean %.6f vs %.6f, batchmean %.6f vs %.6f%n", gotMean, mean, gotBatchMean, batchMean);
      assertEquals(mean, gotMean, 1e-4);
      assertEquals(batchMean, gotBatchMean, 1e-4);
    }
  }

  @Test
  void perUtteranceLossesAndGradientMatchTorch() {
    Path dir = Shared.require("fixtures/speechbrain/ctc");
    try (PointerScope scope = new PointerScope()) {
      long[] inLen = Npy.read(dir.resolve("input_lengths.npy")).longs();
      long[] tgtLen = Npy.read(dir.resolve("target_lengths.npy")).longs();
      Tensor logits = Npy.read(dir.resolve("logits.npy")).toTensor().transpose(0, 1).contiguous()
          .requires_grad_(true);
      Tensor logProbs = org.bytedeco.pytorch.global.torch.log_softmax(logits, 2);
      Tensor targets = Npy.read(dir.resolve("targets.npy")).toTensor();
      Tensor inRel = Tensors.fromFloats(new float[] {inLen[0] / 50f, inLen[1] / 50f}, 2);
      Tensor tgtRel = Tensors.fromFloats(new float[] {tgtLen[0] / 5f, tgtLen[1] / 5f}, 2);
      float[] none = Tensors.toFloats(new CtcLoss(0, CtcLoss.Reduction.BATCH).forward(logProbs, targets, inRel,
          tgtRel));
      Close.assertClose("ctc per utterance", Npy.read(dir.resolve("loss_none.npy")).floats(), none, 1e-4, 1e-5);
      Tensor sum = new CtcLoss(0, CtcLoss.Reduction.SUM).forward(logProbs, targets, inRel, tgtRel);
      sum.backward();
      float[] expectedGrad = Npy.read(dir.resolve("grad_logits_sum.npy")).floats(); // [T, B, C]
      float[] grad = Tensors.toFloats(logits.grad().transpose(0, 1).contiguous());
      Close.assertClose("d loss / d logits", expectedGrad, grad, 1e-5, 1e-4);
    }
  }

  @Test
  void aBlankOutsideTheClassesIsReported() {
    try (PointerScope scope = new PointerScope()) {
      Tensor lp = Tensors.fromFloats(new float[2 * 3 * 4], 2, 3, 4);
      Tensor t = Tensors.fromLongs(new long[] {1, 2}, 2, 1);
      Tensor rel = Tensors.fromFloats(new float[] {1, 1}, 2);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new CtcLoss(7, CtcLoss.Reduction.MEAN).forward(lp, t, rel, rel));
      assertTrue(e.getMessage().contains("blank_index 7") && e.getMessage().contains("4 output classes"),
          e.getMessage());
    }
  }
}
