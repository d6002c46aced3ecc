package dev.sonus.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.models.transformer.EncoderModule;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransformerBenchTest {
  private static TransformerBench.Shape tiny(EncoderModule encoder, int batch, int layers) {
    return new TransformerBench.Shape(encoder, batch, 40, 5, 16, layers, 1, 32, 48, 2, 3, 12);
  }

  @Test
  void theCountGrowsWithTheBatchAndTheDepthAsTheLayersDo() {
    for (EncoderModule e : EncoderModule.values()) {
      double one = TransformerBench.forwardFlops(tiny(e, 1, 2));
      // every term but the relative position projection (shared by the batch) is per utterance
      double two = TransformerBench.forwardFlops(tiny(e, 2, 2));
      assertTrue(two > 1.9 * one && two <= 2 * one * (1 + 1e-12), e + ": " + one + " vs " + two);
      double deeper = TransformerBench.forwardFlops(tiny(e, 1, 3));
      double perLayer = deeper - one;
      assertEquals(
          deeper + perLayer, TransformerBench.forwardFlops(tiny(e, 1, 4)), 1e-6 * deeper, e.name());
    }
    // the AN4 Conformer's 8 layers of width 144 over 75 frames: 2·B·T·d·f per FFN product alone
    TransformerBench.Shape an4 = TransformerBench.Shape.an4Conformer();
    double ffnOnly = 8 * 2 * 2 * (2.0 * 16 * 75 * 144 * 576);
    assertTrue(TransformerBench.forwardFlops(an4) > ffnOnly);
  }

  @Test
  void theBranchformerLayerCountsItsConvolutionBranchAndMerge() {
    TransformerBench.Shape a = tiny(EncoderModule.BRANCHFORMER, 1, 1);
    TransformerBench.Shape wider =
        new TransformerBench.Shape(
            EncoderModule.BRANCHFORMER, 1, 40, 5, 16, 1, 1, 32, 64, 2, 3, 12);
    // widening the cgMLP by 16 adds 2·T·d·16 (in) + 2·T·8·k (depthwise) + 2·T·8·d (out), T = 10
    double t = 10;
    double expected = 2 * t * 16 * 16 + 2 * t * 8 * 3 + 2 * t * 8 * 16;
    assertEquals(
        expected,
        TransformerBench.forwardFlops(wider) - TransformerBench.forwardFlops(a),
        1e-9 * expected);
  }

  @Test
  void aRunTimesTrainingStepsAndThePlainProduct() {
    for (EncoderModule e : EncoderModule.values()) {
      List<Double> seen = new ArrayList<>();
      TransformerBench.Result r =
          TransformerBench.run(tiny(e, 2, 1), 1, 1, 2, 1, (run, v, s, w) -> seen.add(v));
      assertEquals(2, seen.size());
      assertTrue(r.stepSeconds() > 0 && Double.isFinite(r.modelGflops()), r.toString());
      assertTrue(r.matmulGflops() > 0 && r.tokensPerSecond() > 0, r.toString());
      assertEquals("[20, 16] x [16, 32]", r.matmulShape());
    }
  }

  @Test
  void evenKernelsAndOddGateWidthsAreRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new TransformerBench.Shape(
                EncoderModule.CONFORMER, 1, 40, 5, 16, 1, 1, 32, 48, 2, 4, 12));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new TransformerBench.Shape(
                EncoderModule.BRANCHFORMER, 1, 40, 5, 16, 1, 1, 32, 47, 2, 3, 12));
  }
}
