package dev.sonus.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.features.Fbank;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class BatchParallelTest {
  private static float[] noise(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (rng.nextDouble() - 0.5);
    }
    return x;
  }

  @Test
  void parallelFbankEqualsSingleThreadedFbankBitForBit() {
    int items = 5; // not a multiple of the worker count: chunks of 2, 2, 1
    int samples = 4000;
    float[] data = noise(items * samples, 7);
    try (PointerScope scope = new PointerScope();
        Fbank fbank = new Fbank(16000, 40);
        BatchParallel parallel = new BatchParallel(3)) {
      Tensor wav = Tensors.fromFloats(data, items, samples);
      float[] expected = new float[0];
      // Item by item on this thread, as the workers do it.
      for (int i = 0; i < items; i++) {
        try (Tensor one = fbank.forward(wav.narrow(0, i, 1))) {
          float[] part = Tensors.toFloats(one);
          float[] grown = java.util.Arrays.copyOf(expected, expected.length + part.length);
          System.arraycopy(part, 0, grown, expected.length, part.length);
          expected = grown;
        }
      }
      try (Tensor out = parallel.map(wav, fbank::forward)) {
        assertArrayEquals(new long[] {items, 1 + samples / 160, 40}, Tensors.shape(out));
        assertArrayEquals(expected, Tensors.toFloats(out));
      }
    }
  }

  @Test
  void aFailingWorkerReportsItsOwnException() {
    try (PointerScope scope = new PointerScope();
        BatchParallel parallel = new BatchParallel(2)) {
      Tensor wav = Tensors.fromFloats(noise(200, 1), 4, 50);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  parallel.map(
                      wav,
                      x -> {
                        throw new IllegalArgumentException("bad item batch of " + x.size(0));
                      }));
      assertTrue(e.getMessage().startsWith("bad item batch of 2"), e.getMessage());
    }
  }

  @Test
  void oneWorkerRunsOnTheCallingThread() {
    try (PointerScope scope = new PointerScope();
        BatchParallel parallel = new BatchParallel(1)) {
      Thread caller = Thread.currentThread();
      Tensor wav = Tensors.fromFloats(noise(100, 2), 2, 50);
      parallel
          .map(
              wav,
              x -> {
                assertEquals(caller, Thread.currentThread());
                return x.clone();
              })
          .close();
    }
  }

  @Test
  void zeroWorkersIsRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new BatchParallel(0));
    assertTrue(e.getMessage().contains("is 0"), e.getMessage());
  }
}
