package dev.sonus.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A node of a recipe tree: a scalar, a sequence or a mapping, with an optional HyperPyYAML tag and
 * the place it was written.
 *
 * <p>Trees go through three stages: as parsed (tags such as {@code !ref} present), after overrides
 * (still tagged), and resolved (no {@code !ref}, {@code !copy}, {@code !include:} or {@code
 * !PLACEHOLDER} left). Nodes are compared by identity: two keys holding the same node (a {@code
 * !ref} or a YAML alias) build one object.
 */
abstract sealed class Node permits Node.Scalar, Node.Sequence, Node.Mapping {
  static final String NEW = "!new:";
  static final String NAME = "!name:";
  static final String APPLY = "!apply:";
  static final String INCLUDE = "!include:";
  static final String REF = "!ref";
  static final String COPY = "!copy";
  static final String PLACEHOLDER = "!PLACEHOLDER";
  static final String TUPLE = "!tuple";

  /** Tag as written ({@code !new:features.Fbank}, {@code !ref}), or null for a plain node. */
  final String tag;

  final Location location;

  Node(String tag, Location location) {
    this.tag = tag;
    this.location = location;
  }

  /**
   * True for {@code !new:}, {@code !name:} and {@code !apply:}: nodes whose content are call
   * arguments.
   */
  final boolean isCallable() {
    return tag != null && (tag.startsWith(NEW) || tag.startsWith(NAME) || tag.startsWith(APPLY));
  }

  final boolean isInclude() {
    return tag != null && tag.startsWith(INCLUDE);
  }

  final boolean isPlaceholder() {
    return PLACEHOLDER.equals(tag);
  }

  /** True for {@code !ref} and {@code !copy}. */
  final boolean isReference() {
    return REF.equals(tag) || COPY.equals(tag);
  }

  /**
   * The class or method name after a {@code !new:}, {@code !name:}, {@code !apply:} or {@code
   * !include:}.
   */
  final String tagTarget() {
    return tag.substring(tag.indexOf(':') + 1);
  }

  /** Short description for messages: the tag, or the kind of node. */
  abstract String describe();

  /**
   * A scalar: a YAML value ({@code String, Integer, Long, BigInteger, Double, Boolean} or null) or
   * a tag's text.
   */
  static final class Scalar extends Node {
    final Object value;

    Scalar(String tag, Object value, Location location) {
      super(tag, location);
      this.value = value;
    }

    static Scalar plain(Object value, Location location) {
      return new Scalar(null, value, location);
    }

    /** Text of a tagged scalar ({@code <a>/b} for {@code !ref <a>/b}), "" when empty. */
    String text() {
      return value == null ? "" : value.toString();
    }

    /** True for a tagged scalar with no text, such as {@code !new:Foo} with no arguments. */
    boolean isEmpty() {
      return text().isBlank();
    }

    @Override
    String describe() {
      if (tag != null) {
        return isEmpty() ? tag : tag + " " + text();
      }
      return PyFormat.repr(value);
    }
  }

  /** A sequence: a list, a tuple ({@code !tuple}) or positional arguments of a callable tag. */
  static final class Sequence extends Node {
    final List<Node> items;

    Sequence(String tag, List<Node> items, Location location) {
      super(tag, location);
      this.items = new ArrayList<>(items);
    }

    boolean isTuple() {
      return TUPLE.equals(tag);
    }

    @Override
    String describe() {
      return tag != null ? tag + " [...]" : "a list";
    }
  }

  /**
   * A mapping with string keys in file order: a plain mapping, keyword arguments, or include
   * overrides.
   */
  static final class Mapping extends Node {
    final LinkedHashMap<String, Node> entries = new LinkedHashMap<>();
    final LinkedHashMap<String, Location> keyLocations = new LinkedHashMap<>();

    Mapping(String tag, Location location) {
      super(tag, location);
    }

    void put(String key, Node value, Location keyLocation) {
      entries.put(key, value);
      keyLocations.putIfAbsent(key, keyLocation);
    }

    /** Where {@code key} was written, else where its value was, else where this mapping was. */
    Location locationOf(String key) {
      Location at = keyLocations.get(key);
      if (at != null) {
        return at;
      }
      Node value = entries.get(key);
      return value != null ? value.location : location;
    }

    @Override
    String describe() {
      return tag != null ? tag + " {...}" : "a mapping";
    }
  }
}
