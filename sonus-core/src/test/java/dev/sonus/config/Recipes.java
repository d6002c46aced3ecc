package dev.sonus.config;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.function.Executable;

/** Test helpers: load a recipe text named {@code recipe.yaml}, and check error messages. */
final class Recipes {
  private Recipes() {}

  /** Loads {@code text} as {@code recipe.yaml} with overrides written {@code "key=value"}. */
  static Hparams load(String text, String... overrides) {
    return HyperYaml.load(text, "recipe.yaml", overrides(overrides));
  }

  static Map<String, String> overrides(String... keyValues) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String kv : keyValues) {
      int eq = kv.indexOf('=');
      out.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return out;
  }

  /**
   * Asserts that loading fails with a {@link ConfigException} whose message contains every
   * fragment.
   */
  static ConfigException fails(String text, String[] overrides, String... fragments) {
    return failsWith(() -> load(text, overrides), fragments);
  }

  static ConfigException fails(String text, String... fragments) {
    return fails(text, new String[0], fragments);
  }

  static ConfigException failsWith(Executable code, String... fragments) {
    ConfigException e = assertThrows(ConfigException.class, code);
    for (String fragment : fragments) {
      assertTrue(
          e.getMessage().contains(fragment),
          () -> "message lacks '" + fragment + "': " + e.getMessage());
    }
    return e;
  }
}
