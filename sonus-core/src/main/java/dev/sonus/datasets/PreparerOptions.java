package dev.sonus.datasets;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The option values of one {@link DatasetPreparer} run: what was given, the defaults for the rest,
 * and typed readers whose errors name the corpus, the option and the value.
 */
public final class PreparerOptions {
  private final String corpus;
  private final Map<String, String> values;

  private PreparerOptions(String corpus, Map<String, String> values) {
    this.corpus = corpus;
    this.values = values;
  }

  /**
   * Fills in the defaults of {@code preparer}'s options and rejects keys it does not take.
   *
   * @param given option values by key; dashes in keys are read as underscores ({@code
   *     valid-speakers})
   * @throws IllegalArgumentException naming an unknown key, the keys that are known and the closest
   *     one
   */
  public static PreparerOptions resolve(DatasetPreparer preparer, Map<String, String> given) {
    Map<String, String> values = new LinkedHashMap<>();
    for (PreparerOption o : preparer.options()) {
      values.put(o.key(), o.defaultValue());
    }
    for (Map.Entry<String, String> e : given.entrySet()) {
      String key = e.getKey().trim().replace('-', '_');
      if (!values.containsKey(key)) {
        throw new IllegalArgumentException(
            String.format(
                "%s takes no option '%s'%s; its options are %s",
                preparer.name(),
                e.getKey(),
                Suggestions.didYouMean(key, values.keySet()),
                values.isEmpty() ? "none" : String.join(", ", values.keySet())));
      }
      if (e.getValue() == null) {
        throw new IllegalArgumentException(
            preparer.name() + " option '" + key + "' has no value; write " + key + "=VALUE");
      }
      values.put(key, e.getValue().trim());
    }
    return new PreparerOptions(preparer.name(), values);
  }

  /** Every option with its value (given or default), in the preparer's order. */
  public Map<String, String> values() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** The value of {@code key} as text. */
  public String string(String key) {
    String v = values.get(key);
    if (v == null) {
      throw new IllegalStateException(
          corpus
              + " reads option '"
              + key
              + "' but does not declare it; known: "
              + values.keySet());
    }
    return v;
  }

  /** The value of {@code key} as a comma-separated list, blanks dropped. */
  public List<String> list(String key) {
    List<String> out = new ArrayList<>();
    for (String part : string(key).split(",")) {
      if (!part.isBlank()) {
        out.add(part.trim());
      }
    }
    return out;
  }

  /**
   * The value of {@code key} as an integer of at least {@code min}.
   *
   * @throws IllegalArgumentException naming the option and its value when it is not such an integer
   */
  public int integer(String key, int min) {
    String v = string(key);
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          String.format("%s option %s is '%s'; expected a whole number >= %d", corpus, key, v, min),
          e);
    }
    if (n < min) {
      throw new IllegalArgumentException(
          String.format("%s option %s is %d; it must be %d or more", corpus, key, n, min));
    }
    return n;
  }

  /** The value of {@code key} as a seed: any whole number. */
  public long seed(String key) {
    String v = string(key);
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          String.format("%s option %s is '%s'; expected a whole number", corpus, key, v), e);
    }
  }

  /**
   * How many of {@code total} groups (speakers, sentences) the option {@code key} asks for: a whole
   * number is a count ({@code 7}); a decimal ({@code 0.1}) or a percentage ({@code 10%}) is a
   * fraction of {@code total}, rounded to the nearest count but at least 1 when it is above 0.
   *
   * @param what the groups' name for messages, plural ({@code "training speakers"})
   * @throws IllegalArgumentException naming the option and value when it is neither, is negative,
   *     is a fraction of 1 or more, or asks for more than {@code total}
   */
  public int count(String key, int total, String what) {
    String v = string(key);
    int n;
    if (v.matches("[0-9]+")) {
      n = Integer.parseInt(v);
    } else {
      double fraction;
      try {
        fraction =
            v.endsWith("%")
                ? Double.parseDouble(v.substring(0, v.length() - 1).trim()) / 100.0
                : Double.parseDouble(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            String.format(
                "%s option %s is '%s'; expected a count (7), a fraction "
                    + "(0.1) or a percentage (10%%)",
                corpus, key, v),
            e);
      }
      if (!(fraction >= 0 && fraction < 1)) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "%s option %s is %s: a fraction must be in "
                    + "[0, 1); write a whole number for a count",
                corpus,
                key,
                v));
      }
      n = fraction == 0 ? 0 : (int) Math.max(1, Math.round(fraction * total));
    }
    if (n > total) {
      throw new IllegalArgumentException(
          String.format(
              "%s option %s=%s asks for %d %s but there are only %d",
              corpus, key, v, n, what, total));
    }
    return n;
  }

  @Override
  public String toString() {
    return corpus + " " + values;
  }
}
