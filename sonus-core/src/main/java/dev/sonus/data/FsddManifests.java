package dev.sonus.data;

import dev.sonus.audio.AudioIO;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Builds train/valid/test manifests for the Free Spoken Digit Dataset layout, {@code {digit}_{speaker}_{index}.wav}.
 *
 * <p>Test = every take of the test speakers; valid = takes {@code index < validTakes} of the other speakers;
 * train = the rest. Columns: {@code ID, duration, wav, spk_id, digit, wrd} where {@code wrd} is the digit as an
 * English word ({@code seven}) and {@code wav} is written as {@code $data_root/<file>} so the manifests do not
 * depend on where the data sits (pass {@code data_root} when loading).
 */
public final class FsddManifests {
  private static final Pattern NAME = Pattern.compile("([0-9])_([A-Za-z]+)_([0-9]+)\\.wav");
  private static final String[] WORDS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
    "nine"};
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
   * The default split for recipes ({@code !apply:data.FsddManifests.prepare [<data_folder>, <dir>]}): theo is the
   * test speaker, takes 0-4 of the others are the validation set.
   */
  public static Result prepare(Path dataFolder, Path outDir) {
    return prepare(dataFolder, outDir, Set.of("theo"), 5);
  }

  /**
   * Scans {@code dataFolder} and writes {@code train.csv}, {@code valid.csv}, {@code test.csv} to {@code outDir}.
   *
   * @param testSpeakers speakers held out for testing (e.g. theo)
   * @param validTakes takes {@code 0..validTakes-1} of the training speakers go to valid
   * @throws IllegalArgumentException if the folder has no FSDD files or a test speaker is absent
   */
  public static Result prepare(Path dataFolder, Path outDir, Set<String> testSpeakers, int validTakes) {
    if (!Files.isDirectory(dataFolder)) {
      throw new IllegalArgumentException("data folder " + dataFolder + " is not a directory; pass the folder "
          + "holding the FSDD recordings (e.g. --data_folder=.../fsdd/recordings)");
    }
    if (validTakes < 0) {
      throw new IllegalArgumentException("valid_takes is " + validTakes + "; it must be 0 or more");
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dataFolder)) {
      files = s.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dataFolder + ": " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no FSDD recordings ({digit}_{speaker}_{index}.wav) in " + dataFolder);
    }
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
      fields.put("duration", String.format(Locale.ROOT, "%.5f", AudioIO.info(f).durationSeconds()));
      fields.put("wav", "$data_root/" + f.getFileName());
      fields.put("spk_id", speaker);
      fields.put("digit", String.valueOf(digit));
      fields.put("wrd", WORDS[digit]);
      String id = f.getFileName().toString().replace(".wav", "");
      Manifest.Row row = new Manifest.Row(id, fields, 0);
      if (testSpeakers.contains(speaker)) {
        test.add(row);
      } else if (take < validTakes) {
        valid.add(row);
      } else {
        train.add(row);
      }
    }
    for (String s : testSpeakers) {
      if (!speakers.contains(s)) {
        throw new IllegalArgumentException("test speaker '" + s + "' has no recordings in " + dataFolder
            + "; speakers found: " + speakers);
      }
    }
    Path trainCsv = outDir.resolve("train.csv");
    Path validCsv = outDir.resolve("valid.csv");
    Path testCsv = outDir.resolve("test.csv");
    Manifest.writeCsv(trainCsv, COLUMNS, train);
    Manifest.writeCsv(validCsv, COLUMNS, valid);
    Manifest.writeCsv(testCsv, COLUMNS, test);
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("train", train.size());
    counts.put("valid", valid.size());
    counts.put("test", test.size());
    return new Result(trainCsv, validCsv, testCsv, counts);
  }
}
