package dev.sonus.cli;

import dev.sonus.inference.Evaluation;
import dev.sonus.util.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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

  @Mixin TrustOptions trust = new TrustOptions();

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
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
}
