package dev.sonus.cli;

import dev.sonus.config.Overrides;
import java.util.List;
import java.util.Map;

/** Turns the unmatched {@code --key=value} arguments of a recipe command into overrides. */
final class RecipeOverrides {
  private RecipeOverrides() {}

  /** The overrides; anything that is not {@code --key=value} is a usage error naming it. */
  static Map<String, String> parse(List<String> args) {
    Overrides.Parsed parsed = Overrides.parse(args.toArray(new String[0]));
    if (!parsed.rest().isEmpty()) {
      throw new IllegalArgumentException(
          "unexpected arguments " + parsed.rest() + "; recipe overrides are written --key=value");
    }
    return parsed.overrides();
  }
}
