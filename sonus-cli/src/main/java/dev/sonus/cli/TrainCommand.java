package dev.sonus.cli;

import dev.sonus.run.Runner;
import dev.sonus.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/** {@code sonus train}: run a recipe. */
@Command(
    name = "train",
    description = {
      "Train from a recipe (YAML hyperparameters + manifests); writes a run bundle "
          + "to output_folder and resumes from its checkpoints if it has some, provided they come "
          + "from the same recipe (keys such as number_of_epochs or num_workers may change; "
          + "others need --resume-anyway). One run at a time per output_folder.",
      "Overrides: --key=value, e.g. --number_of_epochs=1 --data_folder=../data."
    })
final class TrainCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "RECIPE.yaml", description = "the recipe")
  Path recipe;

  @Option(
      names = "--resume-anyway",
      description =
          "continue the output folder's checkpoints even though the recipe differs from its "
              + "hparams.yaml in keys that may not change on resuming (the differences are recorded "
              + "in train_log.jsonl); without it such a run is refused with the differences")
  boolean resumeAnyway;

  @Unmatched List<String> overrides = new ArrayList<>();

  @Mixin TrustOptions trust = new TrustOptions();

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    java.util.Map<String, String> given = RecipeOverrides.parse(overrides, spec);
    Runner.Result r =
        Runner.train(
            recipe,
            given,
            trust.recipe(),
            ProgressBar.forTerminal(spec.commandLine().getErr()),
            new Runner.Options(resumeAnyway));
    spec.commandLine().getOut().println(Json.writePretty(r.metrics()));
    spec.commandLine().getErr().println("sonus: run bundle in " + r.folder());
    return 0;
  }
}
