package dev.sonus.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The limits of the load in progress on this thread: where {@code !include:} may read, and the node
 * budget. Loading is single-threaded and nested inside one {@link HyperYaml} call, which sets it.
 */
final class LoadContext {
  private static final ThreadLocal<LoadContext> CURRENT = new ThreadLocal<>();

  private final Location fileLocation;
  private final Path includeRoot;
  private final boolean includesAnywhere;
  private final long maxNodes;
  private long nodes;

  private LoadContext(
      Location fileLocation, Path includeRoot, boolean includesAnywhere, long maxNodes) {
    this.fileLocation = fileLocation;
    this.includeRoot = includeRoot;
    this.includesAnywhere = includesAnywhere;
    this.maxNodes = maxNodes;
  }

  /** Runs {@code body} with the limits of {@code options} for a file in {@code folder}. */
  static <T> T with(LoadOptions options, Path file, Supplier<T> body) {
    Path folder = file == null ? Path.of("").toAbsolutePath() : file.toAbsolutePath().getParent();
    LoadContext previous = CURRENT.get();
    Location where = Location.of(file, file == null ? "recipe" : file.toString());
    CURRENT.set(new LoadContext(where, realOrNormal(folder), options.trust(), options.maxNodes()));
    try {
      return body.get();
    } finally {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    }
  }

  /** Counts {@code n} nodes made by resolution; throws when the budget is spent. */
  static void spend(long n, Location where, String key) {
    LoadContext c = CURRENT.get();
    if (c == null) {
      return;
    }
    c.nodes += n;
    if (c.nodes > c.maxNodes) {
      throw new ConfigException(
          where != null ? where : c.fileLocation,
          key,
          "the file expands to more than "
              + c.maxNodes
              + " nodes (references, copies and interpolated text, aliases included); that is a"
              + " file built to exhaust memory, not a recipe. If it is really yours, raise the budget"
              + " (LoadOptions.maxNodes)");
    }
  }

  /**
   * Throws unless {@code file} (an include) lies inside the loaded file's folder tree, or trusted.
   */
  static void checkInclude(Path file, Location where, String key) {
    LoadContext c = CURRENT.get();
    if (c == null || c.includesAnywhere) {
      return;
    }
    Path real = realOrNormal(file);
    if (!real.startsWith(c.includeRoot)) {
      throw new ConfigException(
          where,
          key,
          "!include: "
              + file
              + " lies outside the recipe's folder "
              + c.includeRoot
              + "; only files inside it are included. Copy the file there, or pass --trust if you"
              + " trust this recipe");
    }
  }

  private static Path realOrNormal(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    try {
      return Files.exists(abs) ? abs.toRealPath() : abs;
    } catch (IOException e) {
      return abs;
    }
  }
}
