package dev.sonus.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves {@code !ref}, {@code !copy}, {@code !include:} and {@code !PLACEHOLDER} in a tree,
 * leaving a tree with only plain nodes and the tags that build objects ({@code !new:}, {@code
 * !name:}, {@code !apply:}, {@code !tuple}).
 *
 * <p>As in HyperPyYAML: {@code !ref <key>} alone is the referenced node itself (so an object is
 * built once and shared, and the type is kept); with other text around it, each {@code <key>} is
 * replaced by Python's {@code str()} of its value and the result, when it is arithmetic, is
 * evaluated ({@code !ref <n> * 2}); a result that reads {@code (a, b)} is a tuple. {@code !copy
 * <key>} is a deep copy, built separately. Keys are dotted ({@code <model.n_mels>}) or bracketed
 * ({@code <model[n_mels]>}), and list items are numbered.
 *
 * <p>Unlike HyperPyYAML, references may point forward and through other references, in any order; a
 * cycle is an error that names the chain. A {@code !PLACEHOLDER} left unset is reported with every
 * other one at the end.
 */
final class References {
  private static final Pattern REFERENCE = Pattern.compile("<([^>]*)>");
  private static final Pattern TUPLE = Pattern.compile("\\(.*\\)", Pattern.DOTALL);

  /** Deepest chain of references (and nested values) resolved at once. */
  static final int MAX_CHAIN = 500;

  /** The file a tree came from and the key it sits under (for included files). */
  private record Scope(Node.Mapping root, String prefix, List<Path> includes) {}

  /** A {@code !PLACEHOLDER} found while resolving. */
  private record Unset(String key, Location location) {}

  private final IdentityHashMap<Node, Node> resolved = new IdentityHashMap<>();
  private final IdentityHashMap<Node, Integer> active = new IdentityHashMap<>();
  private final List<String> chain = new ArrayList<>();
  private final List<Unset> unset = new ArrayList<>();

  private References() {}

  /**
   * Resolves a whole recipe (after overrides).
   *
   * @param file the recipe's path, to detect include cycles; null for text
   * @throws ConfigException for a missing key, a cycle, an unreadable include, or unset
   *     placeholders (all listed)
   */
  static Node.Mapping resolve(Node.Mapping root, Path file) {
    References refs = new References();
    List<Path> includes = file == null ? List.of() : List.of(file.toAbsolutePath().normalize());
    Node.Mapping out = (Node.Mapping) refs.resolve(root, new Scope(root, "", includes), "");
    if (!refs.unset.isEmpty()) {
      throw refs.unsetError();
    }
    return out;
  }

  private ConfigException unsetError() {
    List<String> lines = new ArrayList<>();
    for (Unset u : unset) {
      lines.add(u.location() + " '" + u.key() + "'");
    }
    Unset first = unset.get(0);
    String all =
        unset.size() == 1 ? "" : " (" + unset.size() + " unset: " + String.join(", ", lines) + ")";
    return new ConfigException(
        first.location(),
        first.key(),
        "is a !PLACEHOLDER and must be set"
            + all
            + ". Set "
            + (unset.size() == 1 ? "it" : "each")
            + " with an override, e.g. --"
            + first.key()
            + "=...");
  }

  private Node resolve(Node node, Scope scope, String key) {
    Node done = resolved.get(node);
    if (done != null) {
      return done;
    }
    Integer start = active.get(node);
    if (start != null) {
      List<String> cycle = new ArrayList<>(chain.subList(start, chain.size()));
      cycle.add(key);
      throw new ConfigException(
          node.location,
          key,
          "reference cycle: " + String.join(" -> ", cycle) + "; a key cannot depend on itself");
    }
    if (chain.size() >= MAX_CHAIN) {
      throw new ConfigException(
          node.location,
          key,
          "references nested deeper than "
              + MAX_CHAIN
              + " (through "
              + chain.get(0)
              + " -> ... -> "
              + key
              + "); no recipe needs that many, so the file is refused");
    }
    active.put(node, chain.size());
    chain.add(key);
    try {
      Node out = resolveUncached(node, scope, key);
      resolved.put(node, out);
      resolved.put(out, out);
      return out;
    } finally {
      active.remove(node);
      chain.remove(chain.size() - 1);
    }
  }

