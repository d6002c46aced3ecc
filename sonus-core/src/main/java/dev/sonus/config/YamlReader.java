package dev.sonus.config;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Parses recipe text into a {@link Node} tree with SnakeYAML's composer only: no SnakeYAML object
 * construction ever runs, so a global tag in a recipe cannot instantiate anything.
 *
 * <p>Plain scalars follow YAML 1.2's core schema, as ruamel.yaml (HyperPyYAML's parser) does: only
 * {@code true/false} are booleans ({@code yes}, {@code on} stay strings), {@code 1e-5} is a float.
 * A plain scalar {@code (a, b)} is a tuple, as in HyperPyYAML. Duplicate keys are errors; merge
 * keys ({@code <<}) and anchors work, and an alias is the same node as its anchor (so it builds the
 * same object).
 */
final class YamlReader {
  static final Tag TUPLE_TAG = new Tag(Node.TUPLE);
  private static final List<String> TAGS =
      List.of(
          Node.NEW,
          Node.NAME,
          Node.APPLY,
          Node.INCLUDE,
          Node.REF,
          Node.COPY,
          Node.PLACEHOLDER,
          Node.TUPLE);
  private static final Pattern BOOL = Pattern.compile("true|True|TRUE|false|False|FALSE");
  // Underscores as digit separators (1_000), as ruamel.yaml accepts.
  private static final Pattern INT_1_2 =
      Pattern.compile("[-+]?[0-9][0-9_]*|0o[0-7_]+|0x[0-9a-fA-F_]+");
  private static final Pattern FLOAT =
      Pattern.compile(
          "[-+]?(?:\\.[0-9][0-9_]*|[0-9][0-9_]*(?:\\.[0-9_]*)?)"
              + "(?:[eE][-+]?[0-9]+)?|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)");
  private static final Pattern NULL_1_2 = Pattern.compile("~|null|Null|NULL|");
  private static final Pattern TUPLE = Pattern.compile("\\(.*\\)", Pattern.DOTALL);

  /**
   * YAML 1.2 core schema plus HyperPyYAML's implicit tuples; shared by reading and writing. (The
   * patterns are named apart from {@link Resolver}'s own {@code INT} and {@code NULL}, which are
   * YAML 1.1's and would shadow them here.)
   */
  static final class Yaml12Resolver extends Resolver {
    @Override
    protected void addImplicitResolvers() {
      addImplicitResolver(Tag.BOOL, BOOL, "tTfF", 8);
      addImplicitResolver(Tag.INT, INT_1_2, "-+0123456789", 4096);
      addImplicitResolver(Tag.FLOAT, FLOAT, "-+0123456789.", 4096);
      addImplicitResolver(Tag.MERGE, Resolver.MERGE, "<", 8);
      addImplicitResolver(Tag.NULL, NULL_1_2, "~nN\0", 8);
      addImplicitResolver(Tag.NULL, Resolver.EMPTY, null, 8);
      addImplicitResolver(TUPLE_TAG, TUPLE, "(", Integer.MAX_VALUE);
    }
  }

  private final Location source;
  private final Location fixed;
  private final IdentityHashMap<org.yaml.snakeyaml.nodes.Node, Node> converted =
      new IdentityHashMap<>();
  private final IdentityHashMap<org.yaml.snakeyaml.nodes.Node, Boolean> inProgress =
      new IdentityHashMap<>();

  private YamlReader(Location source, Location fixed) {
    this.source = source;
    this.fixed = fixed;
  }

  /**
   * A SnakeYAML instance limited to composing nodes, with our resolver; not thread-safe, so one per
   * use.
   */
  static Yaml yaml() {
    LoaderOptions loader = new LoaderOptions();
    loader.setAllowRecursiveKeys(false);
    loader.setMaxAliasesForCollections(500);
    loader.setNestingDepthLimit(200);
    loader.setProcessComments(false);
    // Nothing is ever constructed by SnakeYAML here, so global tags are harmless at compose time;
    // letting them
    // through lets us report "unknown tag !!python/tuple" with the supported tags instead of a
    // syntax error.
    loader.setTagInspector(tag -> true);
    DumperOptions dumper = new DumperOptions();
    return new Yaml(
        new SafeConstructor(loader), new Representer(dumper), dumper, loader, new Yaml12Resolver());
  }

