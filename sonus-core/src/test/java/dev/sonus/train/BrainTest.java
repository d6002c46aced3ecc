package dev.sonus.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.data.DataLoader;
import dev.sonus.data.DynamicItemDataset;
import dev.sonus.testing.NativeMemory;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

class BrainTest {

  private static float[] train(long seed, int workers, int epochs) {
    TinyRegression task = new TinyRegression(seed);
    DynamicItemDataset ds = TinyRegression.data(64, 1);
    try (DataLoader train = TinyRegression.loader(ds, 8, seed, workers);
        Optimizer opt = Optimizers.Adam.adam(ParamGroups.single(task.model(), 0), 0.05)) {
      new Brain<>(task, opt, null, Brain.Options.defaults())
          .fit(new EpochCounter(epochs), train, null);
      return task.parameters();
    }
  }

  @Test
  void trainingReducesTheLossAndLearnsTheWeights() {
    TinyRegression task = new TinyRegression(3);
    DynamicItemDataset ds = TinyRegression.data(64, 1);
    try (DataLoader train = TinyRegression.loader(ds, 8, 3, 0);
        DataLoader valid = TinyRegression.loader(ds, 16, 3, 0);
        Optimizer opt = Optimizers.Adam.adam(ParamGroups.single(task.model(), 0), 0.05)) {
      List<Brain.StageResult> r =
          new Brain<>(task, opt, null, Brain.Options.defaults())
              .fit(new EpochCounter(30), train, valid);
      double first = r.get(1).metrics().get("loss");
      double last = r.get(r.size() - 1).metrics().get("loss");
      assertTrue(last < first / 20 && last < 0.01, "valid loss " + first + " -> " + last);
      float[] p = task.parameters(); // weight [1, 3], then bias [1]
      assertEquals(1f, p[0], 0.05f);
      assertEquals(-2f, p[1], 0.05f);
      assertEquals(0.5f, p[2], 0.05f);
      assertEquals(0.3f, p[3], 0.05f);
      assertEquals(8 * 30, opt.steps());
    }
  }

  @Test
  void sameSeedTwiceGivesBitIdenticalParametersWhateverTheLoaderThreads() {
    float[] a = train(7, 0, 3);
    float[] b = train(7, 0, 3);
    float[] c = train(7, 3, 3);
    assertArrayEquals(a, b);
    assertArrayEquals(a, c);
    float[] other = train(8, 0, 3);
    assertTrue(
        !java.util.Arrays.equals(a, other), "a different seed must give different parameters");
  }

  @Test
  void nonFiniteLossesAreSkippedAndCounted() {
    TinyRegression task = new TinyRegression(1);
    task.poisoned.add("u5");
    DynamicItemDataset ds = TinyRegression.data(32, 1);
    try (DataLoader train = TinyRegression.loader(ds, 8, 1, 0);
        Optimizer opt = Optimizers.Adam.adam(ParamGroups.single(task.model(), 0), 0.01)) {
      List<Brain.StageResult> r =
          new Brain<>(task, opt, null, Brain.Options.defaults())
              .fit(new EpochCounter(2), train, null);
      assertEquals(1, r.get(0).skippedSteps());
      assertEquals(1, r.get(1).skippedSteps());
      assertEquals(6, opt.steps(), "3 of 4 batches per epoch update the model");
      assertTrue(Double.isFinite(r.get(1).metrics().get("loss")));
      for (float v : task.parameters()) {
        assertTrue(Float.isFinite(v), "a NaN reached the parameters");
      }
    }
  }

