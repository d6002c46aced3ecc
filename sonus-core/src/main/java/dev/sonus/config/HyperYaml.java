package dev.sonus.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Loads HyperPyYAML recipes, SpeechBrain's hyperparameter files, into {@link Hparams}: overrides
 * applied, then {@code !ref}/{@code !copy}/{@code !include:} resolved, then objects built in file
 * order.
 *
 * <pre>{@code
 * Overrides.Parsed args = Overrides.parse(argv);             // --n_mels=80 --model.channels=[32,64]
 * Hparams hp = HyperYaml.load(Path.of("recipe.yaml"), args.overrides());
 * Fbank features = hp.get("features", Fbank.class);
 * }</pre>
 *
 * <p>Tags: {@code !new:Class} (build, keyword args as a mapping or positional as a list), {@code
 * !name:Class} or {@code !name:Class.staticMethod} (a {@link Factory}), {@code
 * !apply:Class.staticMethod} (call now), {@code !ref <key>} (same object; string interpolation and
 * arithmetic), {@code !copy <key>} (a separate deep copy), {@code !include:other.yaml} (with a
 * mapping of overrides for it), {@code !PLACEHOLDER} (must be overridden), {@code !tuple (1, 2)}
 * and plain {@code (1, 2)} (an unmodifiable list). Class names are {@code <package>.<Class>} for
 * Sonus classes ({@code features.Fbank}) or fully qualified for any other.
 *
 * <p>Safety: SnakeYAML only parses; nothing runs except the constructors and public static methods
 * the recipe names. As with HyperPyYAML, a recipe can name any public class, so load only recipes
 * you trust.
 */
public final class HyperYaml {
  private HyperYaml() {}

  /**
   * Loads a recipe file.
   *
   * @param overrides dotted key to YAML value text ({@code "lr" -> "0.1"}), as from {@link
   *     Overrides#parse}
   * @throws ConfigException for any problem in the recipe or the overrides, with file, line and key
   * @throws java.io.UncheckedIOException naming the path when the file cannot be read
   */
  public static Hparams load(Path file, Map<String, String> overrides) {
    Node.Mapping root = YamlReader.readFile(file);
    return build(root, file, file.toString(), overrides);
  }

  /** Loads a recipe file without overrides. */
  public static Hparams load(Path file) {
    return load(file, Map.of());
  }

  /**
   * Loads a recipe from text.
   *
   * @param sourceName name for messages; when it is a path, {@code !include:} paths are relative to
   *     its folder (otherwise to the working directory)
   * @throws ConfigException for any problem in the recipe or the overrides, with source name, line
   *     and key
   */
  public static Hparams load(String yamlText, String sourceName, Map<String, String> overrides) {
    Path path = asPath(sourceName);
    Node.Mapping root = YamlReader.readRoot(yamlText, Location.of(path, sourceName));
    return build(root, path, sourceName, overrides);
  }

  /**
   * Resolves a recipe file without building anything: the YAML text after overrides, includes and
   * references, as {@link Hparams#resolvedYaml()} would give. Useful to show or store a
   * configuration cheaply.
   */
  public static String resolve(Path file, Map<String, String> overrides) {
    Node.Mapping root = YamlReader.readFile(file);
    OverrideApplier.applyAll(root, overrides);
    return YamlWriter.write(References.resolve(root, file));
  }

  /**
   * Loads only some top-level keys of a recipe file, building what they reference and nothing else:
   * e.g. the model of a stored run ({@code hparams.yaml}) without re-running its data preparation.
   * Absent keys are left out (check with {@link Hparams#contains}).
   *
   * @throws ConfigException for any problem in the recipe, with file, line and key
   */
  public static Hparams loadKeys(Path file, java.util.Collection<String> keys) {
    return loadKeys(file, keys, null);
  }

  /**
   * Loads only some top-level keys of a foreign hyperparameter file (a SpeechBrain model folder's
   * {@code hyperparams.yaml}), every class mapped through {@code table}: what the table lacks is
   * refused by name.
   *
   * @param table the classes the file may name, or null for a recipe's rules
   * @throws ConfigException for any problem in the file, with file, line and key
   */
  public static Hparams loadKeys(Path file, java.util.Collection<String> keys, ClassTable table) {
    Node.Mapping resolved = References.resolve(YamlReader.readFile(file), file);
    Builder builder = new Builder(table);
    Map<String, Object> values = builder.buildKeys(resolved, java.util.Set.copyOf(keys));
    return new Hparams(file.toString(), values, builder.locations(), YamlWriter.write(resolved));
  }

  private static Hparams build(
      Node.Mapping root, Path path, String sourceName, Map<String, String> overrides) {
    OverrideApplier.applyAll(root, overrides);
    Node.Mapping resolved = References.resolve(root, path);
    Builder builder = new Builder();
    Map<String, Object> values = builder.buildRoot(resolved);
    return new Hparams(sourceName, values, builder.locations(), YamlWriter.write(resolved));
  }

  private static Path asPath(String sourceName) {
    try {
      return Path.of(sourceName);
    } catch (InvalidPathException e) {
      return null;
    }
  }
}
