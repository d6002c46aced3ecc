package dev.sonus.testing;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a SpeechBrain {@code hyperparams.yaml} of a fixture's model folder as plain data, for tests
 * that take sizes and file names from it: HyperPyYAML tags ({@code !new:}, {@code !name:}, ...) are
 * dropped and their arguments kept, and {@code !ref <key>} is replaced by the top-level value
 * (inside a string, by its text). Nothing is constructed; this is not a HyperPyYAML implementation,
 * only enough to read a fixture's description of itself.
 */
public final class SpeechBrainYaml {
  private static final Pattern REF = Pattern.compile("<([\\w.]+)>");

  private SpeechBrainYaml() {}

  private record Ref(String text) {}

  /** The document's top-level mapping, references resolved. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> load(Path yaml) {
    Object doc;
    try (Reader r = Files.newBufferedReader(yaml)) {
      doc = new Yaml(new Plain()).load(r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + yaml, e);
    }
    if (!(doc instanceof Map<?, ?>)) {
      throw new AssertionError(yaml + " is not a YAML mapping");
    }
    Map<String, Object> top = (Map<String, Object>) doc;
    return (Map<String, Object>) resolve(top, top, yaml);
  }

  /**
   * The value at {@code keys} below {@code map}, failing with the keys and the file when one is
   * missing.
   */
  public static Object at(Map<String, Object> map, Path yaml, String... keys) {
    Object o = map;
    StringBuilder where = new StringBuilder();
    for (String k : keys) {
      where.append(where.length() == 0 ? "" : ".").append(k);
      if (!(o instanceof Map<?, ?> m) || !m.containsKey(k)) {
        throw new AssertionError(yaml + ": no key " + where);
      }
      o = m.get(k);
    }
    return o;
  }

  private static Object resolve(Object o, Map<String, Object> top, Path yaml) {
    if (o instanceof Ref r) {
      Matcher whole = REF.matcher(r.text().trim());
      if (whole.matches()) {
        return resolve(at(top, yaml, whole.group(1).split("\\.")), top, yaml);
      }
      Matcher m = REF.matcher(r.text());
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        m.appendReplacement(
            sb,
            Matcher.quoteReplacement(
                String.valueOf(resolve(at(top, yaml, m.group(1).split("\\.")), top, yaml))));
      }
      m.appendTail(sb);
      return sb.toString();
    }
    if (o instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), resolve(v, top, yaml)));
      return out;
    }
    if (o instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(v -> out.add(resolve(v, top, yaml)));
      return out;
    }
    return o;
  }

  /**
   * Safe construction; any unknown tag keeps the node's plain value, and {@code !ref} becomes a
   * {@link Ref}.
   */
  private static final class Plain extends SafeConstructor {
    Plain() {
      super(new LoaderOptions());
      this.yamlConstructors.put(
          null,
          new AbstractConstruct() {
            @Override
            public Object construct(Node node) {
              if (node instanceof ScalarNode s) {
                String v = constructScalar(s);
                return "!ref".equals(node.getTag().getValue()) ? new Ref(v) : v;
              }
              if (node instanceof SequenceNode q) {
                return constructSequence(q);
              }
              return constructMapping((MappingNode) node);
            }
          });
    }
  }
}
