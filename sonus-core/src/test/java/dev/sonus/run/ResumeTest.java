package dev.sonus.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.repro.testing.TinyRun;
import dev.sonus.train.Progress;
import dev.sonus.train.Stage;
import dev.sonus.train.StopSignal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run folder protects itself: one run at a time, resuming only the recipe that started it, and a
 * resumed run's bundle equal to an uninterrupted one's.
 */
class ResumeTest {
  @TempDir Path dir;
  private Path recipe;

  private static final class Killed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Killed() {
      super("simulated kill");
    }
  }

  @BeforeEach
  void makeRecipe() {
    recipe = TinyRun.recipe(dir);
  }

  @AfterEach
  void leaveDeterministicModeOff() {
    org.bytedeco.pytorch.global.torch.globalContext().setDeterministicAlgorithms(false, false);
  }

  private Runner.Result train(Path out, Progress progress, String... overrides) {
    Map<String, String> o = new HashMap<>();
    o.put("output_folder", out.toString());
    for (int i = 0; i < overrides.length; i += 2) {
      o.put(overrides[i], overrides[i + 1]);
    }
    return Runner.train(recipe, o, progress);
  }

  /** Kills the run (by throwing) when {@code stage} of {@code epoch} is under way. */
  private static Progress killIn(Stage stage, int epoch) {
    return (s, e, done, total, seconds, loss) -> {
      if (s == stage && e == epoch) {
        throw new Killed();
      }
    };
  }

  private static Map<String, Object> comparable(Map<String, Object> metrics) {
    Map<String, Object> out = new LinkedHashMap<>(metrics);
    out.keySet().removeIf(k -> k.endsWith("seconds"));
    return out;
  }

  private static void assertSameBundle(Runner.Result expected, Runner.Result actual) {
    assertEquals(comparable(expected.metrics()), comparable(actual.metrics()));
    assertEquals(
        TinyRun.logWithoutTiming(expected.folder()), TinyRun.logWithoutTiming(actual.folder()));
    assertEquals(
        TinyRun.textLogWithoutTiming(expected.folder()),
        TinyRun.textLogWithoutTiming(actual.folder()));
  }

  @Test
  void aSecondTrainOnTheSameFolderRefusesAtOnceWhileTheFirstRuns() throws Exception {
    Path out = dir.resolve("run");
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Progress blocking =
        (s, e, done, total, seconds, loss) -> {
          if (started.getCount() > 0) {
            started.countDown();
            try {
              assertTrue(release.await(120, TimeUnit.SECONDS));
            } catch (InterruptedException ie) {
              Thread.currentThread().interrupt();
            }
          }
        };
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      CompletableFuture<Runner.Result> first =
          CompletableFuture.supplyAsync(() -> train(out, blocking), pool);
      while (!started.await(100, TimeUnit.MILLISECONDS)) {
        if (first.isDone()) {
          first.get(); // rethrows why the first run ended before training
        }
      }
      long t0 = System.nanoTime();
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> train(out, null));
      double seconds = (System.nanoTime() - t0) / 1e9;
      release.countDown();
      assertTrue(seconds < 5, "the second run took " + seconds + " s to refuse");
      assertTrue(
          e.getMessage().contains("process " + ProcessHandle.current().pid())
              && e.getMessage().contains("--output_folder"),
          e.getMessage());
      Runner.Result r = first.get(300, TimeUnit.SECONDS);
      assertEquals(
          9,
          Files.readAllLines(r.folder().resolve("train_log.jsonl")).size(),
          "the first run's log alone: 4 epochs x (train, valid), then test");
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void resumingWithAChangedHyperparameterIsRefusedAndLeavesTheFolderAlone() throws Exception {
    Path out = dir.resolve("run");
    train(out, null, "number_of_epochs", "2");
    Map<String, String> before = new LinkedHashMap<>();
    for (String f : List.of("hparams.yaml", "train_log.jsonl", "train_log.txt", "metrics.json")) {
      before.put(f, Files.readString(out.resolve(f)));
    }
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> train(out, null, "number_of_epochs", "3", "batch_size", "8"));
    String m = e.getMessage();
    assertTrue(m.contains(out.toString()), m);
    assertTrue(m.contains("batch_size: 4 -> 8"), m);
    assertFalse(m.contains("number_of_epochs: 2 -> 3"), "number_of_epochs may change: " + m);
    assertTrue(m.contains("--resume-anyway") && m.contains("--output_folder"), m);
    for (Map.Entry<String, String> f : before.entrySet()) {
      assertEquals(f.getValue(), Files.readString(out.resolve(f.getKey())), f.getKey());
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void resumeAnywayGoesAheadAndRecordsTheOverrideInBothLogs() throws Exception {
    Path out = dir.resolve("run");
    train(out, null, "number_of_epochs", "2");
    Map<String, String> o = new HashMap<>();
    o.put("output_folder", out.toString());
    o.put("number_of_epochs", "3");
    o.put("batch_size", "8");
    Runner.train(recipe, o, null, new Runner.Options(true));
    assertTrue(Files.readString(out.resolve("hparams.yaml")).contains("batch_size: 8"));
    List<String> lines = Files.readAllLines(out.resolve("train_log.jsonl"));
    assertEquals(4 + 1 + 2 + 1, lines.size(), "2 epochs, the note, the 3rd epoch, the test");
    Map<String, Object> note = (Map<String, Object>) dev.sonus.util.Json.parse(lines.get(4));
    assertEquals("resume_anyway", note.get("event"));
    assertEquals(2L, note.get("epochs_done"));
    assertEquals(
        Map.of("stored", "4", "new", "8"),
        ((Map<String, Object>) note.get("changes")).get("batch_size"));
    String text = Files.readString(out.resolve("train_log.txt"));
    assertTrue(
        text.contains("epochs done: 2, resumed anyway (--resume-anyway)")
            && text.contains("batch_size: 4 -> 8"),
        text);
  }

  @Test
  void anEvaluationRefusesAFolderInUseAndRunsOnceItIsFree() {
    Path out = dir.resolve("run");
    train(out, null, "number_of_epochs", "1");
    try (RunLock busy = RunLock.acquire(out, "train")) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> dev.sonus.inference.Evaluation.run(out, null, null, null));
      assertTrue(e.getMessage().contains("running 'train'"), e.getMessage());
    }
    dev.sonus.inference.Evaluation.run(out, null, null, null);
    assertTrue(Files.isRegularFile(out.resolve("eval_test.json")));
  }

  @Test
  void checkpointsWithoutTheirHparamsAreNotResumedBlindly() throws Exception {
    Path out = dir.resolve("run");
    train(out, null, "number_of_epochs", "1");
    Files.delete(out.resolve("hparams.yaml"));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> train(out, null));
    assertTrue(e.getMessage().contains("no hparams.yaml"), e.getMessage());
  }

  @Test
  void aRunExtendedByMoreEpochsEqualsOneThatRanThemAll() throws Exception {
    Runner.Result whole = train(dir.resolve("whole"), null);
    Path out = dir.resolve("extended");
    train(out, null, "number_of_epochs", "2");
    Runner.Result extended = train(out, null, "number_of_epochs", "4", "num_workers", "1");
    assertSameBundle(whole, extended);
    assertTrue(Files.readString(out.resolve("hparams.yaml")).contains("number_of_epochs: 4"));
  }

  @Test
  void aRunKilledAtAnEpochBoundaryResumesWithoutRepeatingItsLog() throws Exception {
    Runner.Result whole = train(dir.resolve("whole"), null);
    Path out = dir.resolve("killed");
    assertThrows(Killed.class, () -> train(out, killIn(Stage.VALID, 3)));
    // What else a kill can leave: a torn log line, a half-saved checkpoint, a temporary file.
    Files.writeString(
        out.resolve("train_log.jsonl"), "{\"epoch\": 3, \"sta", StandardOpenOption.APPEND);
    Path halfSaved =
        Files.createDirectories(out.resolve("checkpoints/CKPT+2026-01-01+00-00-00-000+e3b0.tmp"));
    Path tmpFile = Files.writeString(out.resolve(".metrics.json123.tmp"), "{");
    Runner.Result resumed = train(out, null);
    assertSameBundle(whole, resumed);
    assertFalse(Files.exists(halfSaved), "half-saved checkpoint left");
    assertFalse(Files.exists(tmpFile), "temporary file left");
  }

  @Test
  void aRunKilledMidEpochResumesWithoutRepeatingItsLog() {
    String[] everyStep = {"+ckpt_interval_minutes", "0.0000001"};
    Runner.Result whole = train(dir.resolve("whole"), null, everyStep);
    Path out = dir.resolve("killed");
    // Killed in epoch 2's validation: the latest checkpoint is the one after its last batch.
    assertThrows(Killed.class, () -> train(out, killIn(Stage.VALID, 2), everyStep));
    Runner.Result resumed = train(out, null, everyStep);
    assertSameBundle(whole, resumed);
  }

  /**
   * Requests a stop (what Ctrl-C does) once {@code stage} of {@code epoch} reaches batch {@code
   * at}.
   */
  private static Progress stopIn(Stage stage, int epoch, int at) {
    return (s, e, done, total, seconds, loss) -> {
      if (s == stage && e == epoch && done == at) {
        StopSignal.request();
      }
    };
  }

  @Test
  void aStopRequestMidEpochSavesThatPointAndTheResumedRunEqualsAnUninterruptedOne() {
    Runner.Result whole = train(dir.resolve("whole"), null);
    Path out = dir.resolve("stopped");
    StopSignal.Stopped e =
        assertThrows(StopSignal.Stopped.class, () -> train(out, stopIn(Stage.TRAIN, 2, 1)));
    assertTrue(
        e.getMessage().contains("after batch 1 of")
            && e.getMessage().contains("epoch 2")
            && e.getMessage().contains("run the same command again"),
        e.getMessage());
    Runner.Result resumed = train(out, null);
    assertSameBundle(whole, resumed);
  }

  @Test
  void aStopRequestDuringValidationKeepsTheEpochsTraining() {
    Runner.Result whole = train(dir.resolve("whole"), null);
    Path out = dir.resolve("stopped");
    StopSignal.Stopped e =
        assertThrows(StopSignal.Stopped.class, () -> train(out, stopIn(Stage.VALID, 3, 1)));
    assertTrue(e.getMessage().contains("(the epoch's training)"), e.getMessage());
    // resuming runs no training batch of epoch 3 again: only its validation and epoch 4
    List<Stage> trained = new java.util.ArrayList<>();
    Progress seen =
        (s, ep, done, total, seconds, loss) -> {
          if (ep == 3 && s == Stage.TRAIN) {
            trained.add(s);
          }
        };
    Runner.Result resumed = train(out, seen);
    assertEquals(List.of(), trained);
    assertSameBundle(whole, resumed);
  }

  @Test
  void aStopRequestedWhileNothingRunsDoesNotStopTheNextRun() {
    StopSignal.request();
    Runner.Result r = train(dir.resolve("after"), null);
    assertTrue(Files.isRegularFile(r.folder().resolve("metrics.json")));
  }
}
