package dev.sonus.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.data.DataLoader;
import dev.sonus.data.DynamicItemDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  @TempDir Path dir;

  private static final class Killed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Killed() {
      super("simulated kill");
    }
  }

  /**
   * Trains 3 epochs of 8 steps; stops (as if killed) after {@code killAfter} steps when positive.
   */
  private float[] run(Path ckpts, long initSeed, long killAfter, Checkpointer.Options options) {
    TinyRegression task = new TinyRegression(initSeed);
    DynamicItemDataset ds = TinyRegression.data(64, 1);
    EpochCounter epochs = new EpochCounter(3);
    try (DataLoader train = TinyRegression.loader(ds, 8, 5, 2);
        DataLoader valid = TinyRegression.loader(ds, 32, 5, 0);
        Optimizer opt = Optimizers.Adam.adamW(ParamGroups.single(task.model(), 0.01), 0.02)) {
      Checkpointer ckpt = new Checkpointer(ckpts, task.model(), opt, epochs, options);
      Brain<?> brain =
          new Brain<>(task, opt, step -> 0.02 / (1 + step * 0.01), Brain.Options.defaults())
              .withCheckpointer(ckpt);
      if (killAfter > 0) {
        brain.onStep(
            step -> {
              if (step == killAfter) {
                throw new Killed();
              }
            });
      }
      brain.fit(epochs, train, valid);
      return task.parameters();
    }
  }

  private static Checkpointer.Options everySteps(long n) {
    return new Checkpointer.Options(2, 1, "loss", true, 0, n);
  }

  @Test
  void aRunKilledMidEpochAndResumedEqualsTheUninterruptedRun() {
    float[] uninterrupted = run(dir.resolve("a"), 11, 0, everySteps(3));
    Path b = dir.resolve("b");
    assertThrows(
        Killed.class, () -> run(b, 11, 13, everySteps(3))); // killed in epoch 2, after a save at 12
    // A different initialisation proves that everything comes from the checkpoint.
    float[] resumed = run(b, 99, 0, everySteps(3));
    assertArrayEquals(uninterrupted, resumed);
  }

  @Test
  void aRunKilledAtAnEpochBoundaryAndResumedEqualsTheUninterruptedRun() {
    float[] uninterrupted = run(dir.resolve("a"), 11, 0, Checkpointer.Options.defaults());
    Path b = dir.resolve("b");
    assertThrows(Killed.class, () -> run(b, 11, 12, Checkpointer.Options.defaults()));
    assertArrayEquals(uninterrupted, run(b, 42, 0, Checkpointer.Options.defaults()));
  }

  @Test
  void aCorruptedLatestCheckpointIsSkippedAndThePreviousOneUsed() throws Exception {
    Path c = dir.resolve("c");
    run(c, 11, 0, new Checkpointer.Options(5, 0, "loss", true, 0, 0));
    TinyRegression task = new TinyRegression(1);
    EpochCounter epochs = new EpochCounter(3);
    try (Optimizer opt = Optimizers.Adam.adamW(ParamGroups.single(task.model(), 0.01), 0.02)) {
      Checkpointer ckpt =
          new Checkpointer(c, task.model(), opt, epochs, Checkpointer.Options.defaults());
      List<Path> all = ckpt.list();
      assertEquals(3, all.size());
      Path latest =
          all.stream()
              .filter(p -> p.getFileName().toString().endsWith("e3b0"))
              .findFirst()
              .orElseThrow();
      Path model = latest.resolve("model.safetensors");
      byte[] bytes = Files.readAllBytes(model);
      bytes[bytes.length - 3] ^= 0x5a;
      Files.write(model, bytes);
      Files.createDirectories(c.resolve("CKPT+foreign+e9b9")); // no meta.json: not a checkpoint
      Optional<Checkpointer.Recovered> r = ckpt.recoverLatest();
      assertTrue(r.isPresent());
      assertEquals(2, r.get().position().epochsDone());
      assertEquals(2, epochs.current());
      assertEquals(16, opt.steps());
    }
  }

  @Test
  void keepsTheLastAndTheBestCheckpoints() {
    Path d = dir.resolve("d");
    run(d, 11, 0, new Checkpointer.Options(1, 1, "loss", true, 0, 0));
    TinyRegression task = new TinyRegression(1);
    try (Optimizer opt = Optimizers.Adam.adam(ParamGroups.single(task.model(), 0), 0.01)) {
      Checkpointer ckpt =
          new Checkpointer(
              d, task.model(), opt, new EpochCounter(3), Checkpointer.Options.defaults());
      List<Path> kept = ckpt.list();
      assertTrue(kept.size() >= 1 && kept.size() <= 2, kept.toString());
      assertTrue(
          kept.stream().anyMatch(p -> p.getFileName().toString().endsWith("e3b0")),
          "the last one is kept");
      assertTrue(ckpt.best().isPresent());
    }
  }

  @Test
  void equalScoresPickTheMostAdvancedCheckpoint() throws Exception {
    Path f = dir.resolve("f");
    TinyRegression task = new TinyRegression(1);
    try (Optimizer opt = Optimizers.Adam.adam(ParamGroups.single(task.model(), 0), 0.01)) {
      Checkpointer ckpt =
          new Checkpointer(
              f,
              task.model(),
              opt,
              new EpochCounter(3),
              new Checkpointer.Options(1, 1, "err", true, 0, 0));
      ckpt.save(new Checkpointer.Position(1, 0, 0, 0, 0), java.util.Map.of("err", 0.1));
      Path second =
          ckpt.save(new Checkpointer.Position(2, 0, 0, 0, 0), java.util.Map.of("err", 0.1));
      ckpt.save(new Checkpointer.Position(3, 0, 0, 0, 0), java.util.Map.of("err", 0.2));
      assertEquals(second, ckpt.best().orElseThrow());
      assertEquals(2, ckpt.list().size(), "the last one and the best one are kept");
    }
  }

  @Test
  void aCheckpointOfAnotherModelSizeIsRefusedWithTheKey() {
    Path e = dir.resolve("e");
    run(e, 11, 0, Checkpointer.Options.defaults());
    org.bytedeco.pytorch.Module other = new org.bytedeco.pytorch.Module("other");
    other.register_module("w", new org.bytedeco.pytorch.LinearImpl(4, 1));
    try (Optimizer opt = Optimizers.Adam.adam(ParamGroups.single(other, 0), 0.01)) {
      Checkpointer ckpt =
          new Checkpointer(e, other, opt, new EpochCounter(3), Checkpointer.Options.defaults());
      IllegalArgumentException ex =
          assertThrows(IllegalArgumentException.class, () -> ckpt.load(ckpt.list().get(0)));
      assertTrue(
          ex.getMessage().contains("w.weight") && ex.getMessage().contains("[1, 3]"),
          ex.getMessage());
    }
  }
}
