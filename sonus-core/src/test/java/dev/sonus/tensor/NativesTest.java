package dev.sonus.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several JVMs that start at the same moment on an empty JavaCPP cache: one unpacks the native
 * libraries, the others wait for it (a half-written libtorch_cpu.so once killed the second JVM with
 * SIGBUS).
 */
class NativesTest {
  private Path cache;

  @BeforeEach
  void emptyCache() throws IOException {
    // Under target/, not /tmp: the cache holds about 500 MB of libraries while the test runs.
    Path base = Files.createDirectories(Path.of("target", "natives-test"));
    cache = Files.createTempDirectory(base.toAbsolutePath(), "cache");
  }

  @AfterEach
  void removeCache() throws IOException {
    try (Stream<Path> s = Files.walk(cache)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private Process child(Path log) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return new ProcessBuilder(
            List.of(
                java.toString(),
                "-Dorg.bytedeco.javacpp.cachedir=" + cache,
                "-cp",
                System.getProperty("java.class.path"),
                NativesChild.class.getName()))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static void assertLoaded(Process p, Path log) throws Exception {
    assertTrue(p.waitFor(240, TimeUnit.SECONDS), "the child JVM did not finish");
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("sum 3.5"), out);
  }

  @Test
  void aProcessWaitsWhileAnotherHoldsTheCacheAndLoadsWhenItIsFreed() throws Exception {
    Path log = cache.resolveSibling(cache.getFileName() + ".log");
    try (FileChannel ch =
        FileChannel.open(
            cache.resolve(Natives.LOCK_FILE),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE)) {
      Process p;
      FileLock held = ch.lock();
      try {
        p = child(log);
        assertFalse(
            p.waitFor(3, TimeUnit.SECONDS),
            "the child loaded while the cache was locked: "
                + Files.readString(log, StandardCharsets.UTF_8));
        try (Stream<Path> s = Files.walk(cache)) {
          assertTrue(
              s.noneMatch(f -> f.getFileName().toString().startsWith("libtorch")),
              "libtorch was unpacked while another process held the lock");
        }
      } finally {
        held.release();
      }
      assertLoaded(p, log);
    } finally {
      Files.deleteIfExists(log);
    }
  }

  @Test
  void twoProcessesStartedTogetherOnAnEmptyCacheBothLoad() throws Exception {
    Path logA = cache.resolveSibling(cache.getFileName() + ".a.log");
    Path logB = cache.resolveSibling(cache.getFileName() + ".b.log");
    try {
      Process a = child(logA);
      Process b = child(logB);
      assertLoaded(a, logA);
      assertLoaded(b, logB);
    } finally {
      Files.deleteIfExists(logA);
      Files.deleteIfExists(logB);
    }
  }
}
