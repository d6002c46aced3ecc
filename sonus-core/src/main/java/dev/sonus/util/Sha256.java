package dev.sonus.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.LongConsumer;

/**
 * SHA-256 of files and bytes as lowercase hex: the one place checkpoints, fingerprints and datasets
 * hash.
 */
public final class Sha256 {
  private static final int BUFFER_BYTES = 1 << 16;

  private Sha256() {}

  /** A fresh SHA-256 digest. */
  public static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(
          "this JVM has no SHA-256, which every Java platform must provide", e);
    }
  }

  /** The hex SHA-256 of {@code bytes}. */
  public static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(digest().digest(bytes));
  }

  /**
   * The hex SHA-256 of a file's content.
   *
   * @throws UncheckedIOException naming the file when it cannot be read (or does not exist)
   */
  public static String file(Path file) {
    String hash = fileOrNull(file, n -> {});
    if (hash == null) {
      throw new UncheckedIOException(
          "cannot hash " + file + ": no such file", new NoSuchFileException(file.toString()));
    }
    return hash;
  }

  /**
   * The hex SHA-256 of a file's content, or null when the file does not exist; {@code bytesRead}
   * hears the size of every chunk read (for progress and statistics).
   *
   * @throws UncheckedIOException naming the file when it exists but cannot be read
   */
  public static String fileOrNull(Path file, LongConsumer bytesRead) {
    MessageDigest digest = digest();
    ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      int n;
      while ((n = ch.read(buf)) >= 0) {
        buf.flip();
        digest.update(buf);
        buf.clear();
        bytesRead.accept(n);
      }
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
