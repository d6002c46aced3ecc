package dev.sonus.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the values of a resolved tree in file order: scalars, unmodifiable lists (tuples too) and
 * maps, and the objects of {@code !new:} (constructed), {@code !apply:} (a static method's result)
 * and {@code !name:} (a {@link Factory}). A node reached twice (a {@code !ref} or alias) is built
 * once: both keys hold the same object.
 */
final class Builder {
  private final IdentityHashMap<Node, Object> built = new IdentityHashMap<>();
  private final Map<String, Location> locations = new LinkedHashMap<>();
  private final ClassTable table;
  private final ClassPolicy policy;

  /** A builder of recipes under the default policy: Sonus's classes and the JDK value types. */
  Builder() {
    this(null, ClassPolicy.sonusOnly());
  }

  /**
   * A builder that maps every class through {@code table} (null: no table) and builds only what
   * {@code policy} allows.
   */
  Builder(ClassTable table, ClassPolicy policy) {
    this.table = table;
    this.policy = policy;
  }

  /** Where each dotted key was written, for the typed getters' messages. */
  Map<String, Location> locations() {
    return locations;
  }

  /** Builds the top level; keys keep the file order. */
  @SuppressWarnings("unchecked")
  Map<String, Object> buildRoot(Node.Mapping root) {
    return (Map<String, Object>) build(root, "");
  }

  /**
   * Builds only the named top-level keys (and whatever they reference), in file order; absent names
   * are skipped. Used to rebuild part of a stored recipe (a model) without re-running its other
   * calls (data preparation).
   */
  Map<String, Object> buildKeys(Node.Mapping root, java.util.Collection<String> keys) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Node> e : root.entries.entrySet()) {
      if (keys.contains(e.getKey())) {
        locations.putIfAbsent(e.getKey(), root.locationOf(e.getKey()));
        out.put(e.getKey(), build(e.getValue(), e.getKey()));
      }
    }
    return out;
  }

  private Object build(Node node, String key) {
    if (!key.isEmpty()) {
      locations.putIfAbsent(key, node.location);
    }
    if (built.containsKey(node)) {
      return built.get(node);
    }
    Object value = buildUncached(node, key);
    built.put(node, value);
    return value;
  }

  private Object buildUncached(Node node, String key) {
    if (node.isCallable()) {
      return call(node, key);
    }
    if (node instanceof Node.Scalar s) {
      if (s.tag != null) {
        throw new IllegalStateException(
            "unresolved " + s.tag + " at " + s.location + "; resolve references first");
      }
      return s.value;
    }
    if (node instanceof Node.Sequence seq) {
      List<Object> items = new ArrayList<>();
      for (int i = 0; i < seq.items.size(); i++) {
        items.add(build(seq.items.get(i), Names.join(key, Integer.toString(i))));
      }
      return Collections.unmodifiableList(items);
    }
    Node.Mapping map = (Node.Mapping) node;
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Node> e : map.entries.entrySet()) {
      String sub = Names.join(key, e.getKey());
      locations.putIfAbsent(sub, map.locationOf(e.getKey()));
      out.put(e.getKey(), build(e.getValue(), sub));
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * {@code !new:}, {@code !apply:} or {@code !name:}: binds the arguments and calls (or defers the
   * call).
   */
  private Object call(Node node, String key) {
    ClassTable.Entry entry = null;
    Target target;
    if (table != null) {
      String name = node.tagTarget().trim();
      if (node.tag.startsWith(Node.NAME) && table.hasConstant(name)) {
        return table.constant(name);
      }
      entry = node.tag.startsWith(Node.NEW) ? table.entry(name) : null;
      if (entry == null) {
        throw new ConfigException(node.location, key, table.unsupported(name));
      }
      target = Target.ofClass(entry.type(), node, key, ClassPolicy.everything());
    } else {
      target = Target.of(node, key, policy);
    }
    List<Binder.Arg> positional = new ArrayList<>();
    Map<String, Binder.Arg> keyword = new LinkedHashMap<>();
    if (node instanceof Node.Sequence seq) {
      for (int i = 0; i < seq.items.size(); i++) {
        Node item = seq.items.get(i);
        String sub = Names.join(key, Integer.toString(i));
        positional.add(new Binder.Arg(build(item, sub), item, sub, item.location));
      }
    } else if (node instanceof Node.Mapping map) {
      for (Map.Entry<String, Node> e : map.entries.entrySet()) {
        String sub = Names.join(key, e.getKey());
        locations.putIfAbsent(sub, map.locationOf(e.getKey()));
        keyword.put(
            e.getKey(),
            new Binder.Arg(
                build(e.getValue(), sub), e.getValue(), sub, map.locationOf(e.getKey())));
      }
    } else if (!((Node.Scalar) node).isEmpty()) {
      throw new ConfigException(
          node.location,
          key,
          node.tag
              + " is followed by '"
              + ((Node.Scalar) node).text()
              + "'; give keyword arguments as a mapping ({a: 1}), positional ones as a list ([1, 2]), or nothing");
    }
    if (entry != null) {
      keyword = mapArguments(entry, keyword, node.location);
    }
    if (node.tag.startsWith(Node.NAME)) {
      ConfigException unknown = Binder.unknownKeyword(target, keyword);
      if (unknown != null) {
        throw unknown;
      }
      return new BoundFactory(target, positional, keyword, node.location, key, node.tag);
    }
    return Binder.call(target, positional, keyword, node.location, key);
  }

  /** The keyword arguments after dropping the table's ignored names and the entry's rewrite. */
  private Map<String, Binder.Arg> mapArguments(
      ClassTable.Entry entry, Map<String, Binder.Arg> keyword, Location where) {
    Map<String, Object> values = new LinkedHashMap<>();
    keyword.forEach(
        (name, arg) -> {
          if (!table.ignores(name)) {
            values.put(name, arg.value());
          }
        });
    Map<String, Object> rewritten = entry.arguments().apply(values);
    Map<String, Binder.Arg> out = new LinkedHashMap<>();
    rewritten.forEach(
        (name, value) -> {
          Binder.Arg original = keyword.get(name);
          out.put(
              name,
              original != null && original.value() == value
                  ? original
                  : new Binder.Arg(
                      value, null, name, original != null ? original.location() : where));
        });
    return out;
  }
}
