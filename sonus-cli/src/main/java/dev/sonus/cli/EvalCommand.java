package dev.sonus.cli;

import dev.sonus.inference.Evaluation;
import dev.sonus.inference.Robustness;
import dev.sonus.util.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sonus eval}: evaluate a trained run folder. */
@Command(
    name = "eval",
    description = {
      "Evaluate a trained run folder on its recipe's test set (or --test MANIFEST) "
          + "with its best checkpoint; prints the metrics as JSON and writes eval_<name>.json and the reports "
          + "(e.g. wer_<name>.txt) into the run folder. With --beam/--lm the name gets the decoder's, e.g. "
          + "eval_test_beam10_lm-digits.json."
    })
final class EvalCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      paramLabel = "RUN_DIR",
      description = "output_folder of a 'sonus train' run")
  Path run;

  @Option(
      names = "--test",
      paramLabel = "MANIFEST",
      description = "manifest to evaluate (default: the recipe's " + "test_data)")
  Path test;

  @Option(
      names = "--data_folder",
      paramLabel = "DIR",
      description = "replaces $data_root in the manifest " + "(default: the recipe's data_folder)")
  Path dataFolder;

  @Mixin DecodingOptions decoding = new DecodingOptions();

  @Option(
      names = "--corrupt",
      paramLabel = "noise=DIR_OR_MANIFEST",
      description =
          "also evaluate on the test set corrupted with this real noise at each --snr (the same"
              + " noise, offset and SNR for an utterance every time); prints a table and writes"
              + " robustness_<name>.json and .png")
  String corrupt;

  @Option(
      names = "--snr",
      split = ",",
      paramLabel = "DB",
      description = "SNRs of --corrupt, in dB (default: 20,10,5,0)")
  List<Double> snrs;

  @Option(
      names = "--reverb",
      paramLabel = "DIR_OR_MANIFEST",
      description = "also evaluate with reverberation by these room impulse responses")
  String reverb;

  @Mixin TrustOptions trust = new TrustOptions();

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (corrupt != null || reverb != null) {
      return robustness();
    }
    if (snrs != null) {
      throw new IllegalArgumentException("--snr needs --corrupt noise=DIR_OR_MANIFEST");
    }
    Evaluation.Result r =
        Evaluation.run(
            run,
            test,
            dataFolder,
            decoding.override(),
            trust.runFolder(),
            ProgressBar.forTerminal(spec.commandLine().getErr()));
    Map<String, Object> out = new LinkedHashMap<>(r.metrics());
    spec.commandLine().getOut().println(Json.writePretty(out));
    r.written()
        .forEach((kind, path) -> spec.commandLine().getErr().println("sonus: wrote " + path));
    return 0;
  }

  private int robustness() {
    String noise = null;
    if (corrupt != null) {
      if (!corrupt.startsWith("noise=") || corrupt.length() == "noise=".length()) {
        throw new IllegalArgumentException(
            "--corrupt is '"
                + corrupt
                + "'; expected noise=DIR_OR_MANIFEST, e.g. --corrupt"
                + " noise=../shared/data/speech-samples/noise");
      }
      noise = corrupt.substring("noise=".length());
    }
    List<Double> levels = snrs != null ? snrs : List.of(20.0, 10.0, 5.0, 0.0);
    for (double snr : levels) {
      if (!Double.isFinite(snr) || snr < -30 || snr > 100) {
        throw new IllegalArgumentException(
            "--snr has " + snr + "; give SNRs in dB between -30 and 100, e.g. --snr 20,10,5,0");
      }
    }
    List<Robustness.Condition> conditions = Robustness.conditions(noise, levels, reverb);
    Robustness.Result r =
        Robustness.run(
            run,
            test,
            dataFolder,
            decoding.override(),
            trust.runFolder(),
            conditions,
            ProgressBar.forTerminal(spec.commandLine().getErr()));
    String metric = mainMetric(r.metrics().get(0));
    java.io.PrintWriter o = spec.commandLine().getOut();
    o.printf(java.util.Locale.ROOT, "%-16s %10s%n", "condition", metric);
    for (int i = 0; i < conditions.size(); i++) {
      Double v = r.metrics().get(i).get(metric);
      o.printf(
          java.util.Locale.ROOT,
          "%-16s %10s%n",
          conditions.get(i).name(),
          v == null ? "-" : String.format(java.util.Locale.ROOT, "%.2f", v));
    }
    o.flush();
    Path png =
        r.table().resolveSibling(r.table().getFileName().toString().replace(".json", ".png"));
    Png.write(RobustnessPlot.draw(conditions, r.metrics(), metric), png);
    spec.commandLine().getErr().println("sonus: wrote " + r.table());
    spec.commandLine().getErr().println("sonus: wrote " + png);
    return 0;
  }

  /** WER when the task has it, else its first non-loss metric, else loss. */
  static String mainMetric(Map<String, Double> metrics) {
    for (String k : List.of("WER", "error_rate", "ACC", "EER")) {
      if (metrics.containsKey(k)) {
        return k;
      }
    }
    return metrics.keySet().stream().filter(k -> !k.equals("loss")).findFirst().orElse("loss");
  }
}
