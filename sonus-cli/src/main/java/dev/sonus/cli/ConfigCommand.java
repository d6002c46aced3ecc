package dev.sonus.cli;

import dev.sonus.config.HyperYaml;
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

/** {@code sonus config}: resolve a recipe's hyperparameters. */
@Command(
    name = "config",
    description = {
      "Print a recipe's YAML with command-line overrides applied and every "
          + "!ref resolved (what a run records as hparams.yaml).",
      "Overrides: --key=value or --a.b=value (values are YAML: --lr=0.1, --channels=[32,64])."
    })
final class ConfigCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "RECIPE.yaml", description = "the recipe")
  Path recipe;

  @Option(
      names = "--build",
      description = "also build every object (!new, !apply) to check that the recipe " + "loads")
  boolean build;

  @Unmatched List<String> overrides = new ArrayList<>();

  @Mixin TrustOptions trust = new TrustOptions();

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    java.util.Map<String, String> given = RecipeOverrides.parse(overrides, spec);
    String yaml =
        build
            ? HyperYaml.load(recipe, given, trust.recipe()).resolvedYaml()
            : HyperYaml.resolve(recipe, given, trust.recipe());
    spec.commandLine().getOut().print(yaml.endsWith("\n") ? yaml : yaml + "\n");
    return 0;
  }
}
