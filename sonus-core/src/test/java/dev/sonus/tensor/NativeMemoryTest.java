package dev.sonus.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.features.Fbank;
import dev.sonus.features.InputNormalization;
import dev.sonus.features.Mfcc;
import dev.sonus.testing.NativeMemory;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Repeated feature extraction must not grow native memory: every temporary is released each step.
 */
class NativeMemoryTest {

  @Test
  void featurePipelineKeepsNativeMemoryFlatOverManySteps() {
    int items = 4;
    int samples = 16000;
    float[] data = new float[items * samples];
    SplittableRandom rng = new SplittableRandom(3);
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) (rng.nextDouble() - 0.5);
    }
    Fbank.Options options = Fbank.Options.defaults().withDeltas(true).withContext(true);
    try (Fbank fbank = new Fbank(options);
        Mfcc mfcc = Mfcc.speechBrainDefaults(16000);
        BatchParallel parallel = new BatchParallel(2);
        Tensor wav = Tensors.fromFloats(data, items, samples);
        Tensor rel = Tensors.fromFloats(new float[] {1f, 0.9f, 0.8f, 0.7f}, items)) {
      InputNormalization norm = new InputNormalization(InputNormalization.Type.GLOBAL, true, true);
      norm.train(true);
      Runnable step =
          () -> {
            try (PointerScope scope = new PointerScope()) {
              Tensor feats = parallel.map(wav, fbank::forward);
              norm.forward(feats, rel, 1).close();
              feats.close();
              mfcc.forward(wav).close();
              try (Tensor one = fbank.forward(wav.narrow(0, 0, 1))) {
                Tensors.toFloats(one);
              }
            }
          };
      for (int i = 0; i < 20; i++) {
        step.run(); // warm-up: allocator pools, lazily created kernels
      }
      NativeMemory.settle();
      long countBefore = Pointer.totalCount();
      long bytesBefore = Pointer.physicalBytes();
      for (int i = 0; i < 150; i++) {
        step.run();
      }
      NativeMemory.settle();
      long countAfter = Pointer.totalCount();
      long bytesAfter = Pointer.physicalBytes();
      System.out.printf(
          "native pointers %d -> %d, RSS %.1f -> %.1f MiB%n",
          countBefore, countAfter, bytesBefore / 1048576.0, bytesAfter / 1048576.0);
      // Unowned pointers of earlier tests may be collected meanwhile, so the count can only fall,
      // never grow.
      assertTrue(
          countAfter <= countBefore,
          () ->
              "native pointers grew from "
                  + countBefore
                  + " to "
                  + countAfter
                  + " over the steps: a tensor or scalar made in a step is not released");
      // One step allocates ~40 MiB of temporaries; a leak of even one output per step would add
      // >100 MiB here.
      assertTrue(
          bytesAfter - bytesBefore < 64L * 1024 * 1024,
          () ->
              String.format(
                  "resident memory grew by %.1f MiB over 150 steps",
                  (bytesAfter - bytesBefore) / 1048576.0));
    }
  }
}
