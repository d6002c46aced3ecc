package dev.sonus.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DatasetAndLoaderTest {

  /** Items u0..u{n-1} with a length column and a "text" column. */
  static List<Manifest.Row> rows(int n) {
    List<Manifest.Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("length", (double) (3 + (i * 7) % 11));
      f.put("text", "item " + i);
      rows.add(new Manifest.Row("u" + i, f, i + 2));
    }
    return rows;
  }

  /** A dataset whose signal is random noise of the item's length, drawn from the item's context. */
  static DynamicItemDataset noisy(int n) {
    return DynamicItemDataset.fromRows(rows(n))
        .addPipeline(
            Pipeline.withContext(
                "length",
                "sig",
                (len, ctx) -> {
                  var rng = ctx.random("noise");
                  float[] x = new float[(int) (double) (Double) len];
                  for (int i = 0; i < x.length; i++) {
                    x[i] = (float) rng.nextDouble();
                  }
                  // Unequal work per item so that threads finish out of order.
                  if (x.length % 3 == 0) {
                    try {
                      Thread.sleep(2);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                  return x;
                }))
        .addPipeline(Pipeline.of("text", "tokens", t -> ((String) t).chars().toArray()))
        .withOutputKeys("id", "sig", "tokens", "text");
  }

  private static List<String> run(DataLoader loader, int epoch) {
    List<String> out = new ArrayList<>();
    try (DataLoader.Epoch e = loader.epoch(epoch)) {
      for (Batch b : e) {
        try (b) {
          out.add(
              b.ids()
                  + " "
                  + Arrays.toString(Tensors.toFloats(b.padded("sig").data()))
                  + Arrays.toString(Tensors.toFloats(b.padded("sig").relLengths())));
        }
      }
    }
    return out;
  }

  @Test
  void batchesAreIdenticalWithOneAndFourThreads() {
    DynamicItemDataset ds = noisy(40);
    BatchSampler sampler =
        BatchSampler.fixed(ds.size(), 6, BatchSampler.Order.RANDOM, null, 11, false);
    List<String> serial;
    List<String> one;
    List<String> four;
    try (DataLoader l0 = new DataLoader(ds, sampler, 0, 1, 11);
        DataLoader l1 = new DataLoader(ds, sampler, 1, 2, 11);
        DataLoader l4 = new DataLoader(ds, sampler, 4, 8, 11)) {
      serial = run(l0, 3);
      one = run(l1, 3);
      four = run(l4, 3);
    }
    assertEquals(7, four.size());
    assertEquals(serial, one);
    assertEquals(one, four);
  }

  @Test
  void perItemRandomnessDependsOnSeedEpochAndItemOnly() {
    DynamicItemDataset ds = noisy(5);
    float[] a = (float[]) ds.get(2, 7, 1).get("sig");
    float[] again = (float[]) ds.get(2, 7, 1).get("sig");
    float[] nextEpoch = (float[]) ds.get(2, 7, 2).get("sig");
    float[] otherSeed = (float[]) ds.get(2, 8, 1).get("sig");
    assertArrayEquals(a, again);
    assertNotEquals(Arrays.toString(a), Arrays.toString(nextEpoch));
    assertNotEquals(Arrays.toString(a), Arrays.toString(otherSeed));
  }

  @Test
  void stepsRunLazilyOnlyForRequestedKeys() {
    AtomicInteger calls = new AtomicInteger();
    DynamicItemDataset ds =
        DynamicItemDataset.fromRows(rows(3))
            .addPipeline(
                Pipeline.of(
                    "text",
                    "upper",
                    t -> {
                      calls.incrementAndGet();
                      return ((String) t).toUpperCase(java.util.Locale.ROOT);
                    }))
            .withOutputKeys("id", "text");
    ds.get(0);
    assertEquals(0, calls.get());
    assertEquals("ITEM 1", ds.withOutputKeys("upper").get(1).get("upper"));
    assertEquals(1, calls.get());
  }

  @Test
  void unknownOutputKeysAndCyclesAreRejectedWithTheKnownKeys() {
    DynamicItemDataset ds = DynamicItemDataset.fromRows(rows(2));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ds.withOutputKeys("sig"));
    assertTrue(
        e.getMessage().contains("'sig'") && e.getMessage().contains("length"), e.getMessage());
    DynamicItemDataset half =
        ds.addPipeline(Pipeline.of("b", "a", x -> x)); // b not provided yet: allowed
    IllegalArgumentException c =
        assertThrows(
            IllegalArgumentException.class, () -> half.addPipeline(Pipeline.of("a", "b", x -> x)));
    assertTrue(
        c.getMessage().contains("cycle") && c.getMessage().contains("b -> a -> b"), c.getMessage());
  }

  @Test
  void aFailingStepNamesTheItemAndLine() {
    DynamicItemDataset ds =
        DynamicItemDataset.fromRows(rows(3))
            .addPipeline(
                Pipeline.of(
                    "text",
                    "bad",
                    t -> {
                      throw new IllegalArgumentException("cannot read " + t);
                    }))
            .withOutputKeys("bad");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ds.get(1));
    assertTrue(
        e.getMessage().contains("'u1'")
            && e.getMessage().contains("line 3")
            && e.getMessage().contains("cannot read item 1"),
        e.getMessage());
  }

  @Test
  void filteringAndSortingUseTheKeyValues() {
    DynamicItemDataset ds = DynamicItemDataset.fromRows(rows(10));
    DynamicItemDataset longOnes = ds.filtered("length", v -> (Double) v >= 8);
    for (int i = 0; i < longOnes.size(); i++) {
      assertTrue((Double) longOnes.value(i, "length") >= 8);
    }
    double[] sorted = ds.sorted("length", true).numbers("length");
    for (int i = 1; i < sorted.length; i++) {
      assertTrue(sorted[i - 1] >= sorted[i]);
    }
  }

  @Test
  void paddedBatchCarriesRelativeLengths() {
    DynamicItemDataset ds = noisy(3);
    List<Map<String, Object>> items = List.of(ds.get(0), ds.get(1), ds.get(2)); // lengths 3, 10, 6
    try (Batch b = Batch.collate(items)) {
      assertArrayEquals(new long[] {3, 10}, Tensors.shape(b.padded("sig").data()));
      assertArrayEquals(
          new float[] {0.3f, 1f, 0.6f}, Tensors.toFloats(b.padded("sig").relLengths()), 1e-6f);
      assertEquals(List.of("item 0", "item 1", "item 2"), b.list("text"));
      assertEquals(6, b.padded("tokens").data().size(1));
      assertEquals(List.of("u0", "u1", "u2"), b.ids());
    }
  }

  @Test
  void sortedSamplersOrderByLength() {
    double[] lengths = {5, 1, 4, 2, 3};
    List<int[]> asc =
        BatchSampler.fixed(5, 2, BatchSampler.Order.ASCENDING, lengths, 0, false).batches(1);
    assertArrayEquals(new int[] {1, 3}, asc.get(0));
    assertArrayEquals(new int[] {0}, asc.get(2));
    List<int[]> desc =
        BatchSampler.fixed(5, 2, BatchSampler.Order.DESCENDING, lengths, 0, true).batches(1);
    assertEquals(2, desc.size());
    assertArrayEquals(new int[] {0, 2}, desc.get(0));
  }

  @Test
  void shuffleChangesWithTheEpochButNotWithinIt() {
    BatchSampler s = BatchSampler.fixed(20, 20, BatchSampler.Order.RANDOM, null, 5, false);
    assertArrayEquals(s.batches(1).get(0), s.batches(1).get(0));
    assertNotEquals(Arrays.toString(s.batches(1).get(0)), Arrays.toString(s.batches(2).get(0)));
  }

  @Test
  void dynamicBatchesRespectTheLengthBudgetAndCoverEveryItemOnce() {
    double[] lengths = new double[100];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = 0.5 + (i * 37 % 100) / 20.0; // 0.5 .. 5.45 s
    }
    List<int[]> batches = BatchSampler.dynamic(lengths, 12.0, 4, true, 3).batches(1);
    Set<Integer> seen = new HashSet<>();
    for (int[] b : batches) {
      double longest = 0;
      for (int i : b) {
        assertTrue(seen.add(i), "item " + i + " appears twice");
        longest = Math.max(longest, lengths[i]);
      }
      assertTrue(
          longest * b.length <= 12.0 + 1e-9,
          "padded length " + longest * b.length + " exceeds 12 s");
    }
    assertEquals(100, seen.size());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BatchSampler.dynamic(new double[] {1, 20}, 12.0, 2, false, 0));
    assertTrue(
        e.getMessage().contains("item 1") && e.getMessage().contains("20.000"), e.getMessage());
  }

  @Test
  void shardsSplitBatchesEvenlyAcrossRanks() {
    BatchSampler all = BatchSampler.fixed(10, 1, BatchSampler.Order.NONE, null, 0, false);
    List<int[]> r0 = BatchSampler.sharded(all, 0, 3).batches(1);
    List<int[]> r2 = BatchSampler.sharded(all, 2, 3).batches(1);
    assertEquals(4, r0.size());
    assertEquals(4, r2.size());
    assertArrayEquals(new int[] {0}, r0.get(0));
    assertArrayEquals(new int[] {3}, r0.get(1));
    assertArrayEquals(new int[] {2}, r2.get(0));
    assertThrows(IllegalArgumentException.class, () -> BatchSampler.sharded(all, 3, 3));
  }

  @Test
  void resumingAnEpochSkipsTheBatchesAlreadyDone() {
    DynamicItemDataset ds = noisy(12);
    BatchSampler sampler =
        BatchSampler.fixed(ds.size(), 4, BatchSampler.Order.RANDOM, null, 1, false);
    try (DataLoader loader = new DataLoader(ds, sampler, 2, 2, 1)) {
      List<String> full = run(loader, 1);
      List<String> rest = new ArrayList<>();
      try (DataLoader.Epoch e = loader.epoch(1, 1)) {
        for (Batch b : e) {
          try (b) {
            rest.add(
                b.ids()
                    + " "
                    + Arrays.toString(Tensors.toFloats(b.padded("sig").data()))
                    + Arrays.toString(Tensors.toFloats(b.padded("sig").relLengths())));
          }
        }
        assertEquals(2, e.stats().batches());
        assertTrue(e.stats().waitSeconds() >= 0);
      }
      assertEquals(full.subList(1, 3), rest);
    }
  }
}
