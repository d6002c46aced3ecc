package dev.sonus.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import dev.sonus.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole run from a recipe, its bundle, and replaying it. */
class ReplayTest {
  @TempDir Path dir;
  private Path recipe;

  @BeforeEach
  void makeDataAndRecipe() {
    recipe = dev.sonus.repro.testing.TinyRun.recipe(dir);
  }

  @org.junit.jupiter.api.AfterEach
  void leaveDeterministicModeOff() {
    // A recipe with deterministic: true switches libtorch's global mode; later tests expect the
    // default.
    org.bytedeco.pytorch.global.torch.globalContext().setDeterministicAlgorithms(false, false);
  }

  @Test
  @SuppressWarnings("unchecked")
  void aRunWritesTheFullBundle() throws Exception {
    Runner.Result r =
        Runner.train(recipe, Map.of("output_folder", dir.resolve("run").toString()), null);
    for (String f :
        new String[] {
          "hparams.yaml",
          "env.json",
          "data.json",
          "train_log.jsonl",
          "train_log.txt",
          "metrics.json"
        }) {
      assertTrue(Files.isRegularFile(r.folder().resolve(f)), f + " is missing");
    }
    assertEquals(
        9,
        Files.readAllLines(r.folder().resolve("train_log.jsonl")).size(),
        "4 epochs x (train, valid), then test");
    assertTrue(
        Files.readString(r.folder().resolve("hparams.yaml"))
            .contains("output_folder: " + dir.resolve("run")));
    Map<String, Object> data =
        (Map<String, Object>) Json.parse(Files.readString(r.folder().resolve("data.json")));
    assertEquals(3, ((java.util.List<?>) data.get("manifests")).size());
    assertTrue(r.metrics().containsKey("test_loss"));
  }

  @Test
  void sameSeedTwiceGivesIdenticalMetricsAndReplayConfirmsIt() {
    Runner.Result a =
        Runner.train(
            recipe,
            Map.of(
                "output_folder",
                dir.resolve("a").toString(),
                "+deterministic",
                "true",
                "+profile",
                "true"),
            null);
    Replay.Report report = Replay.replay(a.folder(), dir.resolve("a-replay"), 1e-6, null);
    assertTrue(report.data().isEmpty(), report.format());
    assertTrue(report.identical(), report.format());
  }

  @Test
  void replayReportsAChangedDataFileByName() throws Exception {
    Runner.Result a =
        Runner.train(recipe, Map.of("output_folder", dir.resolve("b").toString()), null);
    Path changed = dir.resolve("data/train3.wav");
    float[] x = new float[2000];
    java.util.Arrays.fill(x, 0.3f);
    AudioIO.writeWav(changed, Audio.mono(x, 8000), WavEncoding.PCM_S16);
    Replay.Report report = Replay.replay(a.folder(), dir.resolve("b-replay"), 1e-6, null);
    assertFalse(report.data().isEmpty());
    assertTrue(report.data().stream().anyMatch(l -> l.contains("train3.wav")), report.format());
    assertFalse(
        report.identical(), "different data must change the trained model: " + report.format());
  }

  @Test
  @SuppressWarnings("unchecked")
  void aReplayElsewhereNamesTheKernelsAndJudgesItsDriftAgainstTheSeedInterval() throws Exception {
    java.util.List<Path> runs = new java.util.ArrayList<>();
    for (String seed : new String[] {"3", "4", "5"}) {
      runs.add(
          Runner.train(
                  recipe,
                  Map.of("output_folder", dir.resolve("s" + seed).toString(), "seed", seed),
                  null)
              .folder());
    }
    java.util.List<Path> written =
        dev.sonus.repro.Compare.writeIntervals(dev.sonus.repro.Compare.compare(runs));
    assertEquals(3, written.size());
    Map<String, dev.sonus.repro.Compare.Interval> intervals =
        dev.sonus.repro.Compare.readIntervals(runs.get(0));
    assertEquals(3, intervals.get("test_loss").runs());
    assertTrue(intervals.get("test_loss").halfWidth() > 0);

    // As if the first seed had been trained on another CPU: other kernels, another test loss.
    Path original = runs.get(0);
    Map<String, Object> env =
        (Map<String, Object>) Json.parse(Files.readString(original.resolve("env.json")));
    Map<String, Object> torch =
        new java.util.LinkedHashMap<>((Map<String, Object>) env.get("libtorch"));
    torch.put("blas_core", "Zen");
    torch.put("cpu_capability", "AVX2");
    env = new java.util.LinkedHashMap<>(env);
    env.put("libtorch", torch);
    Files.writeString(original.resolve("env.json"), Json.writePretty(env));
    Map<String, Object> metrics =
        new java.util.LinkedHashMap<>(
            (Map<String, Object>) Json.parse(Files.readString(original.resolve("metrics.json"))));
    double loss = ((Number) metrics.get("test_loss")).doubleValue();
    metrics.put("test_loss", loss + 1e-3 * Math.max(1, Math.abs(loss)));
    Files.writeString(original.resolve("metrics.json"), Json.writePretty(metrics));

    Replay.Report report = Replay.replay(original, dir.resolve("s3-elsewhere"), 1e-9, null);
    String text = report.format();
    assertTrue(
        report.kernelDifferences().stream().anyMatch(l -> l.startsWith("libtorch.blas_core")),
        text);
    assertTrue(
        report.kernelDifferences().stream().anyMatch(l -> l.startsWith("libtorch.cpu_capability")),
        text);
    assertTrue(text.contains("kernels differ"), text);
    assertFalse(report.identical(), text);
    assertTrue(report.withinSeedIntervals(), text);
    assertTrue(text.contains("inside the seed interval"), text);
    assertTrue(text.contains("within the original's seed interval"), text);
  }

  @Test
  void aDriftBeyondTheIntervalIsSaidToBeOutside() {
    Replay.Report report =
        new Replay.Report(
            dir.resolve("a"),
            dir.resolve("b"),
            java.util.List.of("libtorch.blas_core: SkylakeX -> Zen"),
            java.util.List.of(),
            java.util.List.of(
                new Replay.MetricCheck("test_WER", 40.0, 55.0, Replay.Verdict.DIFFERENT)),
            Map.of("test_WER", new dev.sonus.repro.Compare.Interval(41.0, 3.0, 3)));
    String text = report.format();
    assertFalse(report.withinSeedIntervals(), text);
    assertTrue(
        text.contains("drift +15.00, OUTSIDE the seed interval 41.00 ± 3.000 (3 runs)"), text);
    assertTrue(text.contains("differs beyond the original's seed interval"), text);
  }
}
