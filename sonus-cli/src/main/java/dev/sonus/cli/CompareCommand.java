package dev.sonus.cli;

import dev.sonus.repro.Compare;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
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

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(Compare.compare(runs).format());
    return 0;
  }
}