  /**
   * Reads and parses a recipe file.
   *
   * @throws UncheckedIOException naming the path when it cannot be read
   */
  static Node.Mapping readFile(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read recipe " + file + ": " + e.getMessage(), e);
    }
    return readRoot(text, Location.of(file, file.toString()));
  }

  /**
   * Parses a whole recipe; its top level must be a plain mapping (an empty text is an empty
   * mapping).
   */
  static Node.Mapping readRoot(String text, Location source) {
    Node root = new YamlReader(source, null).read(text);
    if (root == null || (root instanceof Node.Scalar s && s.tag == null && s.value == null)) {
      return new Node.Mapping(null, source.at(1, 0));
    }
    if (!(root instanceof Node.Mapping map) || root.tag != null) {
      throw new ConfigException(
          root.location,
          null,
          "the top level of a recipe must be a mapping of keys (key: value), got "
              + root.describe());
    }
    return map;
  }

  /** Parses one value (an override, a tuple's content); every node gets the location {@code at}. */
  static Node readValue(String text, Location at) {
    Node node = new YamlReader(at, at).read(text);
    return node != null ? node : Node.Scalar.plain(null, at);
  }

  private Node read(String text) {
    org.yaml.snakeyaml.nodes.Node root;
    try {
      root = yaml().compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      Location where =
          mark == null || fixed != null
              ? source
              : source.at(mark.getLine() + 1, mark.getColumn() + 1);
      String context = e.getContext() != null ? e.getContext() + ": " : "";
      throw new ConfigException(
          where,
          null,
          "YAML syntax error: "
              + context
              + e.getProblem()
              + ". Check the indentation and quoting on this line.",
          e);
    } catch (YAMLException e) {
      throw new ConfigException(source, null, "YAML error: " + e.getMessage(), e);
    }
    return root == null ? null : convert(root);
  }

  private Location where(org.yaml.snakeyaml.nodes.Node node) {
    if (fixed != null) {
      return fixed;
    }
    Mark mark = node.getStartMark();
    return mark == null ? source : source.at(mark.getLine() + 1, 0);
  }

  private Node convert(org.yaml.snakeyaml.nodes.Node node) {
    Node done = converted.get(node);
    if (done != null) {
      return done;
    }
    if (inProgress.containsKey(node)) {
      throw new ConfigException(
          where(node),
          null,
          "an alias refers to a node that contains it (a recursive "
              + "structure); recipes must be trees");
    }
    inProgress.put(node, Boolean.TRUE);
    try {
      Node out =
          switch (node.getNodeId()) {
            case scalar -> scalar((ScalarNode) node);
            case sequence -> sequence((SequenceNode) node);
            case mapping -> mapping((MappingNode) node);
            default ->
                throw new ConfigException(
                    where(node), null, "unsupported YAML node " + node.getNodeId());
          };
      converted.put(node, out);
      return out;
    } finally {
      inProgress.remove(node);
    }
  }

  /**
   * Our tag for a node ({@code !new:x}), null for YAML's own collection tags; rejects unknown tags.
   */
  private String customTag(org.yaml.snakeyaml.nodes.Node node, Tag standard) {
    String tag = node.getTag().getValue();
    if (tag.equals(standard.getValue())) {
      return null;
    }
    for (String known : TAGS) {
      boolean prefix = known.endsWith(":");
      if (prefix ? tag.startsWith(known) : tag.equals(known)) {
        if (prefix && tag.length() == known.length()) {
          throw new ConfigException(
              where(node),
              null,
              "tag "
                  + tag
                  + " needs a name after the colon, e.g. "
                  + known
                  + (known.equals(Node.INCLUDE) ? "other.yaml" : "features.Fbank"));
        }
        return tag;
      }
    }
    String written = tag.startsWith(Tag.PREFIX) ? "!!" + tag.substring(Tag.PREFIX.length()) : tag;
    String head = written.contains(":") ? written.substring(0, written.indexOf(':') + 1) : written;
    String close = Names.didYouMean(head, TAGS);
    throw new ConfigException(
        where(node),
        null,
        "unknown tag "
            + written
            + (close.isEmpty() ? "." : close)
            + " Supported: "
            + String.join(", ", TAGS)
            + " and YAML's !!str, !!int, !!float, !!bool, !!null.");
  }

  private Node scalar(ScalarNode node) {
    Location at = where(node);
    String text = node.getValue();
    Tag tag = node.getTag();
    if (tag.equals(Tag.STR)) {
      return Node.Scalar.plain(text, at);
    }
    if (tag.equals(Tag.INT)) {
      return Node.Scalar.plain(parseInt(text, at), at);
    }
    if (tag.equals(Tag.FLOAT)) {
      return Node.Scalar.plain(parseFloat(text, at), at);
    }
    if (tag.equals(Tag.BOOL)) {
      if (!BOOL.matcher(text).matches()) {
        throw new ConfigException(at, null, "!!bool value '" + text + "' is not true or false");
      }
      return Node.Scalar.plain(text.toLowerCase(Locale.ROOT).equals("true"), at);
    }
    if (tag.equals(Tag.NULL)) {
      return Node.Scalar.plain(null, at);
    }
    String custom = customTag(node, Tag.STR);
    if (Node.TUPLE.equals(custom)) {
      return tuple(text.trim(), at);
    }
    return new Node.Scalar(custom, text, at);
  }

  private Node tuple(String text, Location at) {
    if (!TUPLE.matcher(text).matches()) {
      throw new ConfigException(
          at,
          null,
          "!tuple value '" + text + "' must be written in parentheses, " + "like !tuple (1, 2)");
    }
    Node inner = readValue("[" + text.substring(1, text.length() - 1) + "]", at);
    return new Node.Sequence(Node.TUPLE, ((Node.Sequence) inner).items, at);
  }

  private static Object parseInt(String text, Location at) {
    String t = text.replace("_", "");
    try {
      if (t.startsWith("0x")) {
        return Arithmetic.narrow(new BigInteger(t.substring(2), 16));
      }
      if (t.startsWith("0o")) {
        return Arithmetic.narrow(new BigInteger(t.substring(2), 8));
      }
      return Arithmetic.narrow(new BigInteger(t.startsWith("+") ? t.substring(1) : t));
    } catch (NumberFormatException e) {
      throw new ConfigException(at, null, "!!int value '" + text + "' is not an integer");
    }
  }

  private static double parseFloat(String text, Location at) {
    String t = text.replace("_", "");
    String lower = t.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".inf")) {
      return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    if (lower.equals(".nan")) {
      return Double.NaN;
    }
    if (!FLOAT.matcher(text).matches()) {
      throw new ConfigException(at, null, "!!float value '" + text + "' is not a number");
    }
    return Double.parseDouble(t);
  }

  private Node sequence(SequenceNode node) {
    String tag = customTag(node, Tag.SEQ);
    Location at = where(node);
    if (tag != null && !tag.equals(Node.TUPLE) && !isCallable(tag)) {
      throw new ConfigException(at, null, tag + " cannot tag a list; " + usage(tag));
    }
    List<Node> items = new ArrayList<>();
    for (org.yaml.snakeyaml.nodes.Node item : node.getValue()) {
      items.add(convert(item));
    }
    return new Node.Sequence(tag, items, at);
  }

  private Node mapping(MappingNode node) {
    String tag = customTag(node, Tag.MAP);
    Location at = where(node);
    if (tag != null && !isCallable(tag) && !tag.startsWith(Node.INCLUDE)) {
      throw new ConfigException(at, null, tag + " cannot tag a mapping; " + usage(tag));
    }
    Node.Mapping out = new Node.Mapping(tag, at);
    Map<String, Node> merged = new LinkedHashMap<>();
    Map<String, Location> mergedAt = new LinkedHashMap<>();
    Map<String, Location> explicit = new LinkedHashMap<>();
    List<NodeTuple> own = new ArrayList<>();
    for (NodeTuple tuple : node.getValue()) {
      org.yaml.snakeyaml.nodes.Node keyNode = tuple.getKeyNode();
      if (keyNode.getTag().equals(Tag.MERGE)) {
        mergeInto(tuple.getValueNode(), merged, mergedAt);
        continue;
      }
      if (!(keyNode instanceof ScalarNode scalarKey)) {
        throw new ConfigException(
            where(keyNode),
            null,
            "mapping keys must be plain names, not " + keyNode.getNodeId() + "s");
      }
      Location first = explicit.putIfAbsent(scalarKey.getValue(), where(keyNode));
      if (first != null) {
        throw new ConfigException(
            where(keyNode),
            scalarKey.getValue(),
            "duplicate key (first written at line " + first.line() + "); keep one of them");
      }
      own.add(tuple);
    }
    merged.forEach((k, v) -> out.put(k, v, mergedAt.get(k)));
    for (NodeTuple tuple : own) {
      String key = ((ScalarNode) tuple.getKeyNode()).getValue();
      out.entries.put(key, convert(tuple.getValueNode()));
      out.keyLocations.put(key, explicit.get(key));
    }
    return out;
  }

  /**
   * Adds the entries of a merge ({@code <<: *base} or {@code <<: [*a, *b]}); the first source of a
   * key wins.
   */
  private void mergeInto(
      org.yaml.snakeyaml.nodes.Node source,
      Map<String, Node> merged,
      Map<String, Location> mergedAt) {
    List<org.yaml.snakeyaml.nodes.Node> sources =
        source instanceof SequenceNode seq ? seq.getValue() : List.of(source);
    for (org.yaml.snakeyaml.nodes.Node s : sources) {
      if (!(convert(s) instanceof Node.Mapping map)) {
        throw new ConfigException(
            where(s), null, "a merge key (<<) needs a mapping or a list of mappings");
      }
      map.entries.forEach(
          (k, v) -> {
            if (!merged.containsKey(k)) {
              merged.put(k, v);
              mergedAt.put(k, map.locationOf(k));
            }
          });
    }
  }

  private static boolean isCallable(String tag) {
    return tag.startsWith(Node.NEW) || tag.startsWith(Node.NAME) || tag.startsWith(Node.APPLY);
  }

  private static String usage(String tag) {
    return switch (tag) {
      case Node.REF, Node.COPY -> "write " + tag + " <key> with the key in angle brackets";
      case Node.PLACEHOLDER -> "write key: !PLACEHOLDER with nothing after it";
      default -> "write it as " + tag + " with a mapping of overrides or nothing";
    };
  }
}
