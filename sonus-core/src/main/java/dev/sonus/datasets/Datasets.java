package dev.sonus.datasets;

import dev.sonus.util.RecipeCallable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The registry of corpus preparers by name: {@code fsdd}, {@code an4}, {@code speech-commands},
 * {@code noizeus}, and {@code folders} for any corpus laid out as one folder per class.
 *
 * <p>From a recipe: {@code prepare: !apply:datasets.Datasets.prepare [an4, !ref <data_folder>, !ref
 * <output_folder>/manifests]}.
 */
public final class Datasets {
  private static final List<DatasetPreparer> ALL =
      List.of(
          new FsddPreparer(),
          new An4Preparer(),
          new SpeechCommandsPreparer(),
          new NoizeusPreparer(),
          new FoldersPreparer());

  private Datasets() {}

  /** Every preparer, in the order to document them. */
  public static List<DatasetPreparer> all() {
    return ALL;
  }

  /** The registered names, in the order of {@link #all()}. */
  public static List<String> names() {
    return ALL.stream().map(DatasetPreparer::name).toList();
  }

  /** The preparer called {@code name} (case-insensitive), if there is one. */
  public static Optional<DatasetPreparer> find(String name) {
    return ALL.stream().filter(p -> p.name().equalsIgnoreCase(name.trim())).findFirst();
  }

  /**
   * The preparer called {@code name}.
   *
   * @throws IllegalArgumentException naming the unknown name, the known ones and the closest
   */
  public static DatasetPreparer get(String name) {
    return find(name)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    String.format(
                        "no corpus preparer named '%s'%s; known: %s",
                        name, Suggestions.didYouMean(name, names()), String.join(", ", names()))));
  }

  /**
   * Runs the preparer called {@code name} with every option at its default; see {@link
   * DatasetPreparer}.
   */
  @RecipeCallable
  public static List<PreparedManifest> prepare(String name, Path dataFolder, Path outDir) {
    return get(name).prepare(dataFolder, outDir);
  }

  /**
   * Runs the preparer called {@code name} with these options; see {@link DatasetPreparer#prepare}.
   */
  @RecipeCallable
  public static List<PreparedManifest> prepare(
      String name, Path dataFolder, Path outDir, Map<String, String> options) {
    return get(name).prepare(dataFolder, outDir, options);
  }
}
