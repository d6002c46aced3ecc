package dev.sonus.experiments;

import dev.sonus.data.Manifest;
import dev.sonus.tokenize.LabelEncoder;
import dev.sonus.train.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The labels of a task that learns them from its training data and keeps them in the run folder
 * ({@code label_encoder.txt}, SpeechBrain's format): read back when a trained run is loaded, built
 * from the training manifest otherwise, and checked against the model's outputs either way.
 */
final class RunLabels {
  private static final Logger LOG = LoggerFactory.getLogger(RunLabels.class);

  /** File name of the label encoder in the run folder. */
  static final String FILE = "label_encoder.txt";

  private final String task;
  private final BiConsumer<LabelEncoder, String> check;
  private Path runFolder;
  private LabelEncoder labels;

  /**
   * Labels for a task.
   *
   * @param task the task's name, for messages
   * @param check throws (naming the source given to it) when a label encoder does not fit the model
   */
  RunLabels(String task, BiConsumer<LabelEncoder, String> check) {
    this.task = task;
    this.check = check;
  }

  /** Remembers the run folder and loads its label encoder when it has one. */
  void useRunFolder(Path folder) {
    this.runFolder = folder;
    Path file = folder.resolve(FILE);
    if (Files.isRegularFile(file)) {
      use(LabelEncoder.load(file), file.toString());
    }
  }

  /** The run folder given to {@link #useRunFolder}, or null. */
  Path runFolder() {
    return runFolder;
  }

  /** The labels, or null before they are built or loaded. */
  LabelEncoder get() {
    return labels;
  }

  /** The labels, or an error telling how to get them. */
  LabelEncoder require() {
    if (labels == null) {
      throw new IllegalStateException(
          task + " has no label encoder: load a trained run folder (it holds " + FILE + ") first");
    }
    return labels;
  }

  /**
   * The labels for a dataset of {@code stage}: those already known, or, for the training set,
   * {@code build} applied to its manifest (then saved in the run folder).
   *
   * @param column the manifest column the labels come from, for messages
   */
  LabelEncoder forDataset(
      Manifest manifest, Stage stage, String column, Function<Manifest, LabelEncoder> build) {
    if (labels == null) {
      if (stage != Stage.TRAIN) {
        throw new IllegalStateException(
            "no label encoder: build the training dataset first, or load a run folder "
                + "that has "
                + FILE);
      }
      LabelEncoder built = build.apply(manifest);
      use(built, manifest.source() + " (" + column + " column)");
      if (runFolder != null) {
        built.save(runFolder.resolve(FILE));
      }
      LOG.info("{}: {} labels {} from {}", task, built.size(), built.labels(), manifest.source());
    }
    return labels;
  }

  private void use(LabelEncoder encoder, String source) {
    check.accept(encoder, source);
    this.labels = encoder;
  }

  /** Throws naming the manifest, its columns and the purpose unless it has every column. */
  static void requireColumns(Manifest manifest, List<String> columns, String purpose) {
    for (String column : columns) {
      if (!manifest.keys().contains(column)) {
        throw new IllegalArgumentException(
            manifest.source()
                + " has no '"
                + column
                + "' column (it has "
                + manifest.keys()
                + "); "
                + purpose);
      }
    }
  }
}
