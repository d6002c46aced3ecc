package dev.sonus.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * A closed table of the classes a foreign hyperparameter file may name, and the Sonus class each
 * stands for: how a SpeechBrain {@code hyperparams.yaml} ({@code
 * !new:speechbrain.lobes.features.Fbank}) is built into Sonus objects with the same binder as
 * recipes. A file loaded with a table can build nothing else: a class without an entry, and every
 * {@code !apply:}, is refused by name with the list of supported classes.
 *
 * <pre>{@code
 * ClassTable table = ClassTable.empty()
 *     .with("speechbrain.lobes.features.Fbank", Fbank.class)
 *     .withConstant("torch.nn.ReLU", Activation.RELU)      // !name:torch.nn.ReLU as an argument value
 *     .ignoring("device");
 * }</pre>
 */
public final class ClassTable {

  /**
   * One supported class.
   *
   * @param type the Sonus class built for it
   * @param arguments rewrites the keyword arguments (by recipe name, values as built) before
   *     binding, for arguments whose name or form differs
   */
  record Entry(Class<?> type, UnaryOperator<Map<String, Object>> arguments) {}

  private final Map<String, Entry> classes;
  private final Map<String, Object> constants;
  private final Set<String> ignored;

  private ClassTable(
      Map<String, Entry> classes, Map<String, Object> constants, Set<String> ignored) {
    this.classes = Collections.unmodifiableMap(classes);
    this.constants = Collections.unmodifiableMap(constants);
    this.ignored = Collections.unmodifiableSet(ignored);
  }

  /** A table with no entries. */
  public static ClassTable empty() {
    return new ClassTable(new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashSet<>());
  }

  /**
   * This table plus {@code !new:name} built as {@code type}, arguments bound by name as in recipes.
   */
  public ClassTable with(String name, Class<?> type) {
    return with(name, type, UnaryOperator.identity());
  }

  /**
   * This table plus {@code !new:name} built as {@code type} after {@code arguments} rewrote its
   * arguments.
   */
  public ClassTable with(String name, Class<?> type, UnaryOperator<Map<String, Object>> arguments) {
    Map<String, Entry> next = new LinkedHashMap<>(classes);
    next.put(name, new Entry(type, arguments));
    return new ClassTable(next, constants, ignored);
  }

  /**
   * This table plus {@code !name:name} (a class or function passed as an argument) standing for
   * {@code value}.
   */
  public ClassTable withConstant(String name, Object value) {
    Map<String, Object> next = new LinkedHashMap<>(constants);
    next.put(name, value);
    return new ClassTable(classes, next, ignored);
  }

  /** This table, dropping the named keyword arguments of every class (e.g. {@code device}). */
  public ClassTable ignoring(String... names) {
    Set<String> next = new LinkedHashSet<>(ignored);
    next.addAll(java.util.List.of(names));
    return new ClassTable(classes, constants, next);
  }

  /** The foreign class names with an entry, sorted. */
  public Set<String> supported() {
    TreeSet<String> out = new TreeSet<>(classes.keySet());
    out.addAll(constants.keySet());
    return out;
  }

  /** The Sonus class {@code name} stands for, or null. */
  public Class<?> sonusClass(String name) {
    Entry e = classes.get(name);
    return e == null ? null : e.type();
  }

  Entry entry(String name) {
    return classes.get(name);
  }

  boolean hasConstant(String name) {
    return constants.containsKey(name);
  }

  Object constant(String name) {
    return constants.get(name);
  }

  boolean ignores(String argument) {
    return ignored.contains(argument);
  }

  /** The error for a class this table does not have. */
  String unsupported(String name) {
    return "class '"
        + name
        + "' has no Sonus counterpart, so this file cannot be loaded; supported: "
        + String.join(", ", new TreeSet<>(classes.keySet()));
  }
}
