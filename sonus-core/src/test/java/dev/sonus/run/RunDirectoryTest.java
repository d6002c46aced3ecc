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
}
