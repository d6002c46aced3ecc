package dev.sonus.config;

import java.nio.file.Path;

/**
 * Where a node of a recipe came from: the source file (its path when it is one, for {@code
 * !include:}) and a 1-based line and column (0 when unknown).
 */
record Location(Path path, String file, int line, int column) {

  /** Location of a whole source, with no line. */
  static Location of(Path path, String file) {
    return new Location(path, file, 0, 0);
  }

  /** Same source, another line and column (1-based). */
  Location at(int line, int column) {
    return new Location(path, file, line, column);
  }

  /**
   * Directory that relative {@code !include:} paths start from: the file's folder, else the working
   * directory.
   */
  Path dir() {
    Path parent = path == null ? null : path.toAbsolutePath().getParent();
    return parent == null ? Path.of("").toAbsolutePath() : parent;
  }

  /** {@code file:line}, or just {@code file} when the line is unknown. */
  @Override
  public String toString() {
    return line > 0 ? file + ":" + line : file;
  }
}
