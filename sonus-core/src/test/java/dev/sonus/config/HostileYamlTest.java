package dev.sonus.config;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files built to exhaust memory or the stack end as a clear error within seconds, never as an
 * OutOfMemoryError or StackOverflowError.
 */
class HostileYamlTest {
  @TempDir Path dir;

  private ConfigException refused(String yaml) throws IOException {
    Path file = dir.resolve("bomb.yaml");
    Files.writeString(file, yaml);
    return assertTimeoutPreemptively(
        Duration.ofSeconds(25),
        () -> assertThrows(ConfigException.class, () -> HyperYaml.load(file, Map.of())));
  }

  private static String levels(String first, String itemFormat, int levels, int width) {
    StringBuilder sb = new StringBuilder(first);
    for (int l = 1; l < levels; l++) {
      sb.append("l").append(l).append(": &l").append(l).append(" [");
      for (int i = 0; i < width; i++) {
        sb.append(i == 0 ? "" : ", ").append(itemFormat.replace("PREV", "l" + (l - 1)));
      }
      sb.append("]\n");
    }
    return sb.toString();
  }

  @Test
  void aliasBillionLaughsIsRefused() throws IOException {
    String yaml = levels("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n", "*PREV", 10, 9);
    assertTrue(yaml.length() < 600, "a small file: " + yaml.length() + " bytes");
    ConfigException e = refused(yaml);
    assertTrue(e.getMessage().contains("expands to more than"), e.getMessage());
  }

  @Test
  void referenceBillionLaughsIsRefused() throws IOException {
    ConfigException e =
        refused(
            levels("l0: [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n", "!ref <PREV>", 10, 9));
    assertTrue(e.getMessage().contains("expands to more than"), e.getMessage());
  }

  @Test
  void copyBillionLaughsIsRefused() throws IOException {
    ConfigException e =
        refused(
            levels("l0: [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n", "!copy <PREV>", 10, 9));
    assertTrue(e.getMessage().contains("expands to more than"), e.getMessage());
  }

  @Test
  void growingInterpolationIsRefused() throws IOException {
    StringBuilder sb = new StringBuilder("s0: lollollollol\n");
    for (int l = 1; l < 12; l++) {
      sb.append("s")
          .append(l)
          .append(": !ref ")
          .append(("<s" + (l - 1) + ">").repeat(8))
          .append('\n');
    }
    ConfigException e = refused(sb.toString());
    assertTrue(e.getMessage().contains("expands to more than"), e.getMessage());
  }

  @Test
  void aLongReferenceChainIsRefusedWithoutOverflowingTheStack() throws IOException {
    // Written forward so that resolving k0 follows the whole chain at once.
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 1999; i++) {
      sb.append("k").append(i).append(": !ref <k").append(i + 1).append(">\n");
    }
    sb.append("k1999: 1\n");
    ConfigException e = refused(sb.toString());
    assertTrue(e.getMessage().contains("deeper than"), e.getMessage());
  }

  @Test
  void aHugeNumberInArithmeticIsRefused() throws IOException {
    ConfigException e = refused("n: 2\nx: !ref <n> + " + "9".repeat(2000) + "\n");
    assertTrue(e.getMessage().contains("digits"), e.getMessage());
  }

  @Test
  void deeplyNestedArithmeticIsRefused() throws IOException {
    ConfigException e =
        refused("n: 2\nx: !ref " + "(".repeat(3000) + "<n>" + ")".repeat(3000) + "\n");
    assertTrue(e.getMessage().contains("nested"), e.getMessage());
  }
}
