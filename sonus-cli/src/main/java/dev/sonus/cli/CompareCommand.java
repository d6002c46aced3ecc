package dev.sonus.cli;

import dev.sonus.repro.Compare;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sonus compare}: final metrics of several runs with confidence intervals, and how the runs
 * differ.
 */
@Command(
    name = "compare",
    description = {
      "Compare run folders: each final metric as mean ± 95%% confidence "
          + "interval over the runs, then the differences in configuration, environment and data."
    })
final class CompareCommand implements Callable<Integer> {
  @Parameters(
      arity = "1..*",
      paramLabel = "RUN_DIR",
      description = "run folders (output_folder of sonus train)")
  List<Path> runs;

  @Option(
      names = "--write-interval",
      description =
          "also write each metric's mean and 95%% interval into every run folder as "
              + Compare.INTERVAL_FILE
              + ", so that sonus replay on another machine judges its drift against the spread"
              + " of these runs (use with runs that differ only in their seed)")
  boolean writeInterval;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Compare.Result result = Compare.compare(runs);
    spec.commandLine().getOut().print(result.format());
    if (writeInterval) {
      for (java.nio.file.Path f : Compare.writeIntervals(result)) {
        spec.commandLine().getErr().println("sonus: wrote " + f);
      }
    }
    return 0;
  }
}
