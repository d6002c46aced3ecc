package dev.sonus.run;

import dev.sonus.config.Hparams;
import dev.sonus.config.LoadOptions;
import dev.sonus.repro.Compare;
import dev.sonus.repro.DataFingerprint;
import dev.sonus.repro.Environment;
import dev.sonus.train.Progress;
import dev.sonus.util.JsonFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-runs a run from its bundle and says whether the result is the same: first every difference of
 * environment (which library version, which CPU) and data (which file changed) from the original
 * run, then the run itself into a new folder, then each final metric as identical, within
 * tolerance, or different.
 */
public final class Replay {
  private static final Logger LOG = LoggerFactory.getLogger(Replay.class);
  private static final Set<String> IGNORED_ENV = Set.of("written_at", "bundle_format", "git_dirty");

  private Replay() {}

  /** How a metric of the replay compares with the original. */
  public enum Verdict {
    IDENTICAL,
    WITHIN_TOLERANCE,
    DIFFERENT,
    MISSING,
    NOT_COMPARED
  }

  /**
   * One metric.
   *
   * @param name metric name
   * @param original value in the original run
   * @param replayed value in the replay
   * @param verdict the comparison
   */
  public record MetricCheck(String name, Object original, Object replayed, Verdict verdict) {}

  /**
   * The outcome.
   *
   * @param original the original run folder
   * @param replay the replay's run folder
   * @param environment differences of environment (field: original -> now)
   * @param data differences of data (files, rows, manifests)
   * @param metrics metric by metric
   * @param intervals the original run's seed intervals by metric ({@value
   *     dev.sonus.repro.Compare#INTERVAL_FILE}, written by {@code sonus compare --write-interval}),
   *     empty when it has none
   */
  public record Report(
      Path original,
      Path replay,
      List<String> environment,
      List<String> data,
      List<MetricCheck> metrics,
      Map<String, Compare.Interval> intervals) {

    /**
     * The environment differences that change which native kernels run, and so the rounding of
     * every result: CPU model, SIMD, ATen's vector level, the BLAS and its kernel family, oneDNN,
     * and variables that override their choice.
     */
    public List<String> kernelDifferences() {
      return environment.stream().filter(Replay::aboutKernels).toList();
    }

    /** Whether every compared metric with an interval lies inside it. */
    public boolean withinSeedIntervals() {
      for (MetricCheck m : metrics) {
        Compare.Interval iv = intervals.get(m.name());
        if (iv != null
            && m.verdict() != Verdict.NOT_COMPARED
            && !(m.replayed() instanceof Number n && iv.contains(n.doubleValue()))) {
          return false;
        }
      }
      return true;
    }

    /** The drift of one metric against its seed interval, or "" when it has none. */
    private String drift(MetricCheck m) {
      Compare.Interval iv = intervals.get(m.name());
      if (iv == null
          || m.verdict() == Verdict.IDENTICAL
          || m.verdict() == Verdict.NOT_COMPARED
          || !(m.original() instanceof Number a && m.replayed() instanceof Number b)) {
        return "";
      }
      double d = b.doubleValue() - a.doubleValue();
      return String.format(
          Locale.ROOT,
          "; drift %+.4g, %s the seed interval %.4g ± %.4g (%d runs)",
          d,
          iv.contains(b.doubleValue()) ? "inside" : "OUTSIDE",
          iv.mean(),
          iv.halfWidth(),
          iv.runs());
    }

    /** Whether every compared metric is identical. */
    public boolean identical() {
      return metrics.stream()
          .allMatch(m -> m.verdict() == Verdict.IDENTICAL || m.verdict() == Verdict.NOT_COMPARED);
    }

    /** A readable report. */
    public String format() {
      StringBuilder sb = new StringBuilder();
      sb.append("replay of ").append(original).append(" in ").append(replay).append('\n');
      sb.append(environment.isEmpty() ? "environment: same\n" : "environment differences:\n");
      environment.forEach(l -> sb.append("  ").append(l).append('\n'));
      List<String> kernels = kernelDifferences();
      if (!kernels.isEmpty()) {
        sb.append(
            "kernels differ ("
                + kernels.stream().map(l -> l.substring(0, l.indexOf(':'))).toList()
                + "): other native kernels round differently, so a long run drifts; expect metrics"
                + " within the seed spread, not identical ones\n");
      }
      sb.append(data.isEmpty() ? "data: same\n" : "data differences:\n");
      data.forEach(l -> sb.append("  ").append(l).append('\n'));
      sb.append("metrics:\n");
      for (MetricCheck m : metrics) {
        sb.append(
            String.format(
                Locale.ROOT,
                "  %-20s %-24s %-24s %s%s%n",
                m.name(),
                m.original(),
                m.replayed(),
                m.verdict().name().toLowerCase(Locale.ROOT).replace('_', ' '),
                drift(m)));
      }
      if (identical()) {
        sb.append("result: identical\n");
      } else if (!intervals.isEmpty() && withinSeedIntervals()) {
        sb.append("result: differs, but every metric lies within the original's seed interval\n");
      } else {
        sb.append(
            intervals.isEmpty()
                ? "result: differs (see above; sonus compare --write-interval on the original's"
                    + " seeds lets a replay be judged against their spread)\n"
                : "result: differs beyond the original's seed interval (see above)\n");
      }
      return sb.toString();
    }
  }

