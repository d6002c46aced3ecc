package dev.sonus.run;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * The differences between two resolved recipes ({@code hparams.yaml} texts), value by value: each
 * scalar is compared under its dotted path ({@code optimizer.lr}, {@code model.channels[1]}), and
 * each tag ({@code !new:models.CRDNN}) under the path of what it tags. Nothing is built.
 */
final class RecipeDiff {
  private static final int MAX_VALUE_CHARS = 80;

  private RecipeDiff() {}

  /**
   * One differing value.
   *
   * @param key dotted path
   * @param stored the value in the stored recipe, or {@code (absent)}
   * @param now the value in the recipe about to run, or {@code (absent)}
   */
  record Change(String key, String stored, String now) {
    /** The top-level recipe key the path starts with. */
    String topKey() {
      int end = key.length();
      for (int i = 0; i < key.length(); i++) {
        char c = key.charAt(i);
        if (c == '.' || c == '[') {
          end = i;
          break;
        }
      }
      return key.substring(0, end);
    }

    @Override
    public String toString() {
      return key + ": " + stored + " -> " + now;
    }
  }

  /** The values that differ, in the order of the stored recipe, then the new keys. */
  static List<Change> between(String storedYaml, String newYaml) {
    Map<String, String> a = flatten(storedYaml);
    Map<String, String> b = flatten(newYaml);
    Set<String> keys = new LinkedHashSet<>(a.keySet());
    keys.addAll(b.keySet());
    List<Change> out = new ArrayList<>();
    for (String k : keys) {
      String x = a.getOrDefault(k, "(absent)");
      String y = b.getOrDefault(k, "(absent)");
      if (!x.equals(y)) {
        out.add(new Change(k, shorten(x), shorten(y)));
      }
    }
    return out;
  }

  private static Map<String, String> flatten(String yaml) {
    Map<String, String> out = new LinkedHashMap<>();
    Node root = new Yaml().compose(new StringReader(yaml));
    if (root instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode k) {
          flatten(k.getValue(), t.getValueNode(), out);
        }
      }
    }
    return out;
  }

  private static void flatten(String path, Node node, Map<String, String> out) {
    String tag = node.getTag().startsWith(Tag.PREFIX) ? "" : node.getTag().getValue();
    if (node instanceof ScalarNode s) {
      out.put(path, tag.isEmpty() ? s.getValue() : tag + " " + s.getValue());
      return;
    }
    if (!tag.isEmpty()) {
      out.put(path, tag);
    }
    if (node instanceof MappingNode m) {
      if (m.getValue().isEmpty()) {
        out.put(path, tag.isEmpty() ? "{}" : tag + " {}");
      }
      for (NodeTuple t : m.getValue()) {
        String key =
            t.getKeyNode() instanceof ScalarNode k ? k.getValue() : t.getKeyNode().toString();
        flatten(path + "." + key, t.getValueNode(), out);
      }
    } else if (node instanceof SequenceNode q) {
      if (q.getValue().isEmpty()) {
        out.put(path, tag.isEmpty() ? "[]" : tag + " []");
      }
      for (int i = 0; i < q.getValue().size(); i++) {
        flatten(path + "[" + i + "]", q.getValue().get(i), out);
      }
    }
  }

  private static String shorten(String v) {
    return v.length() <= MAX_VALUE_CHARS ? v : v.substring(0, MAX_VALUE_CHARS - 3) + "...";
  }
}
