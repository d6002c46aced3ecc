package dev.sonus.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.repro.testing.TinyRun;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real SIGTERM (what {@code kill} and Ctrl-C's SIGINT do alike) to a training process: it stops
 * at the batch boundary instead of crashing inside libtorch, saves that point, and the same command
 * then ends with the model an uninterrupted run gives.
 */
class StopSignalProcessTest {
  @Test
  void aTerminatedTrainingProcessSavesItsPlaceAndResumesToTheSameModel(@TempDir Path dir)
      throws Exception {
    Path recipe = TinyRun.recipe(dir);
    Path out = dir.resolve("run");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    "-XX:ErrorFile=" + dir.resolve("hs_err_%p.log"),
                    TrainUntilSignalled.class.getName(),
                    recipe.toString(),
                    out.toString()))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    String output;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      StringBuilder seen = new StringBuilder();
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        seen.append(line).append('\n');
        if (line.equals("training")) {
          child.toHandle().destroy(); // SIGTERM, leaving the output readable
        }
      }
      output = seen.toString();
    } finally {
      assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the process did not end");
      child.destroyForcibly();
    }
    assertTrue(output.contains("training"), output);
    assertTrue(output.contains("stopped: train stopped on request"), output);
    assertTrue(output.contains("run the same command again"), output);
    assertFalse(output.contains("fatal error"), output);
    assertEquals(143, child.exitValue(), "exit status of a SIGTERM'd JVM; output:\n" + output);
    try (var files = Files.list(dir)) {
      List<Path> crashes =
          files.filter(p -> p.getFileName().toString().startsWith("hs_err")).toList();
      assertEquals(List.of(), crashes);
    }

    Runner.Result resumed = Runner.train(recipe, Map.of("output_folder", out.toString()), null);
    Runner.Result whole =
        Runner.train(recipe, Map.of("output_folder", dir.resolve("whole").toString()), null);
    assertEquals(withoutTiming(whole.metrics()), withoutTiming(resumed.metrics()));
    assertEquals(TinyRun.logWithoutTiming(whole.folder()), TinyRun.logWithoutTiming(out));
  }

  private static Map<String, Object> withoutTiming(Map<String, Object> metrics) {
    return metrics.entrySet().stream()
        .filter(e -> !e.getKey().endsWith("seconds"))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }
}
