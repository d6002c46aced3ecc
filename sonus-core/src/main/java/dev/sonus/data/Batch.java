package dev.sonus.data;

import dev.sonus.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * A collated batch of items, as SpeechBrain's {@code PaddedBatch}: sequences become {@link
 * PaddedData} (padded tensor plus relative lengths), everything else a list with one entry per
 * item.
 *
 * <p>Collation rules per key: {@code float[]} → {@code [B, T]} float32; {@code float[][]} (frames ×
 * features) → {@code [B, T, F]}; {@code int[]}/{@code long[]} → {@code [B, L]} int64; a {@link
 * Tensor} → stacked along a new first axis, padded on its own first axis; anything else (strings,
 * numbers) → {@code List}. The batch owns its tensors: close it when done.
 */
public final class Batch implements AutoCloseable {
  private final List<String> ids;
  private final Map<String, Object> values;
  private long seed;
  private int epoch;

  private Batch(List<String> ids, Map<String, Object> values) {
    this.ids = ids;
    this.values = values;
  }

  /**
   * Collates items (each a map of key → value, with an {@code id}).
   *
   * @throws IllegalArgumentException naming the key and items when values of one key have different
   *     kinds or trailing shapes
   */
  public static Batch collate(List<Map<String, Object>> items) {
    if (items.isEmpty()) {
      throw new IllegalArgumentException("cannot collate an empty list of items");
    }
    List<String> ids = new ArrayList<>(items.size());
    for (Map<String, Object> item : items) {
      ids.add(String.valueOf(item.get("id")));
    }
    Map<String, Object> values = new LinkedHashMap<>();
    // Temporaries (data pointers, shape arrays) are freed here rather than by the garbage
    // collector; the padded
    // tensors are retained and belong to the batch.
    try (PointerScope scope = new PointerScope()) {
      for (String key : items.get(0).keySet()) {
        List<Object> column = new ArrayList<>(items.size());
        for (Map<String, Object> item : items) {
          if (!item.containsKey(key)) {
            throw new IllegalArgumentException(
                "item '" + item.get("id") + "' has no key '" + key + "'");
          }
          column.add(item.get(key));
        }
        Object collated = collateColumn(key, column, ids);
        if (collated instanceof PaddedData p) {
          p.data().retainReference();
          p.relLengths().retainReference();
        }
        values.put(key, collated);
      }
    } catch (RuntimeException e) {
      for (Object v : values.values()) {
        if (v instanceof PaddedData p) {
          p.close();
        }
      }
      throw e;
    }
    return new Batch(List.copyOf(ids), values);
  }

  private static Object collateColumn(String key, List<Object> column, List<String> ids) {
    Object first = column.get(0);
    if (first instanceof float[]) {
      return padFloats(key, column, ids);
    }
    if (first instanceof float[][]) {
      return padFrames(key, column, ids);
    }
    if (first instanceof int[] || first instanceof long[]) {
      return padLongs(key, column, ids);
    }
    if (first instanceof Tensor) {
      return padTensors(key, column, ids);
    }
    return List.copyOf(column);
  }

  private static PaddedData padFloats(String key, List<Object> column, List<String> ids) {
    int max = 0;
    for (int i = 0; i < column.size(); i++) {
      max = Math.max(max, kind(key, column.get(i), float[].class, ids.get(i)).length);
    }
    int b = column.size();
    float[] flat = new float[b * max];
    float[] rel = new float[b];
    for (int i = 0; i < b; i++) {
      float[] x = (float[]) column.get(i);
      System.arraycopy(x, 0, flat, i * max, x.length);
      rel[i] = relative(x.length, max);
    }
    return padded(Tensors.fromFloats(flat, b, max), rel);
  }

  private static PaddedData padFrames(String key, List<Object> column, List<String> ids) {
    int max = 0;
    int dims = -1;
    for (int i = 0; i < column.size(); i++) {
      float[][] x = kind(key, column.get(i), float[][].class, ids.get(i));
      max = Math.max(max, x.length);
      if (x.length > 0) {
        if (dims >= 0 && x[0].length != dims) {
          throw new IllegalArgumentException(
              String.format(
                  "key '%s': item '%s' has %d features per frame, " + "others have %d",
                  key, ids.get(i), x[0].length, dims));
        }
        dims = x[0].length;
      }
    }
    int b = column.size();
    dims = Math.max(dims, 0);
    float[] flat = new float[b * max * dims];
    float[] rel = new float[b];
    for (int i = 0; i < b; i++) {
      float[][] x = (float[][]) column.get(i);
      for (int t = 0; t < x.length; t++) {
        System.arraycopy(x[t], 0, flat, (i * max + t) * dims, dims);
      }
      rel[i] = relative(x.length, max);
    }
    return padded(Tensors.fromFloats(flat, b, max, dims), rel);
  }

