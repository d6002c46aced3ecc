package dev.sonus.tensor;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.pytorch.global.torch;

/**
 * Worker threads for work that runs side by side on Java threads (batch splitting, data loading):
 * each worker runs libtorch with one intra-op thread, and OpenBLAS is limited to one thread (see
 * {@link Threads}).
 */
public final class Workers {
  private static final AtomicInteger POOLS = new AtomicInteger();

  private Workers() {}

  /** A fixed pool of daemon threads named {@code prefix-<pool>-<n>}. */
  public static ExecutorService pool(String prefix, int threads) {
    Threads.setBlas(1);
    int id = POOLS.incrementAndGet();
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(
        threads,
        task -> {
          Thread t =
              new Thread(
                  () -> {
                    // Per-thread OpenMP setting: this worker's libtorch ops stay on this one
                    // thread.
                    torch.set_num_threads(1);
                    task.run();
                  },
                  prefix + "-" + id + "-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * Waits for a worker's result; a worker's runtime exception is rethrown as it is, so its message
   * reaches the caller unchanged.
   *
   * @param what who is waiting, for the message of other failures
   */
  public static <T> T await(Future<T> future, String what) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + what, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(what + " failed: " + cause, cause);
    }
  }
}
