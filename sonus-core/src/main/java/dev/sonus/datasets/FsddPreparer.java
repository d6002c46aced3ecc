package dev.sonus.datasets;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The Free Spoken Digit Dataset ({@code {digit}_{speaker}_{index}.wav}, 8 kHz) as the {@code fsdd}
 * preparer: the split of {@link FsddManifests#prepare(Path, Path, java.util.Set, int)}. Every take
 * of the test speakers is {@code test.csv}; takes {@code 0..valid_takes-1} of the others are {@code
 * valid.csv}; the rest train. Columns {@code ID, duration, wav, spk_id, digit, wrd}. Valid shares
 * its speakers with train by design (other takes of the same people); the test speakers appear
 * nowhere else.
 */
public final class FsddPreparer implements DatasetPreparer {
  private static final List<PreparerOption> OPTIONS =
      List.of(
          new PreparerOption(
              "test_speakers", "theo", "speakers held out as the test set, comma-separated"),
          new PreparerOption(
              "valid_takes",
              "5",
              "takes 0..N-1 of each digit of the other speakers form the valid " + "set"));

  /** Creates the preparer; it holds no state. */
  public FsddPreparer() {}

  @Override
  public String name() {
    return "fsdd";
  }

  @Override
  public String description() {
    return "Free Spoken Digit Dataset (8 kHz spoken digits; point at its recordings/ folder): "
        + "train/valid/test.csv with ID, duration, wav, spk_id, digit, wrd; test is every take of the test "
        + "speakers, valid the first takes of the others.";
  }

  @Override
  public List<PreparerOption> options() {
    return OPTIONS;
  }

  @Override
  public List<PreparedManifest> prepare(Path dataFolder, Path outDir, Map<String, String> options) {
    PreparerOptions o = PreparerOptions.resolve(this, options);
    List<String> testSpeakers = o.list("test_speakers");
    if (testSpeakers.isEmpty()) {
      throw new IllegalArgumentException(
          "fsdd option test_speakers is empty; name at least one speaker "
              + "(e.g. test_speakers=theo)");
    }
    return FsddManifests.prepareManifests(
        dataFolder, outDir, new LinkedHashSet<>(testSpeakers), o.integer("valid_takes", 0));
  }

  @Override
  public String toString() {
    return "DatasetPreparer(" + name() + ")";
  }
}
