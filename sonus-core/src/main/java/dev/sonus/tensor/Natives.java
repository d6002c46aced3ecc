package dev.sonus.tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_full;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch_gloo;

/**
 * Loads libtorch, OpenBLAS and Gloo once per process, with an exclusive lock on JavaCPP's cache
 * folder held by one process at a time, so that several JVMs started at the same moment on an empty
 * cache do not crash.
 *
 * <p>Why: JavaCPP unpacks each native library into {@code ~/.javacpp/cache} (or {@code
 * -Dorg.bytedeco.javacpp.cachedir}) by writing the file in place, and locks the cache only around
 * each single file. While one process is still writing {@code libtorch_cpu.so} (330 MB), another
 * one that already sees {@code libtorch.so} complete loads it, and the dynamic loader maps the
 * half-written {@code libtorch_cpu.so} that it names as a dependency: the second process dies of
 * SIGBUS inside {@code System.load}. Holding this lock across the whole load makes a second process
 * wait until every file is complete; once the cache is filled the lock is held for the few
 * milliseconds the load takes.
 *
 * <p>Every entry point (the command line, the data-parallel workers) calls {@link #load()} before
 * anything touches a libtorch class; {@link Tensors} does too, for programs that use the library
 * directly.
 */
public final class Natives {
  /** The lock file's name inside the cache folder. */
  public static final String LOCK_FILE = ".sonus-natives.lock";

  private static volatile boolean loaded;

  private Natives() {}

  /**
   * Loads the native libraries, waiting for any other process that is unpacking them; idempotent.
   */
  public static void load() {
    if (loaded) {
      return;
    }
    synchronized (Natives.class) {
      if (loaded) {
        return;
      }
      Path cache = cacheFolder();
      try {
        Files.createDirectories(cache);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot create the native-library cache folder "
                + cache
                + " ("
                + e.getMessage()
                + "); make it writable or choose another with -Dorg.bytedeco.javacpp.cachedir=DIR",
            e);
      }
      Path lockFile = cache.resolve(LOCK_FILE);
      try (FileChannel channel =
          FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        FileLock lock = channel.tryLock();
        if (lock == null) {
          // A process that seems to hang must say why, with or without an SLF4J binding: the
          // platform logger writes to stderr by default (and the core never touches System.err).
          System.getLogger(Natives.class.getName())
              .log(
                  System.Logger.Level.WARNING,
                  "sonus: waiting for another process that is unpacking the native libraries into "
                      + cache);
          lock = channel.lock();
        }
        try {
          Loader.load(torch.class);
          Loader.load(openblas_full.class);
          Loader.load(torch_gloo.class);
        } finally {
          lock.release();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot lock " + lockFile + " to load the native libraries (" + e.getMessage() + ")",
            e);
      }
      loaded = true;
    }
  }

  /**
   * JavaCPP's cache folder, as JavaCPP resolves it (the system property, else {@code
   * ~/.javacpp/cache}).
   */
  public static Path cacheFolder() {
    try {
      return Loader.getCacheDir().toPath();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot find JavaCPP's native-library cache folder ("
              + e.getMessage()
              + "); set one with -Dorg.bytedeco.javacpp.cachedir=DIR",
          e);
    }
  }
}
