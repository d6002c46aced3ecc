package dev.sonus.train.schedule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reading and writing the state maps of {@link MetricSchedule}s, with messages naming the key and
 * the value.
 */
final class States {
  /** Version of the state maps written now. */
  static final int FORMAT = 1;

  private States() {}

  /** A new state map with {@code format} and {@code type} set. */
  static Map<String, Object> header(Class<?> type) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("format", (long) FORMAT);
    out.put("type", type.getSimpleName());
    return out;
  }

  /** Checks {@code format} and {@code type}. */
  static void checkHeader(Map<String, Object> state, Class<?> type) {
    if (state == null) {
      throw new IllegalArgumentException("the " + type.getSimpleName() + " state is null");
    }
    Object t = state.get("type");
    if (!type.getSimpleName().equals(t)) {
      throw new IllegalArgumentException(
          "the state is of type '"
              + t
              + "', not "
              + type.getSimpleName()
              + "; the checkpoint was saved with another learning-rate schedule in the recipe");
    }
    long format = integer(state, "format", type);
    if (format > FORMAT || format < 1) {
      throw new IllegalArgumentException(
          type.getSimpleName()
              + " state format "
              + format
              + (format > FORMAT
                  ? " is newer than supported (max " + FORMAT + "); upgrade the toolkit"
                  : " is not a valid format (expected 1.." + FORMAT + ")"));
    }
  }

  /** The value at {@code key}, which must be present. */
  private static Object get(Map<String, Object> state, String key, Class<?> type) {
    if (!state.containsKey(key)) {
      throw new IllegalArgumentException(
          type.getSimpleName()
              + " state has no '"
              + key
              + "' (keys: "
              + state.keySet()
              + "); it was not made by "
              + type.getSimpleName()
              + ".state()");
    }
    return state.get(key);
  }

  /** A finite number at {@code key}. */
  static double number(Map<String, Object> state, String key, Class<?> type) {
    Object v = get(state, key, type);
    if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
      return n.doubleValue();
    }
    throw wrong(type, key, v, "a finite number");
  }

  /** A finite number or null at {@code key}. */
  static Double numberOrNull(Map<String, Object> state, String key, Class<?> type) {
    Object v = get(state, key, type);
    return v == null ? null : number(state, key, type);
  }

  /** A whole number at {@code key} ({@code 3.0} is accepted, {@code 3.5} is not). */
  static long integer(Map<String, Object> state, String key, Class<?> type) {
    Object v = get(state, key, type);
    if (v instanceof Number n
        && n.doubleValue() == Math.rint(n.doubleValue())
        && Math.abs(n.doubleValue()) < 1e15) {
      return n.longValue();
    }
    throw wrong(type, key, v, "a whole number");
  }

  /** A list of finite numbers at {@code key}. */
  static List<Double> numbers(Map<String, Object> state, String key, Class<?> type) {
    Object v = get(state, key, type);
    if (v instanceof List<?> list) {
      List<Double> out = new ArrayList<>(list.size());
      for (Object o : list) {
        if (!(o instanceof Number n) || !Double.isFinite(n.doubleValue())) {
          throw wrong(type, key, v, "a list of finite numbers");
        }
        out.add(n.doubleValue());
      }
      return out;
    }
    throw wrong(type, key, v, "a list of finite numbers");
  }

  private static IllegalArgumentException wrong(
      Class<?> type, String key, Object v, String expected) {
    return new IllegalArgumentException(
        type.getSimpleName()
            + " state '"
            + key
            + "' is "
            + v
            + (v == null ? "" : " (" + v.getClass().getSimpleName() + ")")
            + "; expected "
            + expected);
  }

  /** Checks a metric reported at an epoch end and the epoch order; returns the metric. */
  static double checkEpoch(Class<?> type, int epoch, int lastEpoch, double metric) {
    if (epoch < 1) {
      throw new IllegalArgumentException(
          "epoch is " + epoch + "; epochs count from 1, as EpochCounter does");
    }
    if (epoch <= lastEpoch) {
      throw new IllegalStateException(
          type.getSimpleName()
              + ".onEpochEnd(epoch "
              + epoch
              + ") after epoch "
              + lastEpoch
              + " was already reported; report each epoch once, in order (a resumed run restores the "
              + "state saved after its last epoch)");
    }
    if (!Double.isFinite(metric)) {
      throw new IllegalArgumentException(
          "the validation metric of epoch "
              + epoch
              + " is "
              + metric
              + "; "
              + type.getSimpleName()
              + " needs a finite metric (check the validation loss for divergence)");
    }
    return metric;
  }
}
