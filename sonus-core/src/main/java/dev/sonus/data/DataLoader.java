package dev.sonus.data;

import dev.sonus.tensor.Workers;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;

/**
 * Loads batches on worker threads: each batch of the sampler is computed (items, then collation) by
 * one worker, up to {@code prefetch} batches ahead of the consumer, and handed out in the sampler's
 * order whatever the thread timing. Items get their randomness from (seed, epoch, item ID), so the
 * batches are identical with 1 or N workers.
 *
 * <p>Workers run libtorch with one intra-op thread each. With 0 workers, batches are computed on
 * the consumer's thread. The consumer's waiting time is measured: a loader that keeps up shows a
 * wait near zero.
 */
public final class DataLoader implements AutoCloseable {
  private final DynamicItemDataset dataset;
  private final BatchSampler sampler;
  private final Function<List<Map<String, Object>>, Batch> collate;
  private final int workers;
  private final int prefetch;
  private final long seed;
  private final ExecutorService pool;

  /**
   * Creates a loader.
   *
   * @param workers loader threads (0: load on the calling thread)
   * @param prefetch batches computed ahead of the consumer (at least 1 when workers > 0)
   * @param seed the run's seed, for per-item randomness
   */
  public DataLoader(
      DynamicItemDataset dataset, BatchSampler sampler, int workers, int prefetch, long seed) {
    this(dataset, sampler, Batch::collate, workers, prefetch, seed);
  }

  /** Creates a loader with a custom collation. */
  public DataLoader(
      DynamicItemDataset dataset,
      BatchSampler sampler,
      Function<List<Map<String, Object>>, Batch> collate,
      int workers,
      int prefetch,
      long seed) {
    if (workers < 0) {
      throw new IllegalArgumentException("num_workers is " + workers + "; it must be 0 or more");
    }
    if (prefetch < 1) {
      throw new IllegalArgumentException("prefetch is " + prefetch + "; it must be at least 1");
    }
    this.dataset = dataset;
    this.sampler = sampler;
    this.collate = collate;
    this.workers = workers;
    this.prefetch = prefetch;
    this.seed = seed;
    this.pool = workers > 0 ? Workers.pool("sonus-loader", workers) : null;
  }

  /** Statistics of one pass, filled while iterating. */
  public static final class Stats {
    private long waitNanos;
    private int batches;
    private int items;

    /** Time the consumer spent waiting for batches, seconds. */
    public double waitSeconds() {
      return waitNanos / 1e9;
    }

    /** Batches handed out so far. */
    public int batches() {
      return batches;
    }

    /** Items handed out so far. */
    public int items() {
      return items;
    }
  }

  /** One pass over the sampler's batches of an epoch. */
  public final class Epoch implements Iterable<Batch>, AutoCloseable {
    private final List<int[]> plan;
    private final int epoch;
    private final Stats stats = new Stats();
    private final Deque<CompletableFuture<Batch>> inFlight = new ArrayDeque<>();
    private int submitted;
    private boolean iterated;

    private Epoch(int epoch, int skipBatches) {
      this.epoch = epoch;
      List<int[]> all = sampler.batches(epoch);
      this.plan = new ArrayList<>(all.subList(Math.min(skipBatches, all.size()), all.size()));
      this.submitted = 0;
    }

    /** Statistics so far. */
    public Stats stats() {
      return stats;
    }

    /** Number of batches this pass will hand out. */
    public int size() {
      return plan.size();
    }

    @Override
    public Iterator<Batch> iterator() {
      if (iterated) {
        throw new IllegalStateException(
            "an epoch can be iterated once; call DataLoader.epoch(n) again");
      }
      iterated = true;
      return new Iterator<>() {
        private int next;

        @Override
        public boolean hasNext() {
          return next < plan.size();
        }

        @Override
        public Batch next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          long start = System.nanoTime();
          Batch b;
          if (pool == null) {
            b = load(plan.get(next));
          } else {
            while (submitted < plan.size() && inFlight.size() < prefetch) {
              int[] indices = plan.get(submitted++);
              inFlight.add(CompletableFuture.supplyAsync(() -> load(indices), pool));
            }
            b = await(inFlight.removeFirst());
            if (submitted < plan.size()) {
              int[] indices = plan.get(submitted++);
              inFlight.add(CompletableFuture.supplyAsync(() -> load(indices), pool));
            }
          }
          stats.waitNanos += System.nanoTime() - start;
          stats.batches++;
          stats.items += b.size();
          next++;
          return b;
        }
      };
    }

    private Batch load(int[] indices) {
      Batch b = collate.apply(dataset.getBatch(indices, seed, epoch));
      b.setOrigin(seed, epoch);
      return b;
    }

    /** Cancels prefetched batches not handed out and frees their tensors. */
    @Override
    public void close() {
      for (CompletableFuture<Batch> f : inFlight) {
        try {
          f.get().close();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
          // its failure was not consumed; nothing to free
        }
      }
      inFlight.clear();
    }
  }

  /**
   * Starts a pass over the batches of a 1-based epoch. Close it (try-with-resources) if you stop
   * early.
   */
  public Epoch epoch(int epoch) {
    return new Epoch(epoch, 0);
  }

  /** Starts a pass that skips the first {@code batchesDone} batches (resuming mid-epoch). */
  public Epoch epoch(int epoch, int batchesDone) {
    return new Epoch(epoch, batchesDone);
  }

  private static Batch await(CompletableFuture<Batch> f) {
    return Workers.await(f, "the data loader");
  }

  /** Loader threads. */
  public int workers() {
    return workers;
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return "DataLoader("
        + dataset.size()
        + " items, workers="
        + workers
        + ", prefetch="
        + prefetch
        + ")";
  }
}
