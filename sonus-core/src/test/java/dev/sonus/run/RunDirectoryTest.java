package dev.sonus.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.repro.Environment;
import dev.sonus.train.Brain;
import dev.sonus.train.Stage;
import dev.sonus.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {
  @TempDir Path dir;

  @Test
  @SuppressWarnings("unchecked")
  void writesTheBundleFilesAndOneLogLinePerStage() throws Exception {
    RunDirectory run = RunDirectory.open(dir.resolve("run"));
    run.writeHparams("seed: 1\nlr: 0.001");
    run.writeEnvironment(Environment.capture());
    run.writeMetrics(Map.of("wer", 12.5));
    Brain.Listener log = run.trainLog();
    log.onStageEnd(
        new Brain.StageResult(
            1, Stage.TRAIN, Map.of("loss", 1.5), 0.001, 2.0, 0.1, 10, 0, Double.NaN, -1));
    log.onStageEnd(
        new Brain.StageResult(
            1,
            Stage.VALID,
            Map.of("loss", 1.2, "wer", 30.0),
            0.001,
            0.5,
            0.0,
            10,
            0,
            Double.NaN,
            -1));
    assertEquals("seed: 1\nlr: 0.001\n", Files.readString(run.root().resolve("hparams.yaml")));
    Map<String, Object> env =
        (Map<String, Object>) Json.parse(Files.readString(run.root().resolve("env.json")));
    assertEquals(1L, env.get("bundle_format"));
    assertTrue(env.containsKey("libtorch"));
    List<String> lines = Files.readAllLines(run.root().resolve("train_log.jsonl"));
    assertEquals(2, lines.size());
    Map<String, Object> valid = (Map<String, Object>) Json.parse(lines.get(1));
    assertEquals("valid", valid.get("stage"));
    assertEquals(30.0, ((Map<String, Object>) valid.get("metrics")).get("wer"));
    assertTrue(
        Files.readString(run.root().resolve("train_log.txt")).contains("epoch: 1, stage: valid"));
    assertTrue(Files.isDirectory(run.checkpoints()));
  }

  private static Brain.StageResult stage(int epoch, Stage stage, double loss) {
    return new Brain.StageResult(
        epoch, stage, Map.of("loss", loss), 0.001, 1.0, 0.0, 10L * epoch, 0, Double.NaN, -1);
  }

  @Test
  void trimmingTheLogKeepsTheEpochsUpToTheCheckpointAndTheNotesBeforeIt() throws Exception {
    RunDirectory run = RunDirectory.open(dir.resolve("run"));
    Brain.Listener log = run.trainLog();
    log.onStageEnd(stage(1, Stage.TRAIN, 3));
    log.onStageEnd(stage(1, Stage.VALID, 2));
    run.logResumedAnyway(1, List.of(new RecipeDiff.Change("batch_size", "4", "8")));
    log.onStageEnd(stage(2, Stage.TRAIN, 1.5));
    log.onStageEnd(stage(2, Stage.VALID, 1.2));
    log.onStageEnd(stage(3, Stage.TRAIN, 1.1));
    log.onStageEnd(stage(0, Stage.TEST, 1.0));
    Files.writeString(
        run.root().resolve("train_log.jsonl"),
        "{\"epoch\": 3, \"sta",
        java.nio.file.StandardOpenOption.APPEND);
    List<String> jsonl = Files.readAllLines(run.root().resolve("train_log.jsonl"));
    List<String> text = Files.readAllLines(run.root().resolve("train_log.txt"));

    assertEquals(3, run.trimLog(2), "epoch 3, the test and the torn line");
    assertEquals(jsonl.subList(0, 5), Files.readAllLines(run.root().resolve("train_log.jsonl")));
    assertEquals(text.subList(0, 5), Files.readAllLines(run.root().resolve("train_log.txt")));
    assertTrue(text.get(2).startsWith("epochs done: 1, resumed anyway"), text.get(2));

    assertEquals(0, run.trimLog(2), "nothing more to drop");
    assertEquals(5, run.trimLog(0), "back to nothing: 4 entries and the note");
    assertEquals(List.of(), Files.readAllLines(run.root().resolve("train_log.txt")));
  }

  @Test
  void removesTheTemporaryFilesOfUnfinishedWritesOnly() throws Exception {
    RunDirectory run = RunDirectory.open(dir.resolve("run"));
    run.writeMetrics(Map.of("wer", 1.0));
    Path stale = Files.writeString(run.root().resolve(".metrics.json8812.tmp"), "{");
    Path mine = Files.writeString(run.root().resolve("notes.tmp"), "kept: not ours");
    assertEquals(List.of(stale), run.removeStaleTempFiles());
    assertTrue(Files.exists(mine) && Files.exists(run.root().resolve("metrics.json")));
  }
}
