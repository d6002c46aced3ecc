package dev.sonus.cli;

import dev.sonus.config.Overrides;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;

/** Turns the unmatched {@code --key=value} arguments of a recipe command into overrides. */
final class RecipeOverrides {
  private RecipeOverrides() {}

  /** A YAML float written in decimal: a dot or an exponent. */
  private static final Pattern DECIMAL_FLOAT =
      Pattern.compile("[-+]?(?=[.]?[0-9])[0-9_]*([.][0-9_]*)?([eE][-+]?[0-9]+)?");

  private static final BigDecimal FLOAT_MAX = new BigDecimal(Float.MAX_VALUE);

  /**
   * The overrides. Anything that is not {@code --key=value}, a key given twice, or a float beyond
   * float32's range (which every tensor a recipe value scales is in, so training would fail at its
   * first step) is a usage error naming the argument.
   */
  static Map<String, String> parse(List<String> args, CommandSpec spec) {
    Overrides.Parsed parsed;
    try {
      parsed = Overrides.parse(args.toArray(new String[0]));
    } catch (IllegalArgumentException e) {
      throw OptionChecks.usage(spec, e.getMessage());
    }
    if (!parsed.rest().isEmpty()) {
      throw OptionChecks.usage(
          spec,
          "unexpected arguments " + parsed.rest() + "; recipe overrides are written --key=value");
    }
    parsed.overrides().forEach((key, value) -> checkFloatRange(spec, key, value));
    return parsed.overrides();
  }

  private static void checkFloatRange(CommandSpec spec, String key, String value) {
    String v = value.strip();
    boolean floatSyntax = v.indexOf('.') >= 0 || v.indexOf('e') >= 0 || v.indexOf('E') >= 0;
    if (!floatSyntax || !DECIMAL_FLOAT.matcher(v).matches()) {
      return;
    }
    BigDecimal number;
    try {
      number = new BigDecimal(v.replace("_", ""));
    } catch (NumberFormatException e) {
      return; // not a number after all ("1._"): the recipe binder reports it with the key
    }
    if (number.abs().compareTo(FLOAT_MAX) > 0) {
      throw OptionChecks.usage(
          spec,
          "--"
              + key
              + "="
              + value
              + ": "
              + v
              + " is beyond the float32 range (+-3.4e38) of the tensors recipe values are used"
              + " with; training would fail at its first step");
    }
  }
}
