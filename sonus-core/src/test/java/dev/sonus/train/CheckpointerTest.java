package dev.sonus.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the checkpointer leaves in its folder: no leftovers of killed saves, no corrupt "best". */
class CheckpointerTest {
  @TempDir Path dir;
  private TinyRegression task;
  private Optimizer opt;

  @BeforeEach
  void model() {
    task = new TinyRegression(1);
    opt = Optimizers.Adam.adam(ParamGroups.single(task.model(), 0), 0.01);
  }

  @AfterEach
  void close() {
    opt.close();
  }

  private Checkpointer checkpointer(Checkpointer.Options options) {
    return new Checkpointer(dir, task.model(), opt, new EpochCounter(9), options);
  }

  private static Path save(Checkpointer c, int epoch, double err) {
    return c.save(new Checkpointer.Position(epoch, 0, 0, 0, 0), Map.of("err", err));
  }

  private static void corrupt(Path checkpoint) throws Exception {
    Path model = checkpoint.resolve("model.safetensors");
    byte[] bytes = Files.readAllBytes(model);
    bytes[bytes.length - 3] ^= 0x5a;
    Files.write(model, bytes);
  }

  private Set<String> names() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
  }

  @Test
  void temporaryFoldersOfAKilledSaveAreRemovedWhenTheRunResumes() throws Exception {
    Checkpointer c = checkpointer(Checkpointer.Options.defaults());
    Path kept = save(c, 1, 0.5);
    // What a save killed before its rename leaves: an empty folder, or one with some files.
    Path empty = Files.createDirectories(dir.resolve("CKPT+2026-01-01+00-00-00-000+e2b0.tmp"));
    Path partial = Files.createDirectories(dir.resolve("CKPT+2026-01-01+00-00-01-000+e2b3.tmp"));
    Files.write(partial.resolve("model.safetensors"), new byte[] {1, 2, 3});
    Checkpointer reopened = checkpointer(Checkpointer.Options.defaults());
    assertEquals(kept, reopened.recoverLatest().orElseThrow().folder());
    assertFalse(Files.exists(empty), "empty .tmp folder left");
    assertFalse(Files.exists(partial), "partial .tmp folder left");
    assertEquals(Set.of(kept.getFileName().toString()), names());
  }

  @Test
  void pruningKeepsAValidCheckpointRatherThanACorruptNewerOne() throws Exception {
    Checkpointer c = checkpointer(new Checkpointer.Options(2, 0, "err", true, 0, 0));
    Path first = save(c, 1, 0.3);
    Path second = save(c, 2, 0.2);
    corrupt(second);
    Path third = save(c, 3, 0.1);
    assertEquals(Set.of(first, third), Set.copyOf(c.list()), "the two valid ones are kept");
    assertFalse(Files.exists(second), "the corrupt one is not left among the checkpoints");
    assertTrue(
        Files.isDirectory(dir.resolve(second.getFileName() + ".corrupt")),
        "the corrupt one is moved aside: " + names());
  }

  @Test
  void aCorruptCheckpointNeverCountsAsTheBest() throws Exception {
    Checkpointer c = checkpointer(new Checkpointer.Options(1, 1, "err", true, 0, 0));
    Path best = save(c, 1, 0.1);
    save(c, 2, 0.3);
    corrupt(best);
    Path third = save(c, 3, 0.2);
    assertEquals(third, c.best().orElseThrow(), "the best valid one");
    assertEquals(List.of(third), c.list());
  }

  @Test
  void theBestOfAFolderSkipsACorruptCheckpointWithoutASave() throws Exception {
    Checkpointer c = checkpointer(new Checkpointer.Options(2, 1, "err", true, 0, 0));
    Path good = save(c, 1, 0.2);
    Path best = save(c, 2, 0.1);
    corrupt(best);
    assertEquals(good, c.best().orElseThrow());
    assertEquals(good, Checkpointer.loadModel(dir, task.model(), "err", true));
  }

  @Test
  void aFolderWithOnlyCorruptCheckpointsIsRefusedNamingTheFile() throws Exception {
    Checkpointer c = checkpointer(Checkpointer.Options.defaults());
    corrupt(save(c, 1, 0.2));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Checkpointer.loadModel(dir, task.model(), "err", true));
    assertTrue(
        e.getMessage().contains("model.safetensors is corrupt")
            && e.getMessage().contains(dir.toString()),
        e.getMessage());
  }

  @Test
  void aSavedCheckpointIsCompleteAndNoTemporaryFolderRemains() throws Exception {
    Checkpointer c = checkpointer(Checkpointer.Options.defaults());
    Path p = save(c, 1, 0.5);
    assertEquals(Set.of(p.getFileName().toString()), names());
    try (Stream<Path> files = Files.list(p)) {
      assertEquals(
          Set.of("model.safetensors", "optimizer.safetensors", "rng.safetensors", "meta.json"),
          files.map(q -> q.getFileName().toString()).collect(Collectors.toSet()));
    }
  }

  /** Sets every parameter of the task's model to {@code v}. */
  private void fill(double v) {
    try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope();
        org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
      for (org.bytedeco.pytorch.Tensor t : dev.sonus.tensor.StateDict.of(task.model()).values()) {
        t.fill_(new org.bytedeco.pytorch.Scalar(v));
      }
    }
  }

  private double[] weights() {
    try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
      return dev.sonus.tensor.StateDict.of(task.model()).values().stream()
          .flatMapToDouble(t -> java.util.Arrays.stream(dev.sonus.tensor.Tensors.toDoubles(t)))
          .toArray();
    }
  }

  @Test
  void theBestCheckpointsAreAveragedAndTheWorstLeftOut() {
    Checkpointer c = checkpointer(new Checkpointer.Options(1, 3, "err", true, 0, 0));
    fill(1.0);
    save(c, 1, 0.3);
    fill(2.0);
    save(c, 2, 0.1);
    fill(4.0);
    save(c, 3, 0.2);
    fill(100.0);
    save(c, 4, 0.9); // the worst: not among the two best
    fill(0.0);
    List<Path> used = c.loadAverageOfBest(2);
    assertEquals(2, used.size(), used.toString());
    for (double w : weights()) {
      assertEquals(3.0, w, 1e-6, "the mean of the epoch-2 and epoch-3 weights");
    }
    fill(0.0);
    Checkpointer.loadModel(dir, task.model(), "err", true, 3);
    for (double w : weights()) {
      assertEquals(7.0 / 3, w, 1e-6, "the mean of the three best");
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> Checkpointer.loadModel(dir, task.model(), "err", true, 0));
  }
}
