package dev.sonus.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared data and reference folders that sit beside the repository ({@code ../shared}).
 * Tests that need them skip, with a message naming the missing folder, when they are absent.
 */
public final class Shared {
  private Shared() {}

  /** The repository root: the {@code sonus.repo.root} property set by the build, else the working directory's parent chain. */
  public static Path repoRoot() {
    String prop = System.getProperty("sonus.repo.root");
    if (prop != null && !prop.isBlank()) {
      return Path.of(prop).toAbsolutePath().normalize();
    }
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
      dir = dir.getParent();
    }
    return dir == null ? Path.of("").toAbsolutePath() : dir;
  }

  /** {@code ../shared/<relative>}, or skips the calling test when it does not exist. */
  public static Path require(String relative) {
    Path shared = System.getenv("SONUS_SHARED") != null
        ? Path.of(System.getenv("SONUS_SHARED"))
        : repoRoot().resolve("../shared").normalize();
    Path p = shared.resolve(relative);
    assumeTrue(Files.exists(p), "skipped: reference data " + p + " is absent (set SONUS_SHARED to the shared folder)");
    return p;
  }
}
