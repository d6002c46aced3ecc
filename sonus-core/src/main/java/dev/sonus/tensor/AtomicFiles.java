package dev.sonus.tensor;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes files so that a reader sees either the old content or the complete new one, never a
 * half-written file.
 *
 * <p>The content goes to a temporary file in the same folder, is flushed to disk, and then renamed
 * over the target. If anything fails (disk full, an exception in the writer), the temporary file is
 * deleted and the target is left as it was.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** What writes the content; may throw {@link IOException}. */
  @FunctionalInterface
  public interface Writer {
    /** Writes the whole content to {@code out}. */
    void write(OutputStream out) throws IOException;
  }

  /** Atomically replaces {@code target} with {@code text} in UTF-8. */
  public static void writeString(Path target, String text) {
    byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    write(target, out -> out.write(bytes));
  }

  /**
   * Atomically replaces {@code target} with what {@code writer} produces.
   *
   * @throws UncheckedIOException naming the target if the write or the rename fails
   */
  public static void write(Path target, Writer writer) {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    Path tmp = null;
    try {
      if (dir != null) {
        Files.createDirectories(dir);
      }
      tmp = Files.createTempFile(dir, "." + absolute.getFileName(), ".tmp");
      try (var channel =
              java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE);
          OutputStream out =
              new java.io.BufferedOutputStream(
                  java.nio.channels.Channels.newOutputStream(channel), 1 << 16)) {
        writer.write(out);
        out.flush();
        channel.force(true);
      }
      try {
        Files.move(
            tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not write "
              + target
              + ": "
              + e.getMessage()
              + " (the previous content, if any, is unchanged)",
          e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // The write already failed and that error is being thrown; a stray temp file is the
          // lesser problem.
        }
      }
    }
  }
}
