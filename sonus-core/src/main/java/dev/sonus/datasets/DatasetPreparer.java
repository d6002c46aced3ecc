package dev.sonus.datasets;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Turns one corpus, as it sits on disk, into SpeechBrain-style CSV manifests.
 *
 * <p>Every manifest has the columns {@code ID, duration, ...} with audio paths written as {@code
 * $data_root/<path relative to the data folder>}, so that a recipe loads it with {@code data_root =
 * <data_folder>} wherever the corpus lives (as {@code speechbrain.dataio.dataio.load_data_csv}
 * replaces {@code $data_root}).
 *
 * <p>Contract for implementations: check the whole folder (layout, names, every audio header)
 * before writing anything, and fail with an {@link IllegalArgumentException} that names the path,
 * what was expected there and which folder to pass instead; write each manifest atomically, so that
 * a re-run into the same folder replaces the old files and a failed run leaves them as they were;
 * and be deterministic: the same folder and options give byte-identical manifests on any machine.
 */
public interface DatasetPreparer {
  /** The registry name, e.g. {@code an4}: what {@code sonus data prepare NAME} takes. */
  String name();

  /** One or two sentences: what the corpus is and what the manifests hold. */
  String description();

  /** The options this preparer takes, with their defaults, in the order to document them. */
  List<PreparerOption> options();

  /**
   * Scans {@code dataFolder} and writes the manifests into {@code outDir} (created if absent).
   *
   * @param options option values by key ({@code valid_speakers -> 0.1}); absent keys take their
   *     defaults. Keys may be written with dashes ({@code valid-speakers}).
   * @return what was written, one entry per manifest, in split order (train, valid, test)
   * @throws IllegalArgumentException for a folder that does not hold the corpus, an unreadable
   *     recording, an unknown option or a bad option value, naming the path or the option
   * @throws java.io.UncheckedIOException naming the path when a folder cannot be listed or a
   *     manifest written
   */
  List<PreparedManifest> prepare(Path dataFolder, Path outDir, Map<String, String> options);

  /** {@link #prepare(Path, Path, Map)} with every option at its default. */
  default List<PreparedManifest> prepare(Path dataFolder, Path outDir) {
    return prepare(dataFolder, outDir, Map.of());
  }
}
