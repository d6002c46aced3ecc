package dev.sonus.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A dataset of manifest rows whose item values are computed on demand by {@link Pipeline} steps, as
 * SpeechBrain's {@code DynamicItemDataset}: asking for {@code sig} runs {@code wav -> sig} for that
 * item only.
 *
 * <p>Immutable: adding steps, choosing output keys, filtering and sorting return new datasets that
 * share the rows. Safe to read from many loader threads at once.
 */
public final class DynamicItemDataset {
  private final List<Manifest.Row> rows;
  private final List<Pipeline> steps;
  private final Map<String, Pipeline> providers;
  private final List<String> outputKeys;
  private final BatchStage batchStage;

  /**
   * A computation over the items of one batch, after each item's keys are computed and before they
   * are collated (e.g. waveform augmentation that may add items); it runs in the loader thread of
   * the batch.
   */
  @FunctionalInterface
  public interface BatchStage {
    /**
     * Transforms a batch's items.
     *
     * @param items the items' output keys, in batch order
     * @param contexts each item's seed, epoch and ID
     * @return the items to collate
     */
    List<Map<String, Object>> apply(List<Map<String, Object>> items, List<ItemContext> contexts);
  }

  private DynamicItemDataset(
      List<Manifest.Row> rows, List<Pipeline> steps, List<String> outputKeys) {
    this(rows, steps, outputKeys, null);
  }

  private DynamicItemDataset(
      List<Manifest.Row> rows,
      List<Pipeline> steps,
      List<String> outputKeys,
      BatchStage batchStage) {
    this.batchStage = batchStage;
    this.rows = rows;
    this.steps = steps;
    this.providers = new HashMap<>();
    for (Pipeline p : steps) {
      for (String k : p.provides()) {
        providers.put(k, p);
      }
    }
    this.outputKeys = outputKeys;
  }

  /**
   * Creates a dataset of a manifest's rows; its static keys are {@code id} and the manifest's
   * columns.
   *
   * @throws IllegalArgumentException if IDs repeat
   */
  public static DynamicItemDataset fromManifest(Manifest manifest) {
    manifest.requireUniqueIds();
    return new DynamicItemDataset(manifest.rows(), List.of(), List.of("id"));
  }

  /** Creates a dataset of rows (for tests and generated data); IDs must be unique. */
  public static DynamicItemDataset fromRows(List<Manifest.Row> rows) {
    return fromManifest(new Manifest(java.nio.file.Path.of("<rows>"), rows));
  }

  /**
   * Adds a step.
   *
   * @throws IllegalArgumentException if a provided key is already provided or is a manifest column
   */
  public DynamicItemDataset addPipeline(Pipeline step) {
    for (String k : step.provides()) {
      if (providers.containsKey(k)) {
        throw new IllegalArgumentException(
            "key '"
                + k
                + "' is already provided by "
                + providers.get(k)
                + "; each key can be provided by one step only");
      }
      if (isStatic(k)) {
        throw new IllegalArgumentException(
            "key '"
                + k
                + "' is a manifest column; a step cannot provide it again "
                + "(give the computed value another name)");
      }
    }
    List<Pipeline> more = new ArrayList<>(steps);
    more.add(step);
    DynamicItemDataset next =
        new DynamicItemDataset(rows, List.copyOf(more), outputKeys, batchStage);
    for (String k : step.provides()) {
      next.checkComputable(k, new ArrayList<>(), true);
    }
    return next;
  }

  /**
   * Chooses the keys that {@link #get} returns.
   *
   * @throws IllegalArgumentException naming a key that is neither a column nor provided by a step
   */
  public DynamicItemDataset withOutputKeys(String... keys) {
    for (String k : keys) {
      checkComputable(k, new ArrayList<>(), false);
    }
    return new DynamicItemDataset(rows, steps, List.of(keys), batchStage);
  }

  /**
   * The same dataset, whose batches pass through {@code stage} before collation ({@link
   * #getBatch}).
   */
  public DynamicItemDataset withBatchStage(BatchStage stage) {
    return new DynamicItemDataset(rows, steps, outputKeys, stage);
  }

  /**
   * Computes the items of a batch ({@link #get(int, long, int)} of each) and passes them through
   * the batch stage, if any.
   */
  public List<Map<String, Object>> getBatch(int[] indices, long seed, int epoch) {
    List<Map<String, Object>> items = new ArrayList<>(indices.length);
    List<ItemContext> contexts = new ArrayList<>(indices.length);
    for (int i : indices) {
      items.add(get(i, seed, epoch));
      contexts.add(new ItemContext(seed, epoch, rows.get(i).id()));
    }
    return batchStage == null ? items : batchStage.apply(items, contexts);
  }

  /** The keys {@link #get} returns. */
  public List<String> outputKeys() {
    return outputKeys;
  }

  /** Number of items. */
  public int size() {
    return rows.size();
  }

  /** The manifest row of an item. */
  public Manifest.Row row(int index) {
    return rows.get(index);
  }

  /** The ID of an item. */
  public String id(int index) {
    return rows.get(index).id();
  }

  /** Computes the output keys of item {@code index} outside training (seed 0, epoch 0). */
  public Map<String, Object> get(int index) {
    return get(index, 0, 0);
  }

  /**
   * Computes the output keys of item {@code index}; steps receive an {@link ItemContext} of ({@code
   * seed}, {@code epoch}, item ID).
   *
   * @throws IllegalStateException naming the item, its manifest line and the step when a step fails
   */
  public Map<String, Object> get(int index, long seed, int epoch) {
    Manifest.Row row = rows.get(index);
    ItemContext ctx = new ItemContext(seed, epoch, row.id());
    Map<String, Object> memo = new HashMap<>();
    Map<String, Object> out = new LinkedHashMap<>();
    for (String k : outputKeys) {
      out.put(k, value(row, k, ctx, memo));
    }
    return out;
  }

