package dev.sonus.tensor;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes files so that a reader sees either the old content or the complete new one, never a
 * half-written file.
 *
 * <p>The content goes to a temporary file in the same folder, is flushed to disk, and then renamed
 * over the target; the folder is then flushed too ({@link #syncDirectory}), so that the rename
 * itself survives a power loss. If anything fails before the rename (disk full, an exception in the
 * writer), the temporary file is deleted and the target is left as it was.
 */
public final class AtomicFiles {
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");

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
      if (dir != null) {
        syncDirectory(dir);
      }
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

  /**
   * Flushes a folder's entries to disk (fsync on the folder), so that a file created or renamed in
   * it is still there after a power loss: POSIX makes a rename durable only once its folder is
   * synced. Call it after each atomic rename.
   *
   * <p>Two failures that only say "this platform cannot do that" are ignored, and nothing else:
   * Windows refuses to open a folder as a file (an {@link IOException} on open; NTFS journals its
   * renames itself), and some file systems refuse fsync on a folder with {@code EINVAL} ("Invalid
   * argument").
   *
   * @throws UncheckedIOException naming the folder for any other failure
   */
  public static void syncDirectory(Path dir) {
    FileChannel channel;
    try {
      channel = FileChannel.open(dir, StandardOpenOption.READ);
    } catch (IOException e) {
      if (WINDOWS && Files.isDirectory(dir)) {
        return;
      }
      throw new UncheckedIOException(
          "cannot open the folder " + dir + " to flush it to disk: " + e.getMessage(), e);
    }
    try (channel) {
      channel.force(true);
    } catch (IOException e) {
      if (!"Invalid argument".equals(e.getMessage())) {
        throw new UncheckedIOException(
            "cannot flush the folder "
                + dir
                + " to disk: "
                + e.getMessage()
                + " (its files are written, but a power loss now could undo their last rename)",
            e);
      }
    }
  }
}
