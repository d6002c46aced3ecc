package dev.sonus.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.run.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareTest {
  @TempDir Path dir;

  private Path run(String name, long seed, double wer, String cpu) throws Exception {
    RunDirectory r = RunDirectory.open(dir.resolve(name));
    r.writeHparams("seed: " + seed + "\nlr: 0.001\nmodel: !new:models.CRDNN\n  channels: [32]\n");
    r.writeMetrics(Map.of("wer", wer, "cer", wer / 2));
    Files.writeString(
        r.root().resolve("env.json"),
        "{\"java_version\": \"17\", \"cpu_model\": \""
            + cpu
            + "\","
            + " \"written_at\": \""
            + name
            + "\"}");
    return r.root();
  }

  @Test
  void summarisesEachMetricWithA95PercentConfidenceInterval() throws Exception {
    List<Path> runs =
        List.of(run("a", 1, 20.0, "x"), run("b", 2, 22.0, "x"), run("c", 3, 24.0, "y"));
    Compare.Result r = Compare.compare(runs);
    Compare.MetricSummary wer =
        r.metrics().stream().filter(m -> m.name().equals("wer")).findFirst().orElseThrow();
    assertEquals(22.0, wer.mean(), 1e-12);
    // sd = 2, n = 3, t(0.975, 2) = 4.303: half-width = 4.303 * 2 / sqrt(3)
    assertEquals(4.303 * 2 / Math.sqrt(3), wer.halfWidth(), 1e-9);
    assertEquals(List.of("seed: 1 | 2 | 3"), r.config());
    assertEquals(List.of("cpu_model: x | x | y"), r.environment(), "written_at must be ignored");
    String text = r.format();
    assertTrue(text.contains("wer") && text.contains("± 4.969"), text);
  }

  @Test
  void oneRunHasNoInterval() {
    Compare.MetricSummary s = Compare.summarize("wer", List.of(10.0));
    assertTrue(Double.isNaN(s.halfWidth()));
    assertEquals(10.0, s.mean());
  }

  @Test
  void aFolderWithoutMetricsIsNamed() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> Compare.compare(List.of(empty)));
    assertTrue(e.getMessage().contains("metrics.json is missing"), e.getMessage());
  }

  @Test
  void anAliasBombInAnHparamsFileIsRefusedInsteadOfExpanded(
      @org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path run = Files.createDirectories(tmp.resolve("run"));
    Files.writeString(run.resolve("metrics.json"), "{\"test_loss\": 1.0}");
    StringBuilder y = new StringBuilder("l0: &a0 [x, y]\n");
    for (int i = 1; i <= 24; i++) {
      y.append("l").append(i).append(": &a").append(i).append(" [*a").append(i - 1);
      y.append(", *a").append(i - 1).append("]\n");
    }
    Files.writeString(run.resolve("hparams.yaml"), y.toString());
    long t0 = System.nanoTime();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Compare.compare(List.of(run)));
    assertTrue(
        e.getMessage().contains("hparams.yaml") && e.getMessage().contains("200000"),
        e.getMessage());
    assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "refused within seconds");
  }
}