  @Test
  void trainingAbortsAfterThePatienceWithAClearMessage() {
    TinyRegression task = new TinyRegression(1);
    for (int i = 0; i < 32; i++) {
      task.poisoned.add("u" + i);
    }
    DynamicItemDataset ds = TinyRegression.data(32, 1);
    try (DataLoader train = TinyRegression.loader(ds, 4, 1, 0);
        Optimizer opt = Optimizers.Adam.adam(ParamGroups.single(task.model(), 0), 0.01)) {
      Brain<?> brain = new Brain<>(task, opt, null, new Brain.Options(1, 5, 2, false));
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class, () -> brain.fit(new EpochCounter(1), train, null));
      assertTrue(
          e.getMessage().contains("loss is NaN")
              && e.getMessage().contains("nonfinite_patience 2")
              && e.getMessage().contains("learning rate"),
          e.getMessage());
      assertEquals(0, opt.steps());
    }
  }

  @Test
  void accumulatingTwoHalfBatchesEqualsOneFullBatch() {
    DynamicItemDataset ds = TinyRegression.data(8, 4);
    float[] full;
    float[] accumulated;
    TinyRegression a = new TinyRegression(5);
    try (DataLoader l =
            new DataLoader(
                ds,
                dev.sonus.data.BatchSampler.fixed(
                    8, 8, dev.sonus.data.BatchSampler.Order.NONE, null, 0, false),
                0,
                1,
                0);
        Optimizer opt = new Optimizers.Sgd(ParamGroups.single(a.model(), 0), 0.1, 0, 0, false)) {
      new Brain<>(a, opt, null, new Brain.Options(1, 0, 3, false))
          .fit(new EpochCounter(1), l, null);
      full = a.parameters();
    }
    TinyRegression b = new TinyRegression(5);
    try (DataLoader l =
            new DataLoader(
                ds,
                dev.sonus.data.BatchSampler.fixed(
                    8, 4, dev.sonus.data.BatchSampler.Order.NONE, null, 0, false),
                0,
                1,
                0);
        Optimizer opt = new Optimizers.Sgd(ParamGroups.single(b.model(), 0), 0.1, 0, 0, false)) {
      new Brain<>(b, opt, null, new Brain.Options(2, 0, 3, false))
          .fit(new EpochCounter(1), l, null);
      accumulated = b.parameters();
      assertEquals(1, opt.steps());
    }
    assertArrayEquals(full, accumulated, 1e-6f);
  }

  @Test
  void theScheduleSetsTheLearningRateBeforeEachStep() {
    TinyRegression task = new TinyRegression(2);
    DynamicItemDataset ds = TinyRegression.data(16, 1);
    List<Long> seen = new java.util.ArrayList<>();
    try (DataLoader train = TinyRegression.loader(ds, 4, 1, 0);
        Optimizer opt = Optimizers.Adam.adam(ParamGroups.single(task.model(), 0), 1)) {
      new Brain<>(
              task,
              opt,
              step -> {
                seen.add(step);
                return 0.001 * (step + 1);
              },
              Brain.Options.defaults())
          .fit(new EpochCounter(2), train, null);
      assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L), seen);
      assertEquals(0.008, opt.lr(), 1e-12);
    }
  }

  @Test
  void progressIsReportedAfterEveryBatchWithTheStageTotals() {
    TinyRegression task = new TinyRegression(2);
    DynamicItemDataset ds = TinyRegression.data(16, 1);
    List<String> seen = new java.util.ArrayList<>();
    try (DataLoader train = TinyRegression.loader(ds, 4, 1, 0);
        DataLoader valid = TinyRegression.loader(ds, 8, 1, 0);
        Optimizer opt = Optimizers.Adam.adam(ParamGroups.single(task.model(), 0), 0.01)) {
      new Brain<>(task, opt, null, Brain.Options.defaults())
          .withProgress(
              (stage, epoch, done, total, elapsed, loss) ->
                  seen.add(stage + " " + done + "/" + total))
          .fit(new EpochCounter(1), train, valid);
    }
    assertEquals(
        List.of("TRAIN 1/4", "TRAIN 2/4", "TRAIN 3/4", "TRAIN 4/4", "VALID 1/2", "VALID 2/2"),
        seen);
    assertTrue(
        Progress.rateAndEta(2, 4, 1.0).contains("2.0 batch/s, ETA 0:01"),
        Progress.rateAndEta(2, 4, 1.0));
  }

  @Test
  void nativeMemoryStaysFlatOverManyEpochs() {
    TinyRegression task = new TinyRegression(1);
    DynamicItemDataset ds = TinyRegression.data(64, 1);
    try (DataLoader train = TinyRegression.loader(ds, 8, 1, 2);
        DataLoader valid = TinyRegression.loader(ds, 16, 1, 2);
        Optimizer opt = Optimizers.Adam.adamW(ParamGroups.single(task.model(), 0.01), 0.01)) {
      Brain<?> brain = new Brain<>(task, opt, null, Brain.Options.defaults());
      brain.fit(new EpochCounter(5), train, valid);
      NativeMemory.settle();
      long countBefore = Pointer.totalCount();
      long bytesBefore = Pointer.physicalBytes();
      brain.fit(new EpochCounter(60), train, valid);
      NativeMemory.settle();
      long countAfter = Pointer.totalCount();
      long bytesAfter = Pointer.physicalBytes();
      System.out.printf(
          "60 epochs: native pointers %d -> %d, RSS %.1f -> %.1f MiB%n",
          countBefore, countAfter, bytesBefore / 1048576.0, bytesAfter / 1048576.0);
      assertTrue(
          countAfter <= countBefore + 2,
          "native pointers grew from " + countBefore + " to " + countAfter);
      assertTrue(
          bytesAfter - bytesBefore < 48L * 1024 * 1024,
          "RSS grew by " + (bytesAfter - bytesBefore) / 1048576 + " MiB over 60 epochs");
    }
  }
}
