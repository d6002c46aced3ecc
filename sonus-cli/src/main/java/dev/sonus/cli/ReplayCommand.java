package dev.sonus.cli;

import dev.sonus.run.Replay;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sonus replay}: re-run a run from its bundle and compare. */
@Command(
    name = "replay",
    description = {
      "Re-run a run from its bundle (hparams.yaml, env.json, data.json): warn on "
          + "every environment and data difference, train again, and report each metric as identical, within "
          + "tolerance or different.",
      "Exits 0 when identical, 1 otherwise."
    })
final class ReplayCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "RUN_DIR", description = "the original run folder")
  Path run;

  @Option(
      names = {"--output_folder", "--output-folder"},
      paramLabel = "DIR",
      description = "where the replay " + "writes (default: RUN_DIR-replay)")
  Path output;

  @Option(
      names = "--tolerance",
      defaultValue = "1e-6",
      description = "relative tolerance for 'within tolerance' " + "(default: ${DEFAULT-VALUE})")
  double tolerance;

  @Mixin TrustOptions trust = new TrustOptions();

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    OptionChecks.finiteIn(spec, "--tolerance", tolerance, 0, 1, "a relative difference");
    Path out = output != null ? output : run.resolveSibling(run.getFileName() + "-replay");
    Replay.Report report =
        Replay.replay(
            run,
            out,
            tolerance,
            trust.runFolder(),
            ProgressBar.forTerminal(spec.commandLine().getErr()));
    spec.commandLine().getOut().print(report.format());
    return report.identical() ? 0 : 1;
  }
}
