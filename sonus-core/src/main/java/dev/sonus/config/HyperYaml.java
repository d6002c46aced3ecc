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
 * <p>Safety: SnakeYAML only parses; then only what {@link ClassPolicy} allows is built (Sonus's own
 * classes and a few JDK value types by default; see {@link LoadOptions} for widening it), includes
 * stay inside the recipe's folder, and resolution has a node budget and depth limits.
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
    return load(file, overrides, LoadOptions.recipe());
  }

  /**
   * Loads a recipe file with the given trust: which classes may be built, whether its own {@code
   * trusted_classes:} is honoured, whether its includes may leave its folder.
   *
   * @throws ConfigException for any problem, a refused class or include among them
   */
  public static Hparams load(Path file, Map<String, String> overrides, LoadOptions options) {
    return LoadContext.with(
        options,
        file,
        () -> build(YamlReader.readFile(file), file, file.toString(), overrides, options));
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
    return LoadContext.with(
        LoadOptions.recipe(),
        path,
        () ->
            build(
                YamlReader.readRoot(yamlText, Location.of(path, sourceName)),
                path,
                sourceName,
                overrides,
                LoadOptions.recipe()));
  }

  /**
   * Resolves a recipe file without building anything: the YAML text after overrides, includes and
   * references, as {@link Hparams#resolvedYaml()} would give. Useful to show or store a
   * configuration cheaply.
   */
  public static String resolve(Path file, Map<String, String> overrides) {
    return resolve(file, overrides, LoadOptions.recipe());
  }

  /** {@link #resolve(Path, Map)} under the limits of {@code options} (includes, node budget). */
  public static String resolve(Path file, Map<String, String> overrides, LoadOptions options) {
    return LoadContext.with(
        options,
        file,
        () -> {
          Node.Mapping root = YamlReader.readFile(file);
          OverrideApplier.applyAll(root, overrides);
          return YamlWriter.write(References.resolve(root, file));
        });
  }

  /**
   * Loads only some top-level keys of a stored run's {@code hparams.yaml}, building what they
   * reference and nothing else: e.g. the model without re-running the data preparation. As a run
   * folder may come from anyone, its {@code trusted_classes:} is refused ({@link
   * LoadOptions#runFolder()}); see {@link #loadKeys(Path, java.util.Collection, LoadOptions)}.
   * Absent keys are left out (check with {@link Hparams#contains}).
   *
   * @throws ConfigException for any problem in the file, with file, line and key
   */
  public static Hparams loadKeys(Path file, java.util.Collection<String> keys) {
    return loadKeys(file, keys, LoadOptions.runFolder());
  }

  /** {@link #loadKeys(Path, java.util.Collection)} with the given trust. */
  public static Hparams loadKeys(
      Path file, java.util.Collection<String> keys, LoadOptions options) {
    return LoadContext.with(
        options,
        file,
        () -> {
          Node.Mapping resolved = References.resolve(YamlReader.readFile(file), file);
          Builder builder = new Builder(null, policy(resolved, file, options));
          Map<String, Object> values = builder.buildKeys(resolved, java.util.Set.copyOf(keys));
          return new Hparams(
              file.toString(), values, builder.locations(), YamlWriter.write(resolved));
        });
  }

  /**
   * Loads only some top-level keys of a foreign hyperparameter file (a SpeechBrain model folder's
   * {@code hyperparams.yaml}), every class mapped through {@code table}: what the table lacks is
   * refused by name.
   *
   * @param table the classes the file may name
   * @throws ConfigException for any problem in the file, with file, line and key
   */
  public static Hparams loadKeys(Path file, java.util.Collection<String> keys, ClassTable table) {
    return LoadContext.with(
        LoadOptions.runFolder(),
        file,
        () -> {
          Node.Mapping resolved = References.resolve(YamlReader.readFile(file), file);
          Builder builder = new Builder(table, ClassPolicy.sonusOnly());
          Map<String, Object> values = builder.buildKeys(resolved, java.util.Set.copyOf(keys));
          return new Hparams(
              file.toString(), values, builder.locations(), YamlWriter.write(resolved));
        });
  }

  /** The key with which a recipe names the class prefixes it needs beyond Sonus's own. */
  public static final String TRUSTED_CLASSES = "trusted_classes";

  private static Hparams build(
      Node.Mapping root,
      Path path,
      String sourceName,
      Map<String, String> overrides,
      LoadOptions options) {
    OverrideApplier.applyAll(root, overrides);
    Node.Mapping resolved = References.resolve(root, path);
    Builder builder = new Builder(null, policy(resolved, path, options));
    Map<String, Object> values = builder.buildRoot(resolved);
    return new Hparams(sourceName, values, builder.locations(), YamlWriter.write(resolved));
  }

  /**
   * The policy of {@code options} plus the file's {@code trusted_classes}, when they may be
   * honoured.
   */
  private static ClassPolicy policy(Node.Mapping resolved, Path file, LoadOptions options) {
    Node trusted = resolved.entries.get(TRUSTED_CLASSES);
    if (trusted == null) {
      return options.policy();
    }
    java.util.List<String> prefixes = new java.util.ArrayList<>();
    if (trusted instanceof Node.Sequence seq) {
      for (Node item : seq.items) {
        if (!(item instanceof Node.Scalar sc) || sc.tag != null) {
          throw new ConfigException(
              item.location,
              TRUSTED_CLASSES,
              "must list class name prefixes as plain strings, e.g. [com.example.]");
        }
        prefixes.add(String.valueOf(sc.value));
      }
    } else if (trusted instanceof Node.Scalar sc && sc.tag == null) {
      prefixes.add(String.valueOf(sc.value));
    } else {
      throw new ConfigException(
          trusted.location,
          TRUSTED_CLASSES,
          "must be a list of class name prefixes, e.g. [com.example.]");
    }
    boolean coveredByCaller = true;
    for (String prefix : prefixes) {
      coveredByCaller &=
          options.policy().allowsEverything()
              || options.policy().allowedPrefixes().contains(prefix);
    }
    if (!options.recipeTrust() && !options.trust() && !coveredByCaller) {
      throw new ConfigException(
          resolved.locationOf(TRUSTED_CLASSES),
          TRUSTED_CLASSES,
          "this run folder asks to run classes outside Sonus "
              + prefixes
              + " ("
              + file
              + "); a folder from someone else could run anything that way. Open it with --trust"
              + " only if you trust where it came from, or allow just what you need with"
              + " --allow-classes");
    }
    return options.policy().allowing(prefixes);
  }

  private static Path asPath(String sourceName) {
    try {
      return Path.of(sourceName);
    } catch (InvalidPathException e) {
      return null;
    }
  }
}