  private static PaddedData padLongs(String key, List<Object> column, List<String> ids) {
    int b = column.size();
    long[][] rows = new long[b][];
    int max = 0;
    for (int i = 0; i < b; i++) {
      Object v = column.get(i);
      if (v instanceof int[] a) {
        rows[i] = Arrays.stream(a).asLongStream().toArray();
      } else if (v instanceof long[] a) {
        rows[i] = a;
      } else {
        throw mixed(key, ids.get(i), v, "int[] or long[]");
      }
      max = Math.max(max, rows[i].length);
    }
    long[] flat = new long[b * max];
    float[] rel = new float[b];
    for (int i = 0; i < b; i++) {
      System.arraycopy(rows[i], 0, flat, i * max, rows[i].length);
      rel[i] = relative(rows[i].length, max);
    }
    return padded(Tensors.fromLongs(flat, b, max), rel);
  }

  private static PaddedData padTensors(String key, List<Object> column, List<String> ids) {
    int b = column.size();
    long max = 0;
    for (int i = 0; i < b; i++) {
      Tensor t = kind(key, column.get(i), Tensor.class, ids.get(i));
      max = Math.max(max, t.dim() == 0 ? 1 : t.size(0));
    }
    float[] rel = new float[b];
    Tensor[] parts = new Tensor[b];
    for (int i = 0; i < b; i++) {
      Tensor t = (Tensor) column.get(i);
      long len = t.size(0);
      rel[i] = relative(len, max);
      long[] pad = new long[2 * (int) t.dim()];
      pad[pad.length - 1] =
          max - len; // constant_pad_nd pads the last axis first: the first axis is last here
      parts[i] = len == max ? t : torch.constant_pad_nd(t, pad);
    }
    Tensor data;
    try {
      data = torch.stack(new TensorVector(parts), 0);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "key '"
              + key
              + "': tensors of the batch differ in their trailing "
              + "shapes and cannot be stacked: "
              + e.getMessage(),
          e);
    }
    return new PaddedData(data, Tensors.fromFloats(rel, b));
  }

  private static PaddedData padded(Tensor data, float[] rel) {
    return new PaddedData(data, Tensors.fromFloats(rel, rel.length));
  }

  private static float relative(long length, long max) {
    return max == 0 ? 1f : (float) length / max;
  }

  private static <T> T kind(String key, Object v, Class<T> type, String id) {
    if (!type.isInstance(v)) {
      throw mixed(key, id, v, type.getSimpleName());
    }
    return type.cast(v);
  }

  private static IllegalArgumentException mixed(String key, String id, Object v, String expected) {
    return new IllegalArgumentException(
        String.format(
            "key '%s': item '%s' holds %s but the batch's first item "
                + "holds %s; every item must give the same kind of value",
            key, id, v == null ? "null" : v.getClass().getSimpleName(), expected));
  }

  /** Item IDs in batch order. */
  public List<String> ids() {
    return ids;
  }

  /** Number of items. */
  public int size() {
    return ids.size();
  }

  /**
   * Records the seed and epoch the batch was loaded for (the data loader does), from which {@link
   * #contexts()} derive per-item randomness for batch-level augmentation.
   */
  public void setOrigin(long seed, int epoch) {
    this.seed = seed;
    this.epoch = epoch;
  }

  /** Each item's (seed, epoch, ID), as the data loader loaded it (seed and epoch 0 otherwise). */
  public List<ItemContext> contexts() {
    List<ItemContext> out = new ArrayList<>(ids.size());
    for (String id : ids) {
      out.add(new ItemContext(seed, epoch, id));
    }
    return out;
  }

  /** A padded key. */
  public PaddedData padded(String key) {
    Object v = require(key);
    if (!(v instanceof PaddedData p)) {
      throw new IllegalArgumentException(
          "key '" + key + "' is not a padded sequence in this batch (it is a list)");
    }
    return p;
  }

  /** A non-padded key as a list with one entry per item. */
  @SuppressWarnings("unchecked")
  public List<Object> list(String key) {
    Object v = require(key);
    if (!(v instanceof List<?> l)) {
      throw new IllegalArgumentException(
          "key '" + key + "' is a padded tensor in this batch, not a list");
    }
    return (List<Object>) l;
  }

  /** Keys in the batch. */
  public java.util.Set<String> keys() {
    return values.keySet();
  }

  private Object require(String key) {
    Object v = values.get(key);
    if (v == null) {
      throw new IllegalArgumentException(
          "batch has no key '" + key + "'; keys: " + values.keySet());
    }
    return v;
  }

  @Override
  public void close() {
    for (Object v : values.values()) {
      if (v instanceof PaddedData p) {
        p.close();
      }
    }
  }

  @Override
  public String toString() {
    return "Batch(" + ids.size() + " items, keys " + values.keySet() + ")";
  }
}
