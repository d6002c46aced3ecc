package dev.sonus.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.example.sonustest.UserThing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recipes and run folders build only allow-listed classes: the code-execution chains of a hostile
 * recipe are refused by name before anything runs; a recipe of Sonus classes builds as before; a
 * user's class needs to be allowed explicitly.
 */
class RecipeSafetyTest {
  @TempDir Path dir;

  private Path write(String name, String yaml) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, yaml);
    return file;
  }

  private ConfigException refusedAsRecipe(String yaml) throws IOException {
    Path file = write("recipe.yaml", yaml);
    return assertThrows(ConfigException.class, () -> HyperYaml.load(file, Map.of()));
  }

  @Test
  void aProcessBuilderChainIsRefusedAndRunsNothing() throws IOException {
    Path marker = dir.resolve("pwned");
    ConfigException e =
        refusedAsRecipe(
            "pb: !new:java.lang.ProcessBuilder [[sh, -c, 'touch "
                + marker
                + "']]\n"
                + "run: !apply:java.util.concurrent.CompletableFuture.runAsync\n"
                + "  - !apply:java.beans.EventHandler.create [java.lang.Runnable, !ref <pb>, start]\n");
    assertTrue(
        e.getMessage().contains("java.lang.ProcessBuilder is not on the recipe allow-list"),
        e.getMessage());
    assertTrue(e.getMessage().contains("--allow-classes"), "names the fix: " + e.getMessage());
    assertFalse(Files.exists(marker), "the shell command ran");
  }

  @Test
  void fileDeletionAndExitAreRefused() throws IOException {
    Path victim = write("victim.txt", "keep me");
    ConfigException delete =
        refusedAsRecipe(
            "x: !apply:java.nio.file.Files.delete [!apply:java.nio.file.Path.of ["
                + victim
                + "]]\n");
    assertTrue(delete.getMessage().contains("java.nio.file.Files"), delete.getMessage());
    assertTrue(Files.exists(victim));
    ConfigException exit = refusedAsRecipe("x: !apply:java.lang.System.exit [3]\n");
    assertTrue(exit.getMessage().contains("java.lang.System"), exit.getMessage());
  }

  @Test
  void sonusStaticMethodsThatAreNotRecipeCallableAreRefused() throws IOException {
    Path target = dir.resolve("written.txt");
    ConfigException e =
        refusedAsRecipe(
            "x: !apply:tensor.AtomicFiles.writeString [!apply:java.nio.file.Path.of ["
                + target
                + "], hi]\n");
    assertTrue(
        e.getMessage().contains("AtomicFiles.writeString is not a method recipes may call"),
        e.getMessage());
    assertFalse(Files.exists(target));
  }

  @Test
  void aRecipeOfSonusClassesAndValueTypesBuildsUnchanged() throws IOException {
    Path file =
        write(
            "recipe.yaml",
            """
            n_mels: !apply:java.lang.Math.max [40, 20]
            features: !new:features.Fbank {sample_rate: 16000, n_mels: !ref <n_mels>}
            optimizer: !name:train.Optimizers.adam {lr: 0.001}
            """);
    Hparams h = HyperYaml.load(file, Map.of());
    assertEquals(40, h.getInt("n_mels"));
    assertEquals("Fbank", h.get("features").getClass().getSimpleName());
  }

  @Test
  void aUsersClassNeedsToBeAllowed() throws IOException {
    Path file = write("recipe.yaml", "thing: !new:org.example.sonustest.UserThing {size: 3}\n");
    ConfigException e = assertThrows(ConfigException.class, () -> HyperYaml.load(file, Map.of()));
    assertTrue(e.getMessage().contains("--allow-classes org.example.sonustest."), e.getMessage());
    Hparams h =
        HyperYaml.load(file, Map.of(), LoadOptions.recipe().allowing(List.of("org.example.")));
    assertEquals(3, h.get("thing", UserThing.class).size());
  }

  @Test
  void aRecipesTrustedClassesAreHonouredWhenRunButNotWhenOpenedAsARunFolder() throws IOException {
    Path file =
        write(
            "hparams.yaml",
            "trusted_classes: [org.example.sonustest.]\nthing: !new:org.example.sonustest.UserThing {size: 5}\n");
    assertEquals(5, HyperYaml.load(file, Map.of()).get("thing", UserThing.class).size());
    ConfigException e =
        assertThrows(ConfigException.class, () -> HyperYaml.loadKeys(file, List.of("thing")));
    assertTrue(e.getMessage().contains("--trust"), e.getMessage());
    Hparams trusted =
        HyperYaml.loadKeys(file, List.of("thing"), LoadOptions.runFolder().trusting(true));
    assertEquals(5, trusted.get("thing", UserThing.class).size());
    Hparams allowed =
        HyperYaml.loadKeys(
            file,
            List.of("thing"),
            LoadOptions.runFolder().allowing(List.of("org.example.sonustest.")));
    assertEquals(5, allowed.get("thing", UserThing.class).size());
  }

  @Test
  void aRunFolderWithTheChainUnderAnInnocentKeyIsRefused() throws IOException {
    Path marker = dir.resolve("pwned");
    Path file =
        write(
            "run/hparams.yaml",
            "ckpt_metric: !apply:java.lang.String.valueOf\n"
                + "  - !new:java.lang.ProcessBuilder [[sh, -c, 'touch "
                + marker
                + "']]\n");
    ConfigException e =
        assertThrows(ConfigException.class, () -> HyperYaml.loadKeys(file, List.of("ckpt_metric")));
    assertTrue(e.getMessage().contains("java.lang.ProcessBuilder"), e.getMessage());
    assertFalse(Files.exists(marker));
  }

  @Test
  void includesStayInsideTheRecipesFolderUnlessTrusted() throws IOException {
    Path outside = Files.createTempFile("outside", ".yaml");
    try {
      Files.writeString(outside, "x: 1\n");
      write("inner/part.yaml", "y: 2\n");
      Path inside = write("inner/recipe.yaml", "part: !include:part.yaml\n");
      assertEquals(2, HyperYaml.load(inside, Map.of()).getInt("part.y"));
      Path escaping = write("inner/bad.yaml", "part: !include:" + outside + "\n");
      ConfigException e =
          assertThrows(ConfigException.class, () -> HyperYaml.load(escaping, Map.of()));
      assertTrue(e.getMessage().contains("outside the recipe's folder"), e.getMessage());
      Path relative =
          write("inner/up.yaml", "part: !include:../../" + outside.getFileName() + "\n");
      assertThrows(ConfigException.class, () -> HyperYaml.load(relative, Map.of()));
      assertEquals(
          1,
          HyperYaml.load(escaping, Map.of(), LoadOptions.recipe().trusting(true)).getInt("part.x"));
    } finally {
      Files.deleteIfExists(outside);
    }
  }
}
