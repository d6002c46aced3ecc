package dev.sonus.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JSON object read from a file, with typed accessors whose errors name the file, the key, the
 * value found and what was expected: the one way Sonus reads its JSON files ({@code meta.json},
 * {@code env.json}, {@code verification.json}, ...).
 *
 * <pre>{@code
 * double threshold = JsonFile.read(folder.resolve("verification.json")).number("threshold");
 * }</pre>
 */
public final class JsonFile {
  private final String source;
  private final Map<String, Object> map;

  private JsonFile(String source, Map<String, Object> map) {
    this.source = source;
    this.map = map;
  }

  /** The largest file {@link #read(Path)} reads: 256 MiB. */
  public static final long DEFAULT_MAX_FILE_BYTES = 256L << 20;

  /**
   * Reads and parses {@code file}, which must hold a JSON object of at most {@value
   * #DEFAULT_MAX_FILE_BYTES} bytes, nested and sized within {@link Json.Limits#defaults()}.
   *
   * @throws UncheckedIOException naming the file when it cannot be read
   * @throws IllegalArgumentException naming the file when it is not valid JSON, not an object, or
   *     too large
   */
  public static JsonFile read(Path file) {
    return read(file, DEFAULT_MAX_FILE_BYTES);
  }

  /**
   * Like {@link #read(Path)}, for a file of at most {@code maxFileBytes} bytes.
   *
   * @throws IllegalArgumentException naming the file, its size and the limit when it is larger
   */
  public static JsonFile read(Path file, long maxFileBytes) {
    String text;
    try {
      long size = Files.size(file);
      if (size > maxFileBytes) {
        throw new IllegalArgumentException(
            file
                + ": "
                + ReadLimits.bytes(size)
                + ", larger than the "
                + ReadLimits.bytes(maxFileBytes)
                + " a JSON document may take here; it is not one of Sonus's records (or is"
                + " damaged); to read it anyway, call JsonFile.read(path, "
                + size
                + ")");
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    Object parsed;
    try {
      parsed = Json.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
    return of(parsed, file.toString());
  }

  /**
   * A view of an already parsed value, which must be an object; {@code source} names it in errors.
   */
  @SuppressWarnings("unchecked")
  public static JsonFile of(Object parsed, String source) {
    if (!(parsed instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(
          source + " is not a JSON object (it is " + describe(parsed) + ")");
    }
    return new JsonFile(source, Collections.unmodifiableMap((Map<String, Object>) m));
  }

  /** The whole object, unmodifiable. */
  public Map<String, Object> map() {
    return map;
  }

  /** Whether the object has {@code key}. */
  public boolean has(String key) {
    return map.containsKey(key);
  }

  /** The raw value at {@code key}, or null. */
  public Object get(String key) {
    return map.get(key);
  }

  /**
   * The number at {@code key}; an error naming the file and key when it is absent or not a number.
   */
  public double number(String key) {
    if (!(require(key) instanceof Number n)) {
      throw wrong(key, "a number");
    }
    return n.doubleValue();
  }

  /**
   * The integer at {@code key}; an error naming the file and key when it is absent or not an
   * integer.
   */
  public long integer(String key) {
    Object v = require(key);
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw wrong(key, "an integer");
    }
    return n.longValue();
  }

  /**
   * The string at {@code key}; an error naming the file and key when it is absent or not a string.
   */
  public String string(String key) {
    if (!(require(key) instanceof String s)) {
      throw wrong(key, "a string");
    }
    return s;
  }

  /**
   * The object at {@code key}, or an empty one when it is absent; an error when it is something
   * else.
   */
  public JsonFile objectOrEmpty(String key) {
    Object v = map.get(key);
    if (v == null) {
      return new JsonFile(source + " (" + key + ")", Map.of());
    }
    if (!(v instanceof Map<?, ?>)) {
      throw wrong(key, "an object");
    }
    return of(v, source + " (" + key + ")");
  }

  /** A modifiable copy of the object. */
  public Map<String, Object> copy() {
    return new LinkedHashMap<>(map);
  }

  /** The file (or other source) this object came from. */
  public String source() {
    return source;
  }

  private Object require(String key) {
    if (!map.containsKey(key)) {
      throw new IllegalArgumentException(
          source + " has no '" + key + "' (it has " + map.keySet() + ")");
    }
    return map.get(key);
  }

  private IllegalArgumentException wrong(String key, String expected) {
    return new IllegalArgumentException(
        source + ": '" + key + "' is " + describe(map.get(key)) + "; expected " + expected);
  }

  private static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    String text = v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
    return text.length() > 60 ? text.substring(0, 57) + "..." : text;
  }

  @Override
  public String toString() {
    return "JsonFile(" + source + ")";
  }
}
