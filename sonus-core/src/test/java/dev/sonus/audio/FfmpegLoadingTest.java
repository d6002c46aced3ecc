package dev.sonus.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.tensor.Natives;
import java.io.IOException;
import java.net.URISyntaxException;
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
import org.junit.jupiter.api.Test;

/**
 * FFmpeg's natives load only when the first compressed file is read, and under the lock that keeps
 * two JVMs from unpacking into the same cache at once ({@link Natives}): in a fresh JVM on an empty
 * cache that another process holds locked, WAV and FLAC files read at once and without FFmpeg, and
 * the first MP3 waits for the lock.
 */
class FfmpegLoadingTest {
  @Test
  void wavAndFlacNeverLoadFfmpegAndTheFirstMp3WaitsForTheCacheLock() throws Exception {
    // Under target/, not /tmp: FFmpeg's libraries take about 65 MB.
    Path base = Files.createDirectories(Path.of("target", "natives-test"));
    Path cache = Files.createTempDirectory(base.toAbsolutePath(), "ffmpeg-cache");
    Path log = cache.resolveSibling(cache.getFileName() + ".log");
    Process child = null;
    try (FileChannel ch =
        FileChannel.open(
            cache.resolve(Natives.LOCK_FILE),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE)) {
      FileLock held = ch.lock();
      try {
        child = start(cache, log);
        String out = awaitLine(child, log, "wav and flac read");
        assertTrue(out.contains("ffmpeg loaded: false"), out);
        assertTrue(
            !child.waitFor(2, TimeUnit.SECONDS),
            "the child read the MP3 while the cache was locked: " + read(log));
        assertTrue(!read(log).contains("mp3 frames"), read(log));
        try (Stream<Path> s = Files.walk(cache)) {
          assertTrue(
              s.noneMatch(f -> f.getFileName().toString().startsWith("libav")),
              "FFmpeg was unpacked while another process held the lock");
        }
      } finally {
        held.release();
      }
      assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child did not finish: " + read(log));
      assertEquals(0, child.exitValue(), read(log));
      assertTrue(read(log).contains("mp3 frames 16000"), read(log));
    } finally {
      if (child != null) {
        child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      Files.deleteIfExists(log);
      try (Stream<Path> s = Files.walk(cache)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static Process start(Path cache, Path log) throws IOException, URISyntaxException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return new ProcessBuilder(
            List.of(
                java.toString(),
                "-Dorg.bytedeco.javacpp.cachedir=" + cache,
                "-cp",
                System.getProperty("java.class.path"),
                FfmpegLoadingChild.class.getName(),
                FfmpegReaderTest.codec("mono16k.wav").toString(),
                Path.of(FfmpegLoadingTest.class.getResource("/audio/flac/mono16_16k.flac").toURI())
                    .toString(),
                FfmpegReaderTest.codec("mono16k.mp3").toString()))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static String awaitLine(Process child, Path log, String line) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      String out = read(log);
      if (out.contains(line)) {
        return out;
      }
      if (!child.isAlive()) {
        throw new AssertionError("the child ended before '" + line + "': " + out);
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the child did not print '" + line + "': " + read(log));
  }

  private static String read(Path log) throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }
}
