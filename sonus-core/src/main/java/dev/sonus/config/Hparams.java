package dev.sonus.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A loaded recipe: every key's value built (numbers, strings, lists, maps, objects, factories),
 * plus the resolved YAML that reproduces it.
 *
 * <p>Keys are dotted ({@code model.n_mels}; list items by index, {@code channels.0}). Top-level
 * keys starting with {@code __} were built (for their side effects, as in HyperPyYAML) but are not
 * kept. Lists and maps are unmodifiable. The typed getters convert as constructor arguments are
 * converted, and their errors name the key, the value and the recipe line.
 */
public final class Hparams {
  private final String source;
  private final Map<String, Object> values;
  private final Map<String, Location> locations;
  private final String resolvedYaml;

  Hparams(
      String source,
      Map<String, Object> values,
      Map<String, Location> locations,
      String resolvedYaml) {
    this.source = source;
    Map<String, Object> kept = new LinkedHashMap<>();
    values.forEach(
        (k, v) -> {
          if (!k.startsWith("__")) {
            kept.put(k, v);
          }
        });
    this.values = Collections.unmodifiableMap(kept);
    this.locations = Map.copyOf(locations);
    this.resolvedYaml = resolvedYaml;
  }

  /**
   * The value at a dotted key.
   *
   * @throws ConfigException when there is no such key, with close keys suggested
   */
  public Object get(String dottedKey) {
    List<String> parts = Names.path(dottedKey);
    if (parts == null) {
      throw new ConfigException(
          Location.of(null, source), dottedKey, "not a key path; write key or section.key");
    }
    Object current = values;
    String at = "";
    for (String part : parts) {
      String next = Names.join(at, part);
      if (current instanceof Map<?, ?> map) {
        if (!map.containsKey(part)) {
          Set<String> keys = new LinkedHashSet<>();
          map.keySet().forEach(k -> keys.add(String.valueOf(k)));
          throw new ConfigException(
              where(at),
              dottedKey,
              "no key '" + next + "' in the recipe" + Names.suggest(part, keys));
        }
        current = map.get(part);
      } else if (current instanceof List<?> list) {
        int index = parseIndex(part);
        if (index < 0 || index >= list.size()) {
          throw new ConfigException(
              where(at),
              dottedKey,
              "'"
                  + at
                  + "' is a list of "
                  + list.size()
                  + " items; '"
                  + part
                  + "' is not an index in it");
        }
        current = list.get(index);
      } else {
        throw new ConfigException(
            where(at),
            dottedKey,
            "'"
                + at
                + "' holds "
                + Coercion.describe(current)
                + ", which has no key '"
                + part
                + "'");
      }
      at = next;
    }
    return current;
  }

  /** True when {@link #get} would find the key. */
  public boolean contains(String dottedKey) {
    try {
      get(dottedKey);
      return true;
    } catch (ConfigException e) {
      return false;
    }
  }

  /**
   * The value at a key converted to {@code type} (a whole float becomes an int, a string a {@code
   * Path} or an enum, a list an array, and so on).
   *
   * @throws ConfigException naming the key, the value and the line when it cannot be converted
   *     without loss
   */
  public <T> T get(String dottedKey, Class<T> type) {
    Object value = get(dottedKey);
    @SuppressWarnings("unchecked")
    T typed = (T) Coercion.coerce(value, type, null, dottedKey, where(dottedKey));
    return typed;
  }

  /** The value at a key as an {@code int}; a float is accepted only when whole. */
  public int getInt(String dottedKey) {
    return get(dottedKey, Integer.class);
  }

  /** The value at a key as a {@code long}. */
  public long getLong(String dottedKey) {
    return get(dottedKey, Long.class);
  }

  /** The value at a key as a {@code double} (ints are widened). */
  public double getDouble(String dottedKey) {
    return get(dottedKey, Double.class);
  }

  /** The value at a key as a {@code boolean}; only {@code true} and {@code false} are booleans. */
  public boolean getBoolean(String dottedKey) {
    return get(dottedKey, Boolean.class);
  }

  /** The value at a key as a string (numbers are written as Python would). */
  public String getString(String dottedKey) {
    return get(dottedKey, String.class);
  }

  /** The value at a key as a {@code Path}. */
  public Path getPath(String dottedKey) {
    return get(dottedKey, Path.class);
  }

  /** Top-level keys, in file order (without {@code __} keys). */
  public Set<String> keys() {
    return values.keySet();
  }

  /** Top-level keys and their values, in file order; unmodifiable. */
  public Map<String, Object> asMap() {
    return values;
  }

  /**
   * The recipe after overrides, includes and references: {@code !new:}, {@code !name:}, {@code
   * !apply:} kept, {@code !ref} and {@code !copy} replaced by their values, shared objects as YAML
   * anchors. Loading it gives an equal configuration; a run directory stores it to replay the run.
   */
  public String resolvedYaml() {
    return resolvedYaml;
  }

  /** The recipe file (or source name) this was loaded from. */
  public String source() {
    return source;
  }

  private Location where(String key) {
    Location at = locations.get(key);
    return at != null ? at : Location.of(null, source);
  }

  private static int parseIndex(String part) {
    try {
      return Integer.parseInt(part);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public String toString() {
    return "Hparams(" + source + ", keys=" + values.keySet() + ")";
  }
}
