package dev.sonus.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sonus.tensor.Npy;
import dev.sonus.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A fixture folder's {@code manifest.json}, the record of how each reference file was made. Parity
 * tests take every case, file name, shape, constructor argument and expected number from it, so
 * that they pass on any fixture set made the same way (other seeds, sizes or recordings).
 *
 * <p>The folder is found through {@link Shared#fixture}: when it is absent the test skips, or fails
 * under {@code -Dsonus.requireFixtures=true}. A manifest that lacks a key a test needs, or a file
 * it lists that does not match, is always a failure, with the manifest's path and the key in the
 * message.
 */
public final class FixtureManifest {
  private static final Map<Path, FixtureManifest> CACHE = new ConcurrentHashMap<>();
  private static final Pattern CALL_ARG =
      Pattern.compile("(\\w+)\\s*=\\s*(\\[[^\\]]*\\]|'[^']*'|\"[^\"]*\"|[-+\\w.]+)");

  private final String folder;
  private final Path file;
  private final Node root;

  private FixtureManifest(String folder, Path file) {
    this.folder = folder;
    this.file = file;
    try {
      this.root = new Node(folder + "/manifest.json", "", Json.parse(Files.readString(file)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  /**
   * The manifest of {@code <fixture root>/<folder>}, e.g. {@code of("speechbrain")}; skips or fails
   * (see {@link Shared#fixture}) when that folder or its manifest.json is absent. Read once per
   * test JVM.
   */
  public static FixtureManifest of(String folder) {
    Path m = Shared.fixture(folder + "/manifest.json");
    return CACHE.computeIfAbsent(m, p -> new FixtureManifest(folder, p));
  }

  /**
   * The cases of a parameterized test, for its {@code @MethodSource}: {@code cases} applied to the
   * manifest of {@code folder}, which must give at least one. When that manifest is absent (and not
   * required) it gives one placeholder instead, so that the test runs, calls {@link #of} and is
   * reported as skipped with the message: a source that throws would make the test vanish from the
   * report rather than show as skipped.
   */
  public static Stream<String> cases(
      String folder, Function<FixtureManifest, Stream<String>> cases) {
    Path m = Shared.fixturesRoot().resolve(folder).resolve("manifest.json");
    if (!Files.exists(m) && !Shared.required()) {
      return Stream.of("(" + m + " is absent)");
    }
    List<String> list = cases.apply(of(folder)).toList();
    if (list.isEmpty()) {
      fail(m + " gives no case for this test");
    }
    return list.stream();
  }

  /** The fixture folder (the manifest's parent). */
  public Path dir() {
    return file.getParent();
  }

  /** The manifest's top-level object. */
  public Node root() {
    return root;
  }

  /**
   * The value at {@code keys} (object keys from the top), failing with the path of keys when one is
   * missing.
   */
  public Node get(String... keys) {
    Node n = root;
    for (String k : keys) {
      n = n.get(k);
    }
    return n;
  }

  /** The entries of the manifest's {@code files} list; empty when it has none. */
  public List<Node> files() {
    return root.has("files") ? get("files").list() : List.of();
  }

  /** The {@code files} entry whose {@code file} is {@code relative}, if the manifest lists one. */
  public Optional<Node> findFile(String relative) {
    for (Node f : files()) {
      if (f.has("file") && relative.equals(f.get("file").string())) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /** The {@code files} entry for {@code relative}; fails when the manifest does not list it. */
  public Node file(String relative) {
    return findFile(relative)
        .orElseGet(
            () -> {
              fail(
                  folder
                      + "/manifest.json lists no file \""
                      + relative
                      + "\" ("
                      + files().size()
                      + " files listed)");
              return null;
            });
  }

  /**
   * {@code <folder>/<relative>}, a path the manifest names; skips or fails like {@link
   * Shared#fixture} when absent.
   */
  public Path path(String relative) {
    return Shared.fixture(folder + "/" + relative);
  }

  /**
   * Reads the {@code .npy} file {@code relative} and, when the manifest has a {@code files} list
   * (which must then list it), checks its dtype and shape against the entry, so that a test that
   * takes a shape from the manifest compares against the file it describes.
   */
  public Npy.Array npy(String relative) {
    Npy.Array a = Npy.read(path(relative));
    if (!root.has("files")) {
      return a;
    }
    Node entry = file(relative);
    if (entry.has("dtype")) {
      assertEquals(
          entry.get("dtype").string(),
          a.dtype(),
          () -> relative + ": dtype differs from the manifest");
    }
    if (entry.has("shape")) {
      assertArrayEquals(
          entry.get("shape").longs(),
          a.shape(),
          () ->
              relative
                  + ": shape "
                  + Arrays.toString(a.shape())
                  + " differs from the manifest's "
                  + entry.get("shape").raw());
    }
    return a;
  }

  /**
   * The {@code name=value} arguments of a call a manifest description records, e.g. from {@code
   * "ctc_loss(x, y, input_lens=[1.0,0.8], blank_index=0, reduction='mean')"}: {@code input_lens ->
   * "[1.0,0.8]"}, {@code blank_index -> "0"}, {@code reduction -> "mean"} (quotes removed). Values
   * are strings; see {@link #numbers(String)}.
   */
  public static Map<String, String> callArgs(String description) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = CALL_ARG.matcher(description);
    while (m.find()) {
      String v = m.group(2);
      if ((v.startsWith("'") && v.endsWith("'")) || (v.startsWith("\"") && v.endsWith("\""))) {
        v = v.substring(1, v.length() - 1);
      }
      out.putIfAbsent(m.group(1), v);
    }
    return out;
  }

  /** The numbers of a Python list literal such as {@code "[1.0, 0.8]"}. */
  public static double[] numbers(String list) {
    String inner = list.trim();
    if (!inner.startsWith("[") || !inner.endsWith("]")) {
      fail("expected a list such as [1.0, 0.8], got " + list);
    }
    inner = inner.substring(1, inner.length() - 1).trim();
    if (inner.isEmpty()) {
      return new double[0];
    }
    return Arrays.stream(inner.split(",")).mapToDouble(s -> Double.parseDouble(s.trim())).toArray();
  }

  @Override
  public String toString() {
    return file.toString();
  }

  /**
   * One value of the manifest with the keys that lead to it, so that a wrong or missing value is
   * reported there.
   */
  public static final class Node {
    private final String manifest;
    private final String where;
    private final Object value;

    Node(String manifest, String where, Object value) {
      this.manifest = manifest;
      this.where = where;
      this.value = value;
    }

    /** The keys that lead here, e.g. {@code ecapa.constructor_args.channels}. */
    public String where() {
      return where.isEmpty() ? "(top level)" : where;
    }

    /** The parsed JSON value: a map, list, Long, Double, String, Boolean or null. */
    public Object raw() {
      return value;
    }

    private Map<?, ?> map() {
      if (!(value instanceof Map<?, ?> m)) {
        throw wrong("an object");
      }
      return m;
    }

    /** Whether this object has {@code key}. */
    public boolean has(String key) {
      return value instanceof Map<?, ?> m && m.containsKey(key);
    }

    /** The member {@code key} of this object; fails when it is missing. */
    public Node get(String key) {
      Map<?, ?> m = map();
      if (!m.containsKey(key)) {
        fail(
            manifest
                + ": no key \""
                + key
                + "\" at "
                + where()
                + " (keys there: "
                + m.keySet()
                + ")");
      }
      return new Node(manifest, where.isEmpty() ? key : where + "." + key, m.get(key));
    }

    /** The member {@code key}, if present. */
    public Optional<Node> opt(String key) {
      return has(key) ? Optional.of(get(key)) : Optional.empty();
    }

    /** The keys of this object, in the manifest's order. */
    public Set<String> keys() {
      Set<String> out = new java.util.LinkedHashSet<>();
      map().keySet().forEach(k -> out.add(String.valueOf(k)));
      return out;
    }

    /** The elements of this list. */
    public List<Node> list() {
      if (!(value instanceof List<?> l)) {
        throw wrong("a list");
      }
      List<Node> out = new ArrayList<>(l.size());
      for (int i = 0; i < l.size(); i++) {
        out.add(new Node(manifest, where + "[" + i + "]", l.get(i)));
      }
      return out;
    }

    /** Element {@code i} of this list. */
    public Node get(int i) {
      List<Node> l = list();
      if (i < 0 || i >= l.size()) {
        fail(manifest + ": " + where() + " has " + l.size() + " elements, no element " + i);
      }
      return l.get(i);
    }

    /** This string. */
    public String string() {
      if (!(value instanceof String s)) {
        throw wrong("a string");
      }
      return s;
    }

    /** This number. */
    public double doubleValue() {
      if (!(value instanceof Number n)) {
        throw wrong("a number");
      }
      return n.doubleValue();
    }

    /** This integer. */
    public long longValue() {
      if (!(value instanceof Long n)) {
        throw wrong("an integer");
      }
      return n;
    }

    /** This integer, which must fit an int. */
    public int intValue() {
      return Math.toIntExact(longValue());
    }

    /** This boolean. */
    public boolean bool() {
      if (!(value instanceof Boolean b)) {
        throw wrong("true or false");
      }
      return b;
    }

    /** This list of integers. */
    public long[] longs() {
      return list().stream().mapToLong(Node::longValue).toArray();
    }

    /** This list of integers, boxed. */
    public List<Long> longList() {
      return list().stream().map(Node::longValue).toList();
    }

    /** This list of numbers. */
    public double[] doubles() {
      return list().stream().mapToDouble(Node::doubleValue).toArray();
    }

    /** This list of numbers, as float32. */
    public float[] floats() {
      double[] d = doubles();
      float[] out = new float[d.length];
      for (int i = 0; i < d.length; i++) {
        out[i] = (float) d[i];
      }
      return out;
    }

    /** This list of strings. */
    public List<String> strings() {
      return list().stream().map(Node::string).toList();
    }

    private AssertionError wrong(String expected) {
      String shown = String.valueOf(value);
      return new AssertionError(
          manifest
              + ": "
              + where()
              + " should be "
              + expected
              + ", but is "
              + (shown.length() > 80 ? shown.substring(0, 80) + "..." : shown));
    }

    @Override
    public String toString() {
      return manifest + ": " + where();
    }
  }
}
