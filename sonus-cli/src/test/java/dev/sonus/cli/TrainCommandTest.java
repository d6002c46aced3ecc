package dev.sonus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.repro.testing.TinyRun;
import dev.sonus.run.RunLock;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sonus train} on an output folder that already holds a run, or is in use. */
class TrainCommandTest {
  @TempDir Path dir;
  private Path recipe;
  private Path out;

  @BeforeEach
  void makeRecipe() {
    recipe = TinyRun.recipe(dir);
    out = dir.resolve("run");
  }

  @AfterEach
  void leaveDeterministicModeOff() {
    org.bytedeco.pytorch.global.torch.globalContext().setDeterministicAlgorithms(false, false);
  }

  private MainTest.Result train(String... extra) {
    String[] args = new String[3 + extra.length];
    args[0] = "train";
    args[1] = recipe.toString();
    args[2] = "--output_folder=" + out;
    System.arraycopy(extra, 0, args, 3, extra.length);
    return MainTest.run(args);
  }

  @Test
  void aChangedRecipeIsRefusedWithItsDifferencesAndResumeAnywayGoesAhead() throws Exception {
    assertEquals(0, train("--number_of_epochs=1").status());
    String hparams = Files.readString(out.resolve("hparams.yaml"));

    MainTest.Result refused = train("--number_of_epochs=1", "--batch_size=8");
    assertEquals(1, refused.status());
    assertTrue(refused.err().contains("sonus: error: " + out), refused.err());
    assertTrue(refused.err().contains("batch_size: 4 -> 8"), refused.err());
    assertTrue(
        refused.err().contains("--resume-anyway") && refused.err().contains("--output_folder"),
        refused.err());
    assertEquals(hparams, Files.readString(out.resolve("hparams.yaml")), "left as it was");

    MainTest.Result forced = train("--number_of_epochs=2", "--batch_size=8", "--resume-anyway");
    assertEquals(0, forced.status(), forced.err());
    assertTrue(Files.readString(out.resolve("hparams.yaml")).contains("batch_size: 8"));
    assertTrue(
        Files.readString(out.resolve("train_log.jsonl")).contains("\"event\":\"resume_anyway\""),
        Files.readString(out.resolve("train_log.jsonl")));
  }

  @Test
  void aFolderInUseIsRefusedNamingItsHolder() {
    try (RunLock busy = RunLock.acquire(out, "train")) {
      MainTest.Result r = train("--number_of_epochs=1");
      assertEquals(1, r.status());
      assertTrue(
          r.err().contains("is in use by process " + busy.holder().pid() + " on host "), r.err());
      assertTrue(r.err().contains("another --output_folder"), r.err());
    }
  }

  @Test
  void anOutputFolderThatCannotBeCreatedIsNamedInTheError() throws Exception {
    Files.writeString(out, "a file where the run folder should be");
    MainTest.Result r = train("--number_of_epochs=1");
    assertEquals(1, r.status());
    assertTrue(r.err().contains("cannot create the run folder " + out), r.err());
  }
}
