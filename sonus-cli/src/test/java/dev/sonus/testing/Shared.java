package dev.sonus.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the reference outputs and real recordings that live outside the repository: the fixture
 * root (system property {@value #FIXTURES_PROPERTY}, default {@code <repo
 * root>/../shared/fixtures}) and the data root ({@value #DATA_PROPERTY}, default {@code <repo
 * root>/../shared/data}). When a property is unset and the environment variable {@value
 * #SHARED_ENV} names a shared folder, its {@code fixtures/} and {@code data/} are used. Relative
 * paths are taken from the repository root.
 *
 * <p>A missing folder or file skips the calling test with a message naming the path and the
 * property to set. With {@code -D}{@value #REQUIRE_PROPERTY}{@code =true} it fails the test
 * instead, so that a run which must compare against the references cannot pass by skipping them.
 * The parent pom passes the three properties to the test JVM.
 *
 * <p>This is a copy of sonus-core's test helper of the same name (one module's tests cannot see
 * another's); change both together.
 */
public final class Shared {
  /**
   * System property naming the folder that holds {@code speechbrain/}, {@code
   * speechbrain-model-folder/}, ....
   */
  public static final String FIXTURES_PROPERTY = "sonus.fixtures";

  /** System property naming the folder that holds {@code fsdd/}, {@code speech-samples/}, .... */
  public static final String DATA_PROPERTY = "sonus.data";

  /**
   * System property that turns a missing fixture or data path from a skip into a failure ({@code
   * true}).
   */
  public static final String REQUIRE_PROPERTY = "sonus.requireFixtures";

  /**
   * Environment variable naming the shared folder (parent of {@code fixtures/} and {@code data/}),
   * a fallback.
   */
  public static final String SHARED_ENV = "SONUS_SHARED";

  private Shared() {}

  /**
   * The repository root: the {@code sonus.repo.root} property set by the build, else the nearest
   * parent of the working directory that holds {@code mvnw}.
   */
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

  /**
   * The fixture root: {@value #FIXTURES_PROPERTY}, else {@code $SONUS_SHARED/fixtures}, else {@code
   * <repo root>/../shared/fixtures}.
   */
  public static Path fixturesRoot() {
    return root(FIXTURES_PROPERTY, "fixtures");
  }

  /**
   * The data root: {@value #DATA_PROPERTY}, else {@code $SONUS_SHARED/data}, else {@code <repo
   * root>/../shared/data}.
   */
  public static Path dataRoot() {
    return root(DATA_PROPERTY, "data");
  }

  /**
   * Whether a missing fixture or data path fails the test ({@code -Dsonus.requireFixtures=true}) or
   * skips it.
   */
  public static boolean required() {
    return Boolean.parseBoolean(System.getProperty(REQUIRE_PROPERTY, "false").trim());
  }

  /**
   * {@code <fixture root>/<relative>}, e.g. {@code fixture("speechbrain/manifest.json")}. When it
   * does not exist the calling test is skipped, or fails under {@value #REQUIRE_PROPERTY}, with a
   * message naming the path and {@value #FIXTURES_PROPERTY}.
   */
  public static Path fixture(String relative) {
    return existing(fixturesRoot(), relative, FIXTURES_PROPERTY, "reference fixture");
  }

  /**
   * {@code <data root>/<relative>}, e.g. {@code data("fsdd/recordings")}; skips or fails like
   * {@link #fixture} when absent, naming {@value #DATA_PROPERTY}.
   */
  public static Path data(String relative) {
    return existing(dataRoot(), relative, DATA_PROPERTY, "real recordings");
  }

  /**
   * The older form: {@code require("fixtures/<relative>")} is {@link #fixture}, {@code
   * require("data/<relative>")} is {@link #data}. Other paths are refused.
   */
  public static Path require(String relative) {
    String r = relative.replace('\\', '/');
    if (r.startsWith("fixtures/")) {
      return fixture(r.substring("fixtures/".length()));
    }
    if (r.startsWith("data/")) {
      return data(r.substring("data/".length()));
    }
    throw new IllegalArgumentException(
        "Shared.require(\""
            + relative
            + "\"): expected a path under fixtures/ or "
            + "data/; use Shared.fixture(...) or Shared.data(...)");
  }

  private static Path existing(Path root, String relative, String property, String what) {
    Path p = root.resolve(relative).normalize();
    if (Files.exists(p)) {
      return p;
    }
    String message =
        what
            + " "
            + p
            + " is absent; set -D"
            + property
            + "=<folder> to where they are (now "
            + root
            + ")";
    if (required()) {
      fail(message + ". This is a failure, not a skip, because -D" + REQUIRE_PROPERTY + "=true");
    }
    Assumptions.abort(
        "skipped: " + message + "; -D" + REQUIRE_PROPERTY + "=true makes this a failure");
    throw new AssertionError("unreachable: abort throws");
  }

  private static Path root(String property, String sharedChild) {
    String prop = System.getProperty(property);
    if (prop != null && !prop.isBlank()) {
      return repoRoot().resolve(prop.trim()).toAbsolutePath().normalize();
    }
    String env = System.getenv(SHARED_ENV);
    if (env != null && !env.isBlank()) {
      return repoRoot().resolve(env.trim()).resolve(sharedChild).toAbsolutePath().normalize();
    }
    return repoRoot().resolve("../shared").resolve(sharedChild).toAbsolutePath().normalize();
  }
}
