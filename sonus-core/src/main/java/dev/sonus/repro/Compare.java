package dev.sonus.repro;

import dev.sonus.util.JsonFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Compares run bundles: each final metric as mean ± 95% confidence interval over the runs (e.g.
 * several seeds), and what differs between them in configuration, environment and data.
 */
public final class Compare {
  private Compare() {}

  /**
   * One metric over the runs.
   *
   * @param name metric name
   * @param values one per run (NaN where a run lacks it)
   * @param mean mean over the runs that have it
   * @param halfWidth half-width of the 95% confidence interval of the mean (Student's t), NaN for
   *     one run
   */
  public record MetricSummary(String name, List<Double> values, double mean, double halfWidth) {}

  /**
   * The comparison.
   *
   * @param runs the run folders
   * @param metrics per-metric summaries
   * @param config lines {@code key: a | b | c} for hyperparameters that differ
   * @param environment lines for environment fields that differ
   * @param data lines naming data differences from the first run
   */
  public record Result(
      List<Path> runs,
      List<MetricSummary> metrics,
      List<String> config,
      List<String> environment,
      List<String> data) {

    /** A readable report. */
    public String format() {
      StringBuilder sb = new StringBuilder();
      sb.append("runs:\n");
      for (int i = 0; i < runs.size(); i++) {
        sb.append(String.format(Locale.ROOT, "  [%d] %s%n", i + 1, runs.get(i)));
      }
      sb.append(String.format(Locale.ROOT, "%nmetric          mean ± 95%% CI          runs%n"));
      for (MetricSummary m : metrics) {
        StringBuilder vals = new StringBuilder();
        for (double v : m.values()) {
          vals.append(String.format(Locale.ROOT, " %.4g", v));
        }
        String ci =
            Double.isNaN(m.halfWidth())
                ? "(one run)"
                : String.format(Locale.ROOT, "± %.4g", m.halfWidth());
        sb.append(
            String.format(Locale.ROOT, "%-15s %-10.4g %-12s%s%n", m.name(), m.mean(), ci, vals));
      }
      section(sb, "configuration differences", config);
      section(sb, "environment differences", environment);
      section(sb, "data differences (from run 1)", data);
      return sb.toString();
    }

    private static void section(StringBuilder sb, String title, List<String> lines) {
      sb.append('\n').append(title).append(lines.isEmpty() ? ": none\n" : ":\n");
      for (String l : lines) {
        sb.append("  ").append(l).append('\n');
      }
    }
  }

