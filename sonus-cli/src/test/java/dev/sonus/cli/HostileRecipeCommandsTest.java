package dev.sonus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands that open recipes or run folders refuse a code-execution chain before it runs. */
class HostileRecipeCommandsTest {
  @TempDir Path dir;

  private String chain(Path marker) {
    return "pb: !new:java.lang.ProcessBuilder [[sh, -c, 'touch "
        + marker
        + "']]\n"
        + "run: !apply:java.util.concurrent.CompletableFuture.runAsync\n"
        + "  - !apply:java.beans.EventHandler.create [java.lang.Runnable, !ref <pb>, start]\n";
  }

  @Test
  void configBuildRefusesTheChain() throws IOException {
    Path marker = dir.resolve("pwned");
    Path recipe = dir.resolve("evil.yaml");
    Files.writeString(recipe, "seed: 1\n" + chain(marker));
    MainTest.Result r = MainTest.run("config", recipe.toString(), "--build");
    assertEquals(1, r.status(), r.err());
    assertTrue(
        r.err().contains("java.lang.ProcessBuilder is not on the recipe allow-list"), r.err());
    assertTrue(r.err().contains("--allow-classes java.lang.ProcessBuilder"), r.err());
    assertFalse(Files.exists(marker));
  }

  @Test
  void inferenceCommandsRefuseTheChainInARunFoldersHparams() throws IOException {
    Path marker = dir.resolve("pwned");
    Path run = Files.createDirectories(dir.resolve("run"));
    Files.writeString(
        run.resolve("hparams.yaml"),
        "ckpt_metric: !apply:java.lang.String.valueOf\n  - !ref <run>\n" + chain(marker));
    Path wav = dir.resolve("x.wav");
    Files.write(wav, new byte[0]);
    for (String[] args :
        new String[][] {
          {"transcribe", "--model", run.toString(), wav.toString()},
          {"embed", "--model", run.toString(), wav.toString()},
          {"eval", run.toString()},
        }) {
      MainTest.Result r = MainTest.run(args);
      assertEquals(1, r.status(), String.join(" ", args) + ": " + r.err());
      assertTrue(
          r.err().contains("java.lang.ProcessBuilder"), String.join(" ", args) + ": " + r.err());
      assertFalse(Files.exists(marker), String.join(" ", args) + " ran the command");
    }
  }

  @Test
  void aRunFoldersTrustedClassesNeedTrust() throws IOException {
    Path run = Files.createDirectories(dir.resolve("run"));
    Files.writeString(
        run.resolve("hparams.yaml"),
        "trusted_classes: [java.lang.]\nexperiment: !new:java.lang.StringBuilder [x]\n");
    MainTest.Result r = MainTest.run("eval", run.toString());
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("--trust"), r.err());
  }
}