  /** Value of one key of an item (static or computed), outside training. */
  public Object value(int index, String key) {
    checkComputable(key, new ArrayList<>(), false);
    Manifest.Row row = rows.get(index);
    return value(row, key, ItemContext.of(row.id()), new HashMap<>());
  }

  private Object value(Manifest.Row row, String key, ItemContext ctx, Map<String, Object> memo) {
    if (key.equals("id")) {
      return row.id();
    }
    if (memo.containsKey(key)) {
      return memo.get(key);
    }
    Pipeline p = providers.get(key);
    if (p == null) {
      Object v = row.fields().get(key);
      if (v == null && !row.fields().containsKey(key)) {
        throw new IllegalStateException(
            String.format("item '%s' (line %d): no column '%s'", row.id(), row.line(), key));
      }
      return v;
    }
    Object[] inputs = new Object[p.takes().size()];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = value(row, p.takes().get(i), ctx, memo);
    }
    Object[] results;
    try {
      results = p.step().apply(inputs, ctx);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          String.format(
              "item '%s' (manifest line %d): step %s failed: %s",
              row.id(), row.line(), p, e.getMessage()),
          e);
    } catch (Exception e) {
      throw new IllegalStateException(
          String.format(
              "item '%s' (manifest line %d): step %s failed: %s", row.id(), row.line(), p, e),
          e);
    }
    if (results == null || results.length != p.provides().size()) {
      throw new IllegalStateException(
          String.format(
              "step %s returned %d values for item '%s'; it must return " + "one per provided key",
              p, results == null ? 0 : results.length, row.id()));
    }
    for (int i = 0; i < results.length; i++) {
      memo.put(p.provides().get(i), results[i]);
    }
    return memo.get(key);
  }

  /**
   * Keeps the items whose {@code key} satisfies {@code keep} (computed keys are computed to
   * decide).
   */
  public DynamicItemDataset filtered(String key, Predicate<Object> keep) {
    List<Manifest.Row> kept = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      if (keep.test(value(i, key))) {
        kept.add(rows.get(i));
      }
    }
    return new DynamicItemDataset(List.copyOf(kept), steps, outputKeys, batchStage);
  }

  /**
   * Sorts items by a numeric or text key (stable: ties keep manifest order).
   *
   * @param descending largest first
   */
  public DynamicItemDataset sorted(String key, boolean descending) {
    Object[] keys = new Object[rows.size()];
    Integer[] order = new Integer[rows.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = value(i, key);
      order[i] = i;
    }
    Comparator<Integer> cmp = (a, b) -> compare(keys[a], keys[b]);
    Arrays.sort(order, descending ? cmp.reversed() : cmp);
    List<Manifest.Row> sorted = new ArrayList<>(rows.size());
    for (int i : order) {
      sorted.add(rows.get(i));
    }
    return new DynamicItemDataset(List.copyOf(sorted), steps, outputKeys, batchStage);
  }

  /** Numeric values of a key for every item (e.g. durations for dynamic batching). */
  public double[] numbers(String key) {
    double[] out = new double[rows.size()];
    for (int i = 0; i < out.length; i++) {
      Object v = value(i, key);
      out[i] = toDouble(v, key, rows.get(i));
    }
    return out;
  }

  private static double toDouble(Object v, String key, Manifest.Row row) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    try {
      return Double.parseDouble(String.valueOf(v).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          String.format(
              "item '%s' (line %d): %s = '%s' is not a number", row.id(), row.line(), key, v),
          e);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compare(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return Double.compare(x.doubleValue(), y.doubleValue());
    }
    if (a instanceof Comparable ca && b != null && a.getClass() == b.getClass()) {
      return ca.compareTo(b);
    }
    try {
      return Double.compare(
          Double.parseDouble(String.valueOf(a)), Double.parseDouble(String.valueOf(b)));
    } catch (NumberFormatException e) {
      return String.valueOf(a).compareTo(String.valueOf(b));
    }
  }

  private boolean isStatic(String key) {
    if (key.equals("id")) {
      return true;
    }
    for (Manifest.Row r : rows) {
      return r.fields().containsKey(key);
    }
    return false;
  }

  private void checkComputable(String key, List<String> chain, boolean allowMissingInputs) {
    if (chain.contains(key)) {
      chain.add(key);
      throw new IllegalArgumentException(
          "pipeline steps form a cycle: " + String.join(" -> ", chain));
    }
    if (isStatic(key)) {
      return;
    }
    Pipeline p = providers.get(key);
    if (p == null) {
      Set<String> known = new HashSet<>(providers.keySet());
      known.add("id");
      if (!rows.isEmpty()) {
        known.addAll(rows.get(0).fields().keySet());
      }
      throw new IllegalArgumentException(
          "key '"
              + key
              + "' is neither a manifest column nor provided by a "
              + "pipeline step; known keys: "
              + new java.util.TreeSet<>(known));
    }
    chain.add(key);
    for (String t : p.takes()) {
      if (!allowMissingInputs || isStatic(t) || providers.containsKey(t)) {
        checkComputable(t, chain, allowMissingInputs);
      }
    }
    chain.remove(chain.size() - 1);
  }

  @Override
  public String toString() {
    return "DynamicItemDataset("
        + rows.size()
        + " items, steps "
        + steps
        + ", outputs "
        + outputKeys
        + ")";
  }
}