  private Node resolveUncached(Node node, Scope scope, String key) {
    LoadContext.spend(1, node.location, key);
    if (node.isPlaceholder()) {
      unset.add(new Unset(key, node.location));
      return node;
    }
    if (node.isReference()) {
      return reference((Node.Scalar) node, scope, key);
    }
    if (node.isInclude()) {
      return include(node, scope, key);
    }
    if (node instanceof Node.Sequence seq) {
      List<Node> items = new ArrayList<>();
      for (int i = 0; i < seq.items.size(); i++) {
        items.add(resolve(seq.items.get(i), scope, Names.join(key, Integer.toString(i))));
      }
      return new Node.Sequence(seq.tag, items, seq.location);
    }
    if (node instanceof Node.Mapping map) {
      Node.Mapping out = new Node.Mapping(map.tag, map.location);
      for (Map.Entry<String, Node> e : map.entries.entrySet()) {
        out.put(
            e.getKey(),
            resolve(e.getValue(), scope, Names.join(key, e.getKey())),
            map.locationOf(e.getKey()));
      }
      return out;
    }
    return node; // plain scalars and empty callable tags need nothing
  }

  private Node reference(Node.Scalar ref, Scope scope, String key) {
    String text = ref.text();
    boolean copy = Node.COPY.equals(ref.tag);
    Matcher whole = REFERENCE.matcher(text.trim());
    if (whole.matches()) {
      Node target = target(whole.group(1), ref, scope, key);
      return copy ? deepCopy(target, new IdentityHashMap<>()) : target;
    }
    Matcher m = REFERENCE.matcher(text);
    StringBuilder sb = new StringBuilder();
    int last = 0;
    boolean any = false;
    while (m.find()) {
      any = true;
      Node value = target(m.group(1), ref, scope, key);
      if (value.isPlaceholder()) {
        return value; // already reported as unset; nothing sensible to interpolate
      }
      sb.append(text, last, m.start());
      try {
        String piece = PyFormat.nodeStr(value);
        LoadContext.spend(1 + piece.length() / 16, ref.location, key);
        sb.append(piece);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            ref.location,
            key,
            "cannot put <"
                + m.group(1)
                + "> into the text '"
                + text
                + "': "
                + e.getMessage()
                + ". Refer to it alone ("
                + ref.tag
                + " <"
                + m.group(1)
                + ">) to share it");
      }
      last = m.end();
    }
    if (!any) {
      return Node.Scalar.plain(
          text, ref.location); // HyperPyYAML keeps a reference without <key> as text
    }
    sb.append(text.substring(last));
    String result = sb.toString();
    Optional<Object> number;
    try {
      number = Arithmetic.evaluate(result);
    } catch (Arithmetic.EvalException e) {
      throw new ConfigException(
          ref.location, key, ref.tag + " " + text + " gives '" + result + "': " + e.getMessage());
    }
    if (number.isPresent()) {
      return Node.Scalar.plain(number.get(), ref.location);
    }
    if (TUPLE.matcher(result.trim()).matches()) {
      Node tuple =
          YamlReader.readValue(
              "[" + result.trim().substring(1, result.trim().length() - 1) + "]", ref.location);
      if (tuple instanceof Node.Sequence seq) {
        return new Node.Sequence(Node.TUPLE, seq.items, ref.location);
      }
    }
    return Node.Scalar.plain(result, ref.location);
  }

  /**
   * Finds and resolves the node at {@code path} (relative to the scope's file) for a reference at
   * {@code key}.
   */
  private Node target(String path, Node.Scalar ref, Scope scope, String key) {
    List<String> parts = Names.path(path.trim());
    if (parts == null) {
      throw new ConfigException(
          ref.location,
          key,
          "'<"
              + path
              + ">' in "
              + ref.tag
              + " "
              + ref.text()
              + " is not a key; write <key>, <section.key> or <list.0>");
    }
    Node current = scope.root();
    String at = "";
    for (String part : parts) {
      if (current.isReference() || current.isInclude()) {
        current = resolve(current, scope, Names.join(scope.prefix(), at));
      }
      String next = Names.join(at, part);
      Node child = null;
      if (current instanceof Node.Mapping map) {
        child = map.entries.get(part);
        if (child == null) {
          String where = at.isEmpty() ? "in the recipe" : "under '" + at + "'";
          throw new ConfigException(
              ref.location,
              key,
              ref.tag
                  + " "
                  + ref.text()
                  + ": no key '"
                  + next
                  + "' "
                  + where
                  + Names.suggest(part, map.entries.keySet()));
        }
      } else if (current instanceof Node.Sequence seq) {
        int index = -1;
        try {
          index = Integer.parseInt(part);
        } catch (NumberFormatException e) {
          // reported below
        }
        if (index < 0 || index >= seq.items.size()) {
          throw new ConfigException(
              ref.location,
              key,
              ref.tag
                  + " "
                  + ref.text()
                  + ": '"
                  + at
                  + "' is a list of "
                  + seq.items.size()
                  + " items; '"
                  + part
                  + "' is not an index in it");
        }
        child = seq.items.get(index);
      } else {
        throw new ConfigException(
            ref.location,
            key,
            ref.tag
                + " "
                + ref.text()
                + ": '"
                + at
                + "' holds "
                + current.describe()
                + ", which has no key '"
                + part
                + "'");
      }
      current = child;
      at = next;
    }
    return resolve(current, scope, Names.join(scope.prefix(), at));
  }

  /**
   * Includes a file: resolves the overrides under the tag here, applies them to the file, resolves
   * the file.
   */
  private Node include(Node node, Scope scope, String key) {
    Path file = node.location.dir().resolve(node.tagTarget().trim()).toAbsolutePath().normalize();
    if (scope.includes().contains(file)) {
      List<String> names = new ArrayList<>();
      scope.includes().forEach(p -> names.add(p.getFileName().toString()));
      names.add(file.getFileName().toString());
      throw new ConfigException(node.location, key, "include cycle: " + String.join(" -> ", names));
    }
    Node.Mapping tree = OverrideApplier.readIncluded(node, key);
    if (node instanceof Node.Mapping overrides) {
      Node.Mapping resolvedOverrides = new Node.Mapping(null, overrides.location);
      overrides.entries.forEach(
          (k, v) ->
              resolvedOverrides.put(
                  k, resolve(v, scope, Names.join(key, k)), overrides.locationOf(k)));
      OverrideApplier.applyInclude(tree, resolvedOverrides, key);
    }
    List<Path> includes = new ArrayList<>(scope.includes());
    includes.add(file);
    return resolve(tree, new Scope(tree, key, List.copyOf(includes)), key);
  }

  /**
   * A deep copy of a resolved node; sharing inside the copy is kept, nothing is shared with the
   * original.
   */
  private Node deepCopy(Node node, IdentityHashMap<Node, Node> copies) {
    Node done = copies.get(node);
    if (done != null) {
      return done;
    }
    LoadContext.spend(1, node.location, null);
    Node out;
    if (node instanceof Node.Sequence seq) {
      List<Node> items = new ArrayList<>();
      seq.items.forEach(item -> items.add(deepCopy(item, copies)));
      out = new Node.Sequence(seq.tag, items, seq.location);
    } else if (node instanceof Node.Mapping map) {
      Node.Mapping copy = new Node.Mapping(map.tag, map.location);
      map.entries.forEach((k, v) -> copy.put(k, deepCopy(v, copies), map.locationOf(k)));
      out = copy;
    } else if (node.isPlaceholder()) {
      out = node;
    } else {
      Node.Scalar s = (Node.Scalar) node;
      out = new Node.Scalar(s.tag, s.value, s.location);
    }
    copies.put(node, out);
    resolved.put(out, out);
    return out;
  }
}
