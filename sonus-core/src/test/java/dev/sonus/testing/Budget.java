package dev.sonus.testing;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.function.ThrowingSupplier;

/**
 * Runs a piece of code under the budget a fuzzing service grants one input (OSS-Fuzz: 25 s and 2.5
 * GB), and reports what it took: wall time, peak Java heap and peak resident memory (heap plus
 * native, where the OS tells). Hostile-input regression tests use it to show that a reader refuses
 * a bomb quickly and without allocating what the file declares.
 *
 * <pre>{@code
 * Budget.Used used = Budget.assertWithin("nested-list bomb", Budget.FUZZ, () -> {
 *   assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(bomb));
 *   return null;
 * });
 * }</pre>
 */
public final class Budget {
  /** Wall time and memory one fuzz input may use: 25 s, 2 GiB heap and resident growth. */
  public static final Limit FUZZ = new Limit(Duration.ofSeconds(25), 2L << 30, 2L << 30);

  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

  private Budget() {}

  /**
   * What a run may use.
   *
   * @param time wall-clock limit
   * @param heapBytes peak Java heap in use (all heap pools) during the run
   * @param residentGrowthBytes peak resident set size above its level at the start (checked only on
   *     Linux, where the peak can be reset)
   */
  public record Limit(Duration time, long heapBytes, long residentGrowthBytes) {}

  /**
   * What a run used.
   *
   * @param seconds wall time
   * @param peakHeapBytes peak heap in use, summed over the heap pools' peaks (an upper bound)
   * @param peakResidentGrowthBytes peak RSS above the RSS at the start; -1 when unknown
   */
  public record Used(double seconds, long peakHeapBytes, long peakResidentGrowthBytes) {
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%.2f s, peak heap %.1f MiB, peak RSS growth %s",
          seconds,
          peakHeapBytes / 1048576.0,
          peakResidentGrowthBytes < 0
              ? "unknown"
              : String.format(Locale.ROOT, "%.1f MiB", peakResidentGrowthBytes / 1048576.0));
    }
  }

  /**
   * Runs {@code body} (preemptively stopped at the time limit), asserts the limits, prints {@code
   * budget NAME: ...} to standard output (kept in the surefire report) and returns the figures.
   */
  public static <T> Used assertWithin(String name, Limit limit, ThrowingSupplier<T> body) {
    System.gc();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
    boolean rssKnown = resetPeakResident();
    long rssBefore = rssKnown ? statusKib("VmRSS:") * 1024 : -1;
    long start = System.nanoTime();
    assertTimeoutPreemptively(limit.time(), body, name + " ran past " + limit.time());
    double seconds = (System.nanoTime() - start) / 1e9;
    long heap = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heap += pool.getPeakUsage().getUsed();
      }
    }
    long rssGrowth = rssKnown ? Math.max(0, statusKib("VmHWM:") * 1024 - rssBefore) : -1;
    Used used = new Used(seconds, heap, rssGrowth);
    System.out.println("budget " + name + ": " + used);
    assertTrue(heap <= limit.heapBytes(), name + " used too much heap: " + used);
    assertTrue(rssGrowth <= limit.residentGrowthBytes(), name + " used too much memory: " + used);
    return used;
  }

  private static boolean resetPeakResident() {
    try {
      // "5" resets the peak resident set size (VmHWM) of this process (Linux 4.0 and later).
      Files.writeString(CLEAR_REFS, "5", StandardCharsets.US_ASCII);
      return statusKib("VmHWM:") >= 0;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  private static long statusKib(String field) {
    try {
      for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
