package dev.sonus.config;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies overrides to a parsed recipe tree, before any reference is resolved or object built (as
 * HyperPyYAML does), so that {@code --n_mels=80} also changes every {@code !ref <n_mels>}.
 *
 * <p>A dotted key walks mappings, the keyword arguments of {@code !new:}/{@code !name:}/{@code
 * !apply:}, list indices and {@code !include:}d files. An override value that is a plain mapping
 * merges into the mapping it overrides, key by key; any other value (a scalar, a list, a tagged
 * node) replaces the node. Keys must exist: a misspelled key is an error with "did you mean". Two
 * exceptions: a new keyword argument of a callable tag when the class or method has such a
 * parameter ({@code --features.f_min=20}), and keys written with a leading {@code +} ({@code
 * --+notes=...}), which may add new keys on purpose.
 */
final class OverrideApplier {
  private final boolean create;
  private final Location where;

  private OverrideApplier(boolean create, Location where) {
    this.create = create;
    this.where = where;
  }

  /**
   * Applies command-line style overrides: dotted key (optionally prefixed with {@code +}) to YAML
   * text.
   *
   * @throws ConfigException naming the override for an unknown key or a value that is not valid
   *     YAML
   */
  static void applyAll(Node.Mapping root, Map<String, String> overrides) {
    for (Map.Entry<String, String> entry : overrides.entrySet()) {
      String raw = entry.getKey().trim();
      String text = entry.getValue() == null ? "" : entry.getValue();
      boolean create = raw.startsWith("+");
      String dotted = create ? raw.substring(1) : raw;
      String shown = text.length() > 60 ? text.substring(0, 57) + "..." : text;
      Location at = Location.of(null, "override --" + raw + "=" + shown);
      List<String> parts = Names.path(dotted);
      if (parts == null) {
        throw new ConfigException(
            at,
            null,
            "'" + raw + "' is not a key path; write --key=value or " + "--section.key=value");
      }
      Node value = YamlReader.readValue(text, at);
      new OverrideApplier(create, at).assign(root, parts, 0, value, "");
    }
  }

  /**
   * Applies the mapping written under an {@code !include:} to the included file's tree; every key
   * must exist in that file.
   */
  static void applyInclude(Node.Mapping tree, Node.Mapping overrides, String prefix) {
    overrides.entries.forEach(
        (k, v) ->
            new OverrideApplier(false, overrides.locationOf(k))
                .assign(tree, List.of(k), 0, v, prefix));
  }

  /**
   * Sets {@code parts[i..]} inside {@code container} (the node at {@code keySoFar}); returns the
   * node to keep.
   */
  private Node assign(Node container, List<String> parts, int i, Node value, String keySoFar) {
    String part = parts.get(i);
    String key = Names.join(keySoFar, part);
    boolean last = i == parts.size() - 1;
    if (container.isInclude()) {
      return assignInclude(container, parts, i, value, keySoFar);
    }
    Node target = container;
    if (container instanceof Node.Scalar s && s.isCallable() && s.isEmpty()) {
      target =
          new Node.Mapping(s.tag, s.location); // "!new:X" without arguments takes keyword overrides
    }
    if (target instanceof Node.Mapping map) {
      Node child = map.entries.get(part);
      if (child == null) {
        checkNewKey(map, part, key);
        child = last ? null : new Node.Mapping(null, where);
      }
      Node updated = last ? merge(child, value, key) : assign(child, parts, i + 1, value, key);
      map.entries.put(part, updated);
      if (updated == value) {
        map.keyLocations.put(part, where); // errors about this value should point at the override
      } else {
        map.keyLocations.putIfAbsent(part, where);
      }
      return map;
    }
    if (target instanceof Node.Sequence seq) {
      int index;
      try {
        index = Integer.parseInt(part);
      } catch (NumberFormatException e) {
        throw new ConfigException(
            where,
            key,
            "'" + keySoFar + "' is a list; use an index such as " + Names.join(keySoFar, "0"));
      }
      if (index < 0 || index >= seq.items.size()) {
        throw new ConfigException(
            where,
            key,
            "index "
                + index
                + " is out of range; '"
                + keySoFar
                + "' has "
                + seq.items.size()
                + " items");
      }
      Node child = seq.items.get(index);
      seq.items.set(
          index, last ? merge(child, value, key) : assign(child, parts, i + 1, value, key));
      return seq;
    }
    throw new ConfigException(where, key, cannotDescend(container, keySoFar, part));
  }

