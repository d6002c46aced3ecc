package dev.sonus.datasets;

import dev.sonus.data.Manifest;
import dev.sonus.util.RecipeCallable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds train/valid/test manifests for the Free Spoken Digit Dataset layout, {@code
 * {digit}_{speaker}_{index}.wav}.
 *
 * <p>Test = every take of the test speakers; valid = takes {@code index < validTakes} of the other
 * speakers; train = the rest. Columns: {@code ID, duration, wav, spk_id, digit, wrd} where {@code
 * wrd} is the digit as an English word ({@code seven}) and {@code wav} is written as {@code
 * $data_root/<file>} so the manifests do not depend on where the data sits (pass {@code data_root}
 * when loading).
 */
public final class FsddManifests {
  private static final Pattern NAME = Pattern.compile("([0-9])_([A-Za-z]+)_([0-9]+)\\.wav");
  private static final String[] WORDS = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"
  };
  private static final List<String> COLUMNS = List.of("duration", "wav", "spk_id", "digit", "wrd");

  private FsddManifests() {}

  /**
   * Where the manifests were written and how many rows each has.
   *
   * @param train train manifest path
   * @param valid valid manifest path
   * @param test test manifest path
   * @param counts rows per split
   */
  public record Result(Path train, Path valid, Path test, Map<String, Integer> counts) {}

  /**
   * The default split for recipes ({@code !apply:datasets.FsddManifests.prepare [<data_folder>,
   * <dir>]}): theo is the test speaker, takes 0-4 of the others are the validation set.
   */
  @RecipeCallable
  public static Result prepare(Path dataFolder, Path outDir) {
    return prepare(dataFolder, outDir, Set.of("theo"), 5);
  }

  /**
   * Scans {@code dataFolder} and writes {@code train.csv}, {@code valid.csv}, {@code test.csv} to
   * {@code outDir}.
   *
   * @param testSpeakers speakers held out for testing (e.g. theo)
   * @param validTakes takes {@code 0..validTakes-1} of the training speakers go to valid
   * @throws IllegalArgumentException if the folder has no FSDD files, a recording cannot be read or
   *     a test speaker is absent
   */
  @RecipeCallable
  public static Result prepare(
      Path dataFolder, Path outDir, Set<String> testSpeakers, int validTakes) {
    return result(prepareManifests(dataFolder, outDir, testSpeakers, validTakes));
  }

  /**
   * Splits by take instead of speaker, for closed-set speaker recognition: takes {@code
   * 0..testTakes-1} of every speaker are the held-out set ({@code trials.csv}: every speaker also
   * trains, so it is not named as a test split and the data check does not require disjoint
   * speakers), the next {@code validTakes} validate, the rest train.
   */
  @RecipeCallable
  public static Result prepareByTakes(Path dataFolder, Path outDir, int testTakes, int validTakes) {
    if (testTakes < 1 || validTakes < 0) {
      throw new IllegalArgumentException(
          "test_takes is "
              + testTakes
              + " and valid_takes "
              + validTakes
              + "; expected test_takes >= 1 and valid_takes >= 0");
    }
    return result(
        write(
            dataFolder,
            outDir,
            Set.of(),
            "trials.csv",
            (speaker, take) -> take < testTakes ? 2 : take < testTakes + validTakes ? 1 : 0));
  }

  /** Which split a recording goes to: 0 train, 1 valid, 2 test. */
  private interface Splitter {
    int split(String speaker, int take);
  }

  private static Result result(List<PreparedManifest> written) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("train", written.get(0).rows());
    counts.put("valid", written.get(1).rows());
    counts.put("test", written.get(2).rows());
    return new Result(written.get(0).path(), written.get(1).path(), written.get(2).path(), counts);
  }

  /**
   * {@link #prepare(Path, Path, Set, int)}, returning a summary of each manifest for {@link
   * FsddPreparer}.
   */
  static List<PreparedManifest> prepareManifests(
      Path dataFolder, Path outDir, Set<String> testSpeakers, int validTakes) {
    if (validTakes < 0) {
      throw new IllegalArgumentException("valid_takes is " + validTakes + "; it must be 0 or more");
    }
    return write(
        dataFolder,
        outDir,
        testSpeakers,
        "test.csv",
        (speaker, take) -> testSpeakers.contains(speaker) ? 2 : take < validTakes ? 1 : 0);
  }

  private static boolean holdsRecordings(Path folder) {
    return Layout.list(folder).stream()
        .anyMatch(p -> NAME.matcher(p.getFileName().toString()).matches());
  }

  private static List<PreparedManifest> write(
      Path dataFolder, Path outDir, Set<String> testSpeakers, String testName, Splitter splitter) {
    Layout.require(
        dataFolder,
        "FSDD",
        "the FSDD recordings ({digit}_{speaker}_{index}.wav, e.g. " + ".../fsdd/recordings)",
        FsddManifests::holdsRecordings,
        f -> "no {digit}_{speaker}_{index}.wav files in it");
    List<Path> files =
        Layout.list(dataFolder).stream()
            .filter(p -> NAME.matcher(p.getFileName().toString()).matches())
            .toList();
    Set<String> speakers = new TreeSet<>();
    List<Manifest.Row> train = new ArrayList<>();
    List<Manifest.Row> valid = new ArrayList<>();
    List<Manifest.Row> test = new ArrayList<>();
    for (Path f : files) {
      Matcher m = NAME.matcher(f.getFileName().toString());
      if (!m.matches()) {
        continue;
      }
      int digit = Integer.parseInt(m.group(1));
      String speaker = m.group(2);
      int take = Integer.parseInt(m.group(3));
      speakers.add(speaker);
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("wav", Layout.dataRootPath(dataFolder, f));
      fields.put("spk_id", speaker);
      fields.put("digit", String.valueOf(digit));
      fields.put("wrd", WORDS[digit]);
      String id = f.getFileName().toString().replace(".wav", "");
      Manifest.Row row = Splits.row(id, Layout.info(f, "FSDD").durationSeconds(), fields);
      switch (splitter.split(speaker, take)) {
        case 2 -> test.add(row);
        case 1 -> valid.add(row);
        default -> train.add(row);
      }
    }
    for (String s : testSpeakers) {
      if (!speakers.contains(s)) {
        throw new IllegalArgumentException(
            "test speaker '"
                + s
                + "' has no recordings in "
                + dataFolder
                + "; speakers found: "
                + speakers);
      }
    }
    return Splits.write(
        outDir,
        List.of(
            new Splits.Split(Splits.TRAIN, "train.csv", COLUMNS, train),
            new Splits.Split(Splits.VALID, "valid.csv", COLUMNS, valid),
            new Splits.Split(testName.replace(".csv", ""), testName, COLUMNS, test)));
  }
}
