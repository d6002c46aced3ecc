package dev.sonus.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Runs a per-item tensor function over a batch on several Java threads: the batch is cut into
 * contiguous chunks along its first axis, each chunk is processed on its own worker with libtorch's
 * intra-op threading off (one thread per worker), and the results are concatenated in order.
 * Creating a pool with more than one worker sets OpenBLAS to a single thread for the process (see
 * {@link Threads}).
 *
 * <p>Only for functions whose output for an item does not depend on the other items of the batch
 * (feature extraction, inference of a model in eval mode). The result equals {@code
 * fn.apply(batch)} bit for bit when {@code fn} is computed item by item in the same way. Workers
 * are daemon threads; close the pool when done.
 *
 * <p>{@code fn} follows the project's ownership rule ({@link Scopes}): workers run it with no scope
 * open, so the chunk results are theirs, and the pool closes them after concatenation.
 */
public final class BatchParallel implements AutoCloseable {
  private final int threads;
  private final ExecutorService pool;

  /** Creates a pool of {@code threads} workers (1 runs everything on the calling thread). */
  public BatchParallel(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads is " + threads + "; it must be at least 1");
    }
    this.threads = threads;
    this.pool = threads == 1 ? null : Workers.pool("sonus-batch", threads);
  }

  /** Number of workers. */
  public int threads() {
    return threads;
  }

  /**
   * Applies {@code fn} to chunks of {@code batch} in parallel and concatenates the results along
   * axis 0. The result is in the caller's current scope (the caller's to close when none is open).
   */
  public Tensor map(Tensor batch, UnaryOperator<Tensor> fn) {
    long items = batch.size(0);
    int parts = (int) Math.min(threads, items);
    if (parts <= 1 || pool == null) {
      return fn.apply(batch);
    }
    List<Future<Tensor>> futures = new ArrayList<>(parts);
    long start = 0;
    for (int p = 0; p < parts; p++) {
      long size = items / parts + (p < items % parts ? 1 : 0);
      long from = start;
      futures.add(
          pool.submit(
              () -> {
                try (Tensor chunk = batch.narrow(0, from, size)) {
                  return fn.apply(chunk);
                }
              }));
      start += size;
    }
    List<Tensor> results = new ArrayList<>(parts);
    try {
      for (Future<Tensor> f : futures) {
        results.add(Workers.await(f, "batch workers"));
      }
      return Scopes.freeingTemporaries(
          () -> torch.cat(new TensorVector(results.toArray(new Tensor[0])), 0));
    } finally {
      for (Tensor t : results) {
        t.close();
      }
      for (Future<Tensor> f : futures) {
        if (!f.isDone()) {
          f.cancel(false);
        } else if (!f.isCancelled()) {
          try {
            Tensor t = f.get();
            if (!results.contains(t)) {
              t.close();
            }
          } catch (Exception ignored) {
            // its failure is the one being reported
          }
        }
      }
    }
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return "BatchParallel(threads=" + threads + ")";
  }
}
