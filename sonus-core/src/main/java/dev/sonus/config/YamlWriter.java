package dev.sonus.config;

import java.io.StringWriter;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.DumperOptions.FlowStyle;
import org.yaml.snakeyaml.DumperOptions.ScalarStyle;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Writes a resolved tree back to YAML that loads to an equal configuration: tags that build objects
 * kept, references replaced by their values, an object shared by several keys written once with an
 * anchor and then as aliases (so it stays one object), strings quoted where they would otherwise
 * read as another type.
 */
final class YamlWriter {
  private static final Pattern YAML11_BOOL =
      Pattern.compile("yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF");
  private static final Pattern SIMPLE_WORD = Pattern.compile("[A-Za-z_][A-Za-z0-9_./-]*");

  private final IdentityHashMap<Node, org.yaml.snakeyaml.nodes.Node> converted =
      new IdentityHashMap<>();

  private YamlWriter() {}

  /** The YAML text of a resolved tree. */
  static String write(Node.Mapping root) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(FlowStyle.BLOCK);
    options.setIndent(2);
    options.setWidth(120);
    options.setAllowUnicode(true);
    options.setDefaultScalarStyle(ScalarStyle.PLAIN);
    Yaml yaml =
        new Yaml(
            new SafeConstructor(new LoaderOptions()),
            new Representer(options),
            options,
            new LoaderOptions(),
            new YamlReader.Yaml12Resolver());
    StringWriter out = new StringWriter();
    yaml.serialize(new YamlWriter().convert(root), out);
    return out.toString();
  }

  private org.yaml.snakeyaml.nodes.Node convert(Node node) {
    org.yaml.snakeyaml.nodes.Node done = converted.get(node);
    if (done != null) {
      return done;
    }
    // Plain containers reached twice are written twice (see below): count them against the budget.
    LoadContext.spend(1, null, null);
    org.yaml.snakeyaml.nodes.Node out;
    if (node instanceof Node.Scalar s) {
      out = scalar(s);
    } else if (node instanceof Node.Sequence seq) {
      out = sequence(seq);
    } else {
      Node.Mapping map = (Node.Mapping) node;
      List<NodeTuple> entries = new ArrayList<>();
      map.entries.forEach((k, v) -> entries.add(new NodeTuple(str(k), convert(v))));
      Tag tag = map.tag == null ? Tag.MAP : new Tag(map.tag);
      out = new MappingNode(tag, entries, entries.isEmpty() ? FlowStyle.FLOW : FlowStyle.BLOCK);
    }
    // Only objects need anchors to stay shared; plain values and containers (unmodifiable once
    // built) read
    // better repeated, and objects inside them are still anchored.
    if (node.isCallable()) {
      converted.put(node, out);
    }
    return out;
  }

  private static ScalarNode str(String text) {
    // Plain "yes" or "on" is a string in YAML 1.2 but a boolean to PyYAML (YAML 1.1): quote them.
    ScalarStyle style =
        YAML11_BOOL.matcher(text).matches() ? ScalarStyle.SINGLE_QUOTED : ScalarStyle.PLAIN;
    return new ScalarNode(Tag.STR, text, null, null, style);
  }

  private static org.yaml.snakeyaml.nodes.Node scalar(Node.Scalar s) {
    if (s.tag != null) {
      // A callable without arguments: "!new:X {}" reads (in HyperPyYAML too) as a call with no
      // arguments.
      return new MappingNode(new Tag(s.tag), new ArrayList<>(), FlowStyle.FLOW);
    }
    Object v = s.value;
    if (v == null) {
      return new ScalarNode(Tag.NULL, "null", null, null, ScalarStyle.PLAIN);
    }
    if (v instanceof Boolean b) {
      return new ScalarNode(Tag.BOOL, b.toString(), null, null, ScalarStyle.PLAIN);
    }
    if (v instanceof Double d) {
      return new ScalarNode(Tag.FLOAT, floatText(d), null, null, ScalarStyle.PLAIN);
    }
    if (v instanceof Integer || v instanceof Long || v instanceof BigInteger) {
      return new ScalarNode(Tag.INT, v.toString(), null, null, ScalarStyle.PLAIN);
    }
    return str(v.toString());
  }

  private static String floatText(double d) {
    if (Double.isNaN(d)) {
      return ".nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? ".inf" : "-.inf";
    }
    return PyFormat.floatRepr(d);
  }

  private org.yaml.snakeyaml.nodes.Node sequence(Node.Sequence seq) {
    boolean flat = true;
    for (Node item : seq.items) {
      flat &= item instanceof Node.Scalar s && s.tag == null;
    }
    if (seq.isTuple() && flat) {
      String text = tupleText(seq);
      if (text != null) {
        return new ScalarNode(YamlReader.TUPLE_TAG, text, null, null, ScalarStyle.PLAIN);
      }
    }
    List<org.yaml.snakeyaml.nodes.Node> items = new ArrayList<>();
    seq.items.forEach(item -> items.add(convert(item)));
    Tag tag = seq.tag == null ? Tag.SEQ : new Tag(seq.tag);
    return new SequenceNode(tag, items, flat ? FlowStyle.FLOW : FlowStyle.BLOCK);
  }

  /**
   * HyperPyYAML's tuple text {@code (1, 2)}, or null when an item would not read back as itself
   * there.
   */
  private static String tupleText(Node.Sequence seq) {
    List<String> parts = new ArrayList<>();
    for (Node item : seq.items) {
      Object v = ((Node.Scalar) item).value;
      if (v instanceof String s) {
        if (!SIMPLE_WORD.matcher(s).matches()
            || YAML11_BOOL.matcher(s).matches()
            || !readsAsString(s)) {
          return null;
        }
        parts.add(s);
      } else if (v instanceof Double d) {
        parts.add(floatText(d));
      } else {
        parts.add(v == null ? "null" : v.toString());
      }
    }
    return "(" + String.join(", ", parts) + (parts.size() == 1 ? ",)" : ")");
  }

  private static boolean readsAsString(String s) {
    Node node = YamlReader.readValue(s, Location.of(null, "tuple"));
    return node instanceof Node.Scalar sc && sc.tag == null && s.equals(sc.value);
  }
}
