package dev.sonus.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Splits command-line arguments into recipe overrides ({@code --key=value}, {@code
 * --section.key=value}) and the rest, like SpeechBrain's {@code parse_arguments}.
 *
 * <p>Values are YAML text, parsed when applied: {@code --lr=0.1} is a float, {@code
 * --channels=[32,64]} a list, {@code --name=foo} a string, {@code --model=!new:models.Cnn
 * {num_classes: 5}} an object. Only the {@code =} form is an override, so that flags of the command
 * itself stay unambiguous. {@code --+key=value} adds a key the recipe does not have. A bare {@code
 * --} ends the overrides: everything after it is left over.
 */
public final class Overrides {
  private static final Pattern OVERRIDE =
      Pattern.compile("--\\+?[A-Za-z_][A-Za-z0-9_.\\[\\]-]*=.*", Pattern.DOTALL);

  private Overrides() {}

  /**
   * Overrides (dotted key to YAML text, in the given order) and the arguments that are not
   * overrides.
   *
   * @param overrides key ({@code lr}, {@code model.n_mels}, or {@code +new_key}) to the value's
   *     YAML text
   * @param rest the other arguments, in order
   */
  public record Parsed(Map<String, String> overrides, List<String> rest) {
    /** Makes unmodifiable copies. */
    public Parsed {
      overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
      rest = List.copyOf(rest);
    }
  }

  /**
   * Separates {@code --key=value} overrides from the other arguments.
   *
   * @throws IllegalArgumentException when a key is given twice
   */
  public static Parsed parse(String... args) {
    Map<String, String> overrides = new LinkedHashMap<>();
    List<String> rest = new ArrayList<>();
    boolean done = false;
    for (String arg : args) {
      if (done) {
        rest.add(arg);
      } else if (arg.equals("--")) {
        done = true;
      } else if (OVERRIDE.matcher(arg).matches()) {
        int eq = arg.indexOf('=');
        String key = arg.substring(2, eq);
        String value = arg.substring(eq + 1);
        String previous = overrides.put(key, value);
        if (previous != null) {
          throw new IllegalArgumentException(
              "override --"
                  + key
                  + " is given twice ('"
                  + previous
                  + "' and '"
                  + value
                  + "'); keep one");
        }
      } else {
        rest.add(arg);
      }
    }
    return new Parsed(overrides, rest);
  }
}
