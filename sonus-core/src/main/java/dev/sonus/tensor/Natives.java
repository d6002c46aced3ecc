package dev.sonus.tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swresample;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_full;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch_gloo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads libtorch, OpenBLAS and Gloo (and, on demand, FFmpeg) once per process, with an exclusive
 * lock on JavaCPP's cache folder held by one process at a time, so that several JVMs started at the
 * same moment on an empty cache do not crash.
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
 * directly. FFmpeg, which only the readers of compressed audio need, loads separately and lazily
 * ({@link #loadFfmpeg()}), under the same lock.
 */
public final class Natives {
  private static final Logger log = LoggerFactory.getLogger(Natives.class);

  /** The lock file's name inside the cache folder. */
  public static final String LOCK_FILE = ".sonus-natives.lock";

  private static volatile boolean loaded;
  private static volatile boolean ffmpegLoaded;

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
      underCacheLock(
          () -> {
            Loader.load(torch.class);
            Loader.load(openblas_full.class);
            Loader.load(torch_gloo.class);
          });
      loaded = true;
    }
  }

  /**
   * Loads FFmpeg's libraries (libavutil, libswresample, libavcodec, libavformat) under the same
   * lock as {@link #load()}; idempotent. Only the readers of compressed audio call it, the first
   * time such a file is read, so that programs reading WAV and FLAC never unpack or map FFmpeg.
   *
   * @throws IllegalStateException naming the platform when Bytedeco publishes no FFmpeg build for
   *     it or its jar is missing from the class path
   */
  public static void loadFfmpeg() {
    if (ffmpegLoaded) {
      return;
    }
    // The same monitor as load(): a JVM may hold one FileLock on the lock file at a time.
    synchronized (Natives.class) {
      if (ffmpegLoaded) {
        return;
      }
      try {
        underCacheLock(
            () -> {
              Loader.load(avutil.class);
              Loader.load(swresample.class);
              Loader.load(avcodec.class);
              Loader.load(avformat.class);
            });
      } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
        throw new IllegalStateException(
            "FFmpeg's native libraries for platform "
                + Loader.getPlatform()
                + " could not be loaded ("
                + e
                + "); they come from the jar org.bytedeco:ffmpeg:<version>:"
                + Loader.getPlatform()
                + ", which the build adds for -Djavacpp.platform (default linux-x86_64): rebuild"
                + " with ./mvnw -Djavacpp.platform="
                + Loader.getPlatform()
                + " package, or add that jar to the class path",
            e);
      }
      ffmpegLoaded = true;
    }
  }

  /** Whether {@link #loadFfmpeg()} has loaded FFmpeg in this process. */
  public static boolean ffmpegLoaded() {
    return ffmpegLoaded;
  }

  /** Runs {@code loading} while this process holds the cache folder's lock file. */
  private static void underCacheLock(Runnable loading) {
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
        log.warn(
            "waiting for another process that is unpacking the native libraries into {}", cache);
        lock = channel.lock();
      }
      try {
        loading.run();
      } finally {
        lock.release();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot lock " + lockFile + " to load the native libraries (" + e.getMessage() + ")", e);
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
