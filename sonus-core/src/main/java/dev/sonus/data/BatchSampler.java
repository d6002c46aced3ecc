package dev.sonus.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Decides which items form each batch of an epoch, and in what order. Pure: the same epoch always
 * gives the same batches, so a run can resume mid-epoch by skipping the batches it already did.
 */
@FunctionalInterface
public interface BatchSampler {

  /** The batches of a 1-based epoch, each an array of dataset indices. */
  List<int[]> batches(int epoch);

  /** Item order within an epoch. */
  enum Order {
    /** Manifest order. */
    NONE,
    /** Shuffled with a generator seeded by (seed, epoch). */
    RANDOM,
    /** Shortest first. */
    ASCENDING,
    /** Longest first. */
    DESCENDING
  }

  /**
   * Fixed-size batches.
   *
   * @param lengths per-item lengths (e.g. durations), used by ASCENDING/DESCENDING; may be null for
   *     NONE/RANDOM
   * @param dropLast drop a last batch smaller than {@code batchSize}
   */
  static BatchSampler fixed(
      int items, int batchSize, Order order, double[] lengths, long seed, boolean dropLast) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch_size is " + batchSize + "; it must be at least 1");
    }
    if ((order == Order.ASCENDING || order == Order.DESCENDING)
        && (lengths == null || lengths.length != items)) {
      throw new IllegalArgumentException(
          "sorting "
              + order.name().toLowerCase(java.util.Locale.ROOT)
              + " needs one length per item ("
              + items
              + "), got "
              + (lengths == null ? "none" : lengths.length));
    }
    return epoch -> {
      int[] idx = ordered(items, order, lengths, seed, epoch);
      List<int[]> out = new ArrayList<>();
      for (int start = 0; start < items; start += batchSize) {
        int end = Math.min(items, start + batchSize);
        if (dropLast && end - start < batchSize) {
          break;
        }
        out.add(Arrays.copyOfRange(idx, start, end));
      }
      return out;
    };
  }

  /**
   * Dynamic batching by total padded length, as SpeechBrain's {@code DynamicBatchSampler}: items
   * are grouped into {@code buckets} by length (quantile boundaries), and each batch takes items of
   * one bucket while {@code batchSize × longest item ≤ maxBatchLength}, so short utterances make
   * large batches and long ones small batches. With {@code shuffle}, items within buckets and the
   * batch order are shuffled by (seed, epoch).
   *
   * @param lengths per-item lengths (seconds or frames)
   * @param maxBatchLength budget of padded length per batch, same unit as {@code lengths}
   */
  static BatchSampler dynamic(
      double[] lengths, double maxBatchLength, int buckets, boolean shuffle, long seed) {
    if (!(maxBatchLength > 0)) {
      throw new IllegalArgumentException(
          "max_batch_length is " + maxBatchLength + "; it must be positive");
    }
    if (buckets < 1) {
      throw new IllegalArgumentException("num_buckets is " + buckets + "; it must be at least 1");
    }
    for (int i = 0; i < lengths.length; i++) {
      if (lengths[i] > maxBatchLength) {
        throw new IllegalArgumentException(
            String.format(
                "item %d has length %.3f, more than max_batch_length "
                    + "%.3f: it fits in no batch; raise max_batch_length or filter long items",
                i, lengths[i], maxBatchLength));
      }
    }
    double[] sorted = lengths.clone();
    Arrays.sort(sorted);
    double[] bounds = new double[buckets];
    for (int b = 0; b < buckets; b++) {
      bounds[b] =
          sorted.length == 0
              ? 0
              : sorted[
                  Math.min(
                      sorted.length - 1,
                      (int) Math.ceil((b + 1) * (double) sorted.length / buckets) - 1)];
    }
    return epoch -> {
      List<List<Integer>> byBucket = new ArrayList<>();
      for (int b = 0; b < buckets; b++) {
        byBucket.add(new ArrayList<>());
      }
      int[] order =
          ordered(lengths.length, shuffle ? Order.RANDOM : Order.ASCENDING, lengths, seed, epoch);
      for (int i : order) {
        int b = 0;
        while (b < buckets - 1 && lengths[i] > bounds[b]) {
          b++;
        }
        byBucket.get(b).add(i);
      }
      List<int[]> out = new ArrayList<>();
      for (List<Integer> bucket : byBucket) {
        List<Integer> current = new ArrayList<>();
        double longest = 0;
        for (int i : bucket) {
          double l = Math.max(longest, lengths[i]);
          if (!current.isEmpty() && l * (current.size() + 1) > maxBatchLength) {
            out.add(current.stream().mapToInt(Integer::intValue).toArray());
            current = new ArrayList<>();
            l = lengths[i];
          }
          current.add(i);
          longest = l;
        }
        if (!current.isEmpty()) {
          out.add(current.stream().mapToInt(Integer::intValue).toArray());
        }
      }
      if (shuffle) {
        shuffle(out, new SplittableRandom(epochSeed(seed, epoch) ^ 0x5DEECE66DL));
      }
      return out;
    };
  }

  /**
   * This process's share of another sampler's batches for distributed training: batch {@code i}
   * goes to rank {@code i % worldSize}. Every rank gets the same number of batches (the list wraps
   * around), so all ranks step together.
   */
  static BatchSampler sharded(BatchSampler inner, int rank, int worldSize) {
    if (worldSize < 1 || rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException(
          "rank "
              + rank
              + " of world size "
              + worldSize
              + " is invalid; need 0 <= rank < world_size");
    }
    return epoch -> {
      List<int[]> all = inner.batches(epoch);
      if (all.isEmpty()) {
        return all;
      }
      int per = (all.size() + worldSize - 1) / worldSize;
      List<int[]> mine = new ArrayList<>(per);
      for (int k = 0; k < per; k++) {
        mine.add(all.get((k * worldSize + rank) % all.size()));
      }
      return mine;
    };
  }

  private static int[] ordered(int items, Order order, double[] lengths, long seed, int epoch) {
    Integer[] idx = new Integer[items];
    for (int i = 0; i < items; i++) {
      idx[i] = i;
    }
    switch (order) {
      case RANDOM -> {
        SplittableRandom rng = new SplittableRandom(epochSeed(seed, epoch));
        for (int i = items - 1; i > 0; i--) {
          int j = rng.nextInt(i + 1);
          Integer t = idx[i];
          idx[i] = idx[j];
          idx[j] = t;
        }
      }
      case ASCENDING -> Arrays.sort(idx, Comparator.comparingDouble(i -> lengths[i]));
      case DESCENDING ->
          Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> lengths[i]).reversed());
      default -> {
        // manifest order
      }
    }
    return Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
  }

  private static <T> void shuffle(List<T> list, SplittableRandom rng) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }

  private static long epochSeed(long seed, int epoch) {
    return ItemContext.mix(ItemContext.mix(seed) ^ epoch);
  }
}
