package dev.sonus.audio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A file that cannot be decoded: truncated, corrupt, or in an unsupported format.
 *
 * <p>The message always starts with the path and says what is wrong and, where one exists, the fix.
 */
public final class AudioFormatException extends UncheckedIOException {
  private static final long serialVersionUID = 1L;

  private final transient Path path;

  /** Creates an exception whose message is {@code "<path>: <problem>"}. */
  public AudioFormatException(Path path, String problem) {
    super(new IOException(path + ": " + problem));
    this.path = path;
  }

  /** Same, keeping the underlying cause. */
  public AudioFormatException(Path path, String problem, Throwable cause) {
    super(new IOException(path + ": " + problem, cause));
    this.path = path;
  }

  /** The file that could not be decoded. */
  public Path path() {
    return path;
  }

  @Override
  public String getMessage() {
    return getCause().getMessage();
  }
}
