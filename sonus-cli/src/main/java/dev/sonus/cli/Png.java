package dev.sonus.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;

/** Writes the PNG pictures of the commands that draw (lr-plot, augment, eval --corrupt). */
final class Png {
  private Png() {}

  /** Writes {@code image} to {@code path} atomically: a reader never sees a half-written file. */
  static void write(BufferedImage image, Path path) {
    Path target = path.toAbsolutePath();
    try {
      Files.createDirectories(target.getParent());
      Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
      try {
        if (!ImageIO.write(image, "png", tmp.toFile())) {
          throw new IllegalStateException("this Java runtime has no PNG writer");
        }
        Files.move(
            tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }
}