  /**
   * Compares run folders (each with metrics.json, and hparams.yaml / env.json / data.json when
   * present).
   */
  public static Result compare(List<Path> runs) {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("compare needs at least one run folder");
    }
    List<Map<String, Object>> metrics = new ArrayList<>();
    List<Map<String, String>> configs = new ArrayList<>();
    List<Map<String, String>> envs = new ArrayList<>();
    for (Path run : runs) {
      if (!Files.isDirectory(run)) {
        throw new IllegalArgumentException(run + " is not a run folder");
      }
      metrics.add(jsonObject(run.resolve("metrics.json"), true));
      configs.add(flattenYaml(run.resolve("hparams.yaml")));
      Map<String, String> env = new TreeMap<>();
      flatten("", jsonObject(run.resolve("env.json"), false), env);
      env.remove("written_at");
      envs.add(env);
    }
    List<MetricSummary> summaries = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    metrics.forEach(m -> names.addAll(m.keySet()));
    for (String name : names) {
      List<Double> values = new ArrayList<>();
      for (Map<String, Object> m : metrics) {
        values.add(m.get(name) instanceof Number n ? n.doubleValue() : Double.NaN);
      }
      summaries.add(summarize(name, values));
    }
    return new Result(
        List.copyOf(runs), summaries, differing(configs), differing(envs), dataDifferences(runs));
  }

  /**
   * Mean and 95% confidence half-width (Student's t with n-1 degrees of freedom) of the finite
   * values.
   */
  public static MetricSummary summarize(String name, List<Double> values) {
    List<Double> finite = values.stream().filter(Double::isFinite).toList();
    int n = finite.size();
    double mean = finite.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    double half = Double.NaN;
    if (n > 1) {
      double ss = 0;
      for (double v : finite) {
        ss += (v - mean) * (v - mean);
      }
      double sd = Math.sqrt(ss / (n - 1));
      half = tQuantile975(n - 1) * sd / Math.sqrt(n);
    }
    return new MetricSummary(name, values, mean, half);
  }

  /** Two-sided 95% quantile of Student's t distribution. */
  static double tQuantile975(int dof) {
    double[] table = {
      12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
      2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
      2.052, 2.048, 2.045, 2.042
    };
    if (dof < 1) {
      return Double.NaN;
    }
    return dof <= table.length ? table[dof - 1] : 1.96 + 2.4 / dof;
  }

  private static List<String> differing(List<Map<String, String>> maps) {
    Set<String> keys = new java.util.TreeSet<>();
    maps.forEach(m -> keys.addAll(m.keySet()));
    List<String> out = new ArrayList<>();
    for (String k : keys) {
      List<String> vals = new ArrayList<>();
      for (Map<String, String> m : maps) {
        vals.add(m.getOrDefault(k, "(absent)"));
      }
      if (new LinkedHashSet<>(vals).size() > 1) {
        out.add(k + ": " + String.join(" | ", vals));
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<String> dataDifferences(List<Path> runs) {
    List<String> out = new ArrayList<>();
    Path firstData = runs.get(0).resolve("data.json");
    if (!Files.isRegularFile(firstData)) {
      return out;
    }
    DataFingerprint.Fingerprint first = DataFingerprint.fromJson(jsonObject(firstData, true));
    for (int i = 1; i < runs.size(); i++) {
      Path d = runs.get(i).resolve("data.json");
      if (!Files.isRegularFile(d)) {
        out.add("run " + (i + 1) + ": no data.json");
        continue;
      }
      for (String line :
          DataFingerprint.differences(first, DataFingerprint.fromJson(jsonObject(d, true)))) {
        out.add("run " + (i + 1) + ": " + line);
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> jsonObject(Path p, boolean required) {
    if (!Files.isRegularFile(p)) {
      if (required) {
        throw new IllegalArgumentException(
            p + " is missing: is " + p.getParent() + " a finished Sonus run?");
      }
      return Map.of();
    }
    return JsonFile.read(p).map();
  }

  /** Flattens nested JSON maps to dotted keys with string values (lists as one value). */
  @SuppressWarnings("unchecked")
  public static void flatten(String prefix, Object v, Map<String, String> out) {
    if (v instanceof Map<?, ?> m) {
      ((Map<String, Object>) m)
          .forEach((k, x) -> flatten(prefix.isEmpty() ? k : prefix + "." + k, x, out));
    } else if (v instanceof List<?> l) {
      out.put(prefix, String.valueOf(l));
    } else {
      out.put(prefix, String.valueOf(v));
    }
  }

  /**
   * Flattens hparams.yaml to dotted keys; tags are kept in the value ({@code !new:features.Fbank}).
   */
  private static Map<String, String> flattenYaml(Path p) {
    Map<String, String> out = new TreeMap<>();
    if (!Files.isRegularFile(p)) {
      return out;
    }
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      Node root = new Yaml(options).compose(Files.newBufferedReader(p, StandardCharsets.UTF_8));
      flattenNode("", root, out);
    } catch (IOException e) {
      throw new UncheckedIOException(p + ": " + e.getMessage(), e);
    }
    return out;
  }

  private static void flattenNode(String prefix, Node node, Map<String, String> out) {
    if (node == null) {
      return;
    }
    String tag = node.getTag().getValue();
    String tagText = tag.startsWith("!") ? tag + " " : "";
    if (node instanceof MappingNode m) {
      if (!tagText.isEmpty()) {
        out.put(prefix, tagText.trim());
      }
      for (NodeTuple t : m.getValue()) {
        String k = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "?";
        flattenNode(prefix.isEmpty() ? k : prefix + "." + k, t.getValueNode(), out);
      }
    } else if (node instanceof SequenceNode s) {
      List<Node> items = s.getValue();
      if (!tagText.isEmpty()) {
        out.put(prefix, tagText.trim());
      }
      for (int i = 0; i < items.size(); i++) {
        flattenNode(prefix + "[" + i + "]", items.get(i), out);
      }
    } else if (node instanceof ScalarNode s) {
      out.put(prefix, tagText + s.getValue());
    } else {
      out.put(prefix, tagText + "*" + node.getAnchor());
    }
  }
}