  /**
   * Replays a run.
   *
   * @param runDir the original run's folder
   * @param outputFolder where the replay writes its bundle
   * @param tolerance relative tolerance for "within tolerance"
   */
  public static Report replay(Path runDir, Path outputFolder, double tolerance, Progress progress) {
    return replay(runDir, outputFolder, tolerance, LoadOptions.runFolder(), progress);
  }

  /**
   * {@link #replay(Path, Path, double, Progress)} with the given trust: a run folder may come from
   * anyone, so by default its {@code trusted_classes} are refused ({@link
   * LoadOptions#runFolder()}).
   */
  public static Report replay(
      Path runDir, Path outputFolder, double tolerance, LoadOptions options, Progress progress) {
    for (String f : List.of("hparams.yaml", "env.json", "data.json", "metrics.json")) {
      if (!Files.isRegularFile(runDir.resolve(f))) {
        throw new IllegalArgumentException(
            runDir.resolve(f)
                + " is missing: "
                + runDir
                + " is not a complete Sonus run folder (was the run finished?)");
      }
    }
    if (outputFolder.toAbsolutePath().normalize().equals(runDir.toAbsolutePath().normalize())) {
      throw new IllegalArgumentException(
          "the replay's output folder must differ from the original run folder "
              + runDir
              + "; pass --output_folder");
    }
    Hparams h =
        Runner.load(
            runDir.resolve("hparams.yaml"),
            Map.of("output_folder", outputFolder.toString()),
            options);
    List<String> env =
        environmentDifferences(read(runDir.resolve("env.json")), Environment.capture().toMap());
    List<String> data =
        DataFingerprint.differences(
            DataFingerprint.fromJson(read(runDir.resolve("data.json"))), Runner.fingerprint(h));
    env.forEach(l -> LOG.warn("environment differs: {}", l));
    data.forEach(l -> LOG.warn("data differs: {}", l));
    Runner.Result result = Runner.run(h, progress, Runner.Options.defaults(), "replay");
    Map<String, Object> before = read(runDir.resolve("metrics.json"));
    List<MetricCheck> checks = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>(before.keySet());
    names.addAll(result.metrics().keySet());
    for (String name : names) {
      Object a = before.get(name);
      Object b = result.metrics().get(name);
      checks.add(new MetricCheck(name, a, b, verdict(name, a, b, tolerance)));
    }
    return new Report(runDir, result.folder(), env, data, checks, Compare.readIntervals(runDir));
  }

  private static Verdict verdict(String name, Object a, Object b, double tolerance) {
    if (name.endsWith("seconds")) {
      return Verdict.NOT_COMPARED;
    }
    if (a == null || b == null) {
      return Verdict.MISSING;
    }
    if (a instanceof Number x && b instanceof Number y) {
      double u = x.doubleValue();
      double v = y.doubleValue();
      if (Double.compare(u, v) == 0) {
        return Verdict.IDENTICAL;
      }
      return Math.abs(u - v) <= tolerance * Math.max(1.0, Math.abs(u))
          ? Verdict.WITHIN_TOLERANCE
          : Verdict.DIFFERENT;
    }
    return a.equals(b) ? Verdict.IDENTICAL : Verdict.DIFFERENT;
  }

  /** Environment fields that decide which native kernels run. */
  private static final List<String> KERNEL_FIELDS =
      List.of(
          "cpu_model",
          "simd",
          "libtorch.cpu_capability",
          "libtorch.blas",
          "libtorch.blas_core",
          "libtorch.onednn",
          "libtorch.kernel_settings",
          "libtorch.version",
          "bytedeco.");

  private static boolean aboutKernels(String line) {
    for (String f : KERNEL_FIELDS) {
      if (line.startsWith(f)) {
        return true;
      }
    }
    return false;
  }

  static List<String> environmentDifferences(Map<String, Object> before, Map<String, Object> now) {
    Map<String, String> a = new TreeMap<>();
    Map<String, String> b = new TreeMap<>();
    Compare.flatten("", before, a);
    Compare.flatten("", now, b);
    Set<String> keys = new java.util.TreeSet<>(a.keySet());
    keys.addAll(b.keySet());
    List<String> out = new ArrayList<>();
    for (String k : keys) {
      if (IGNORED_ENV.contains(k)) {
        continue;
      }
      String x = a.getOrDefault(k, "(absent)");
      String y = b.getOrDefault(k, "(absent)");
      if (!x.equals(y)) {
        out.add(k + ": " + x + " -> " + y);
      }
    }
    return out;
  }

  private static Map<String, Object> read(Path p) {
    return JsonFile.read(p).map();
  }
}