  private static String cannotDescend(Node node, String keySoFar, String part) {
    if (node.isReference()) {
      return "'" + keySoFar + "' is " + node.describe() + "; override the key it refers to instead";
    }
    if (node.isPlaceholder()) {
      return "'" + keySoFar + "' is a !PLACEHOLDER; set it as a whole (--" + keySoFar + "=...)";
    }
    return "'"
        + keySoFar
        + "' holds "
        + node.describe()
        + ", not a mapping, so it has no key '"
        + part
        + "'";
  }

  /**
   * Merges a plain mapping into a mapping (or include) key by key; otherwise the value replaces the
   * node.
   */
  private Node merge(Node existing, Node value, String key) {
    boolean mergeable =
        existing instanceof Node.Mapping
            || (existing != null && existing.isInclude())
            || (existing instanceof Node.Scalar s && s.isCallable() && s.isEmpty());
    if (mergeable && value instanceof Node.Mapping overrides && overrides.tag == null) {
      Node target = existing;
      for (Map.Entry<String, Node> entry : overrides.entries.entrySet()) {
        target = assign(target, List.of(entry.getKey()), 0, entry.getValue(), key);
      }
      return target;
    }
    return value;
  }

  /** Throws unless a missing key may be added here. */
  private void checkNewKey(Node.Mapping map, String part, String key) {
    if (create) {
      return;
    }
    if (map.isCallable()) {
      Target target = Target.tryOf(map);
      Set<String> names = target == null ? null : Binder.keywordNames(target);
      if (names == null || names.contains(Names.snake(Names.camel(part)))) {
        return; // a parameter not written in the recipe; unknown classes are reported when built
      }
      Set<String> shown = Binder.shownNames(target);
      throw new ConfigException(
          where, key, "unknown parameter for " + target.describe() + Names.suggest(part, shown));
    }
    throw new ConfigException(
        where,
        key,
        "no such key in the recipe"
            + Names.suggest(part, map.entries.keySet())
            + ". To add a new key on purpose, write --+"
            + key
            + "=...");
  }

  /**
   * Overrides a key of an included file: checked against that file (with the include's own
   * overrides applied), then recorded in the mapping under the {@code !include:}, which is applied
   * when the file is included.
   */
  private Node assignInclude(Node include, List<String> parts, int i, Node value, String keySoFar) {
    Node.Mapping check = readIncluded(include, keySoFar);
    if (include instanceof Node.Mapping own) {
      applyInclude(check, own, keySoFar);
    }
    assign(check, parts, i, value, keySoFar);
    Node.Mapping recorded =
        include instanceof Node.Mapping own ? own : new Node.Mapping(include.tag, include.location);
    // Walk the include's own mapping as a plain one (keys checked above), then store the result
    // back.
    Node.Mapping view = new Node.Mapping(null, recorded.location);
    view.entries.putAll(recorded.entries);
    view.keyLocations.putAll(recorded.keyLocations);
    new OverrideApplier(true, where).assign(view, parts, i, value, keySoFar);
    recorded.entries.clear();
    recorded.entries.putAll(view.entries);
    recorded.keyLocations.putAll(view.keyLocations);
    return recorded;
  }

  /** Parses the file an {@code !include:} node names (relative to the including file). */
  static Node.Mapping readIncluded(Node include, String key) {
    Path file = include.location.dir().resolve(include.tagTarget().trim()).normalize();
    LoadContext.checkInclude(file, include.location, key);
    try {
      return YamlReader.readFile(file);
    } catch (UncheckedIOException e) {
      throw new ConfigException(
          include.location,
          key,
          "cannot read included file "
              + file
              + ": "
              + e.getCause().getMessage()
              + ". Paths are relative to the including file.",
          e.getCause());
    }
  }
}
