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

  /** The file {@link #writeIntervals} puts into each compared run folder. */
  public static final String INTERVAL_FILE = "seed_interval.json";

  /**
   * Writes the comparison's intervals into each run folder as {@value #INTERVAL_FILE}: the runs,
   * their seeds, and for every metric its values, mean and 95% half-width. {@code sonus replay}
   * reads it to judge a replay's drift against the spread of seeds rather than against exact
   * equality.
   *
   * @return the files written
   */
  public static List<Path> writeIntervals(Result result) {
    if (result.runs().size() < 2) {
      throw new IllegalArgumentException(
          "a seed interval needs at least two runs; got " + result.runs().size());
    }
    Map<String, Object> doc = new java.util.LinkedHashMap<>();
    List<String> folders = new ArrayList<>();
    List<Object> seeds = new ArrayList<>();
    for (Path run : result.runs()) {
      folders.add(run.toAbsolutePath().normalize().toString());
      String seed = flattenYaml(run.resolve("hparams.yaml")).get("seed");
      seeds.add(seed);
    }
    doc.put("runs", folders);
    doc.put("seeds", seeds);
    Map<String, Object> metrics = new java.util.LinkedHashMap<>();
    for (MetricSummary m : result.metrics()) {
      if (!Double.isFinite(m.halfWidth())) {
        continue;
      }
      Map<String, Object> e = new java.util.LinkedHashMap<>();
      e.put("mean", m.mean());
      e.put("half_width", m.halfWidth());
      e.put("values", m.values());
      metrics.put(m.name(), e);
    }
    doc.put("metrics", metrics);
    String text = dev.sonus.util.Json.writePretty(doc) + "\n";
    List<Path> written = new ArrayList<>();
    for (Path run : result.runs()) {
      Path f = run.resolve(INTERVAL_FILE);
      dev.sonus.tensor.AtomicFiles.writeString(f, text);
      written.add(f);
    }
    return written;
  }

  /**
   * A metric's interval from a run folder's {@value #INTERVAL_FILE}.
   *
   * @param mean mean over the seeds
   * @param halfWidth 95% half-width
   * @param runs how many runs it came from
   */
  public record Interval(double mean, double halfWidth, int runs) {
    /** Whether {@code value} lies inside. */
    public boolean contains(double value) {
      return Math.abs(value - mean) <= halfWidth;
    }
  }

  /** The intervals stored in {@code runDir}, by metric; empty when it has none. */
  public static Map<String, Interval> readIntervals(Path runDir) {
    Path f = runDir.resolve(INTERVAL_FILE);
    Map<String, Interval> out = new java.util.LinkedHashMap<>();
    if (!Files.isRegularFile(f)) {
      return out;
    }
    Map<String, Object> doc = JsonFile.read(f).map();
    if (doc.get("metrics") instanceof Map<?, ?> metrics) {
      for (Map.Entry<?, ?> e : metrics.entrySet()) {
        if (e.getValue() instanceof Map<?, ?> m
            && m.get("mean") instanceof Number mean
            && m.get("half_width") instanceof Number hw
            && Double.isFinite(mean.doubleValue())
            && Double.isFinite(hw.doubleValue())) {
          int n = m.get("values") instanceof List<?> l ? l.size() : 0;
          out.put(
              String.valueOf(e.getKey()), new Interval(mean.doubleValue(), hw.doubleValue(), n));
        } else {
          throw new IllegalArgumentException(
              f
                  + ": metric "
                  + e.getKey()
                  + " has no finite mean and half_width; rewrite the file"
                  + " with sonus compare --write-interval");
        }
      }
    }
    return out;
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
      flattenNode("", root, out, new int[] {MAX_FLATTENED}, p);
    } catch (IOException e) {
      throw new UncheckedIOException(p + ": " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * Most entries one hparams.yaml flattens to: aliases share nodes, which flattening expands, so a
   * hostile file of a few hundred bytes could otherwise expand without end.
   */
  static final int MAX_FLATTENED = 200_000;

  private static void flattenNode(
      String prefix, Node node, Map<String, String> out, int[] budget, Path file) {
    if (node == null) {
      return;
    }
    if (--budget[0] < 0 || prefix.length() > 10_000) {
      throw new IllegalArgumentException(
          file
              + ": its aliases or nesting expand to more than "
              + MAX_FLATTENED
              + " entries, far beyond any recipe; it is not a run folder's hparams.yaml as Sonus"
              + " writes it");
    }
    String tag = node.getTag().getValue();
    String tagText = tag.startsWith("!") ? tag + " " : "";
    if (node instanceof MappingNode m) {
      if (!tagText.isEmpty()) {
        out.put(prefix, tagText.trim());
      }
      for (NodeTuple t : m.getValue()) {
        String k = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "?";
        flattenNode(prefix.isEmpty() ? k : prefix + "." + k, t.getValueNode(), out, budget, file);
      }
    } else if (node instanceof SequenceNode s) {
      List<Node> items = s.getValue();
      if (!tagText.isEmpty()) {
        out.put(prefix, tagText.trim());
      }
      for (int i = 0; i < items.size(); i++) {
        flattenNode(prefix + "[" + i + "]", items.get(i), out, budget, file);
      }
    } else if (node instanceof ScalarNode s) {
      out.put(prefix, tagText + s.getValue());
    } else {
      out.put(prefix, tagText + "*" + node.getAnchor());
    }
  }
}
