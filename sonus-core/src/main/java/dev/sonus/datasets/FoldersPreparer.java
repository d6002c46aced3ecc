package dev.sonus.datasets;

import dev.sonus.data.Manifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * Any labelled corpus laid out as one folder per class ({@code dog/}, {@code rain/}, ... or {@code
 * yes/}, {@code no/}), as the {@code folders} preparer: the generic way into classification.
 *
 * <p>Every recording under a class folder (sub-folders included, any format {@link
 * dev.sonus.audio.AudioIO} reads) becomes a row of {@code ID, duration, wav, spk_id, label}: {@code
 * label} is the class folder's name; the ID is {@code <label>_<path inside the class folder>} with
 * other characters than letters, digits, {@code .-_} replaced by {@code _}.
 *
 * <p>Splits, chosen by the options and always deterministic (SHA-256 of {@code "<seed>:<group>"},
 * see {@link Splits#assign}):
 *
 * <ul>
 *   <li>{@code fold_regex} set: the fold is what the regex finds in each recording's path inside
 *       its class folder, without the extension (its first group if it has one; {@code
 *       "^([0-9]+)-"} for ESC-50's {@code 1-100032-A-0.wav}); {@code test_folds} and {@code
 *       valid_folds} list the folds of those splits, the others train.
 *   <li>{@code speaker_regex} set (and no fold): the speaker is found the same way and the splits
 *       are speaker-disjoint: {@code valid} and {@code test} speakers (counts or fractions), every
 *       recording of a speaker in every class with them. The speaker also fills {@code spk_id}.
 *   <li>neither: each class's recordings are split on their own in the proportions {@code valid}
 *       and {@code test}, so every split holds every class.
 * </ul>
 */
public final class FoldersPreparer implements DatasetPreparer {
  private static final List<String> COLUMNS = List.of("duration", "wav", "spk_id", "label");
  private static final List<PreparerOption> OPTIONS =
      List.of(
          new PreparerOption(
              "speaker_regex",
              "",
              "finds the speaker in each recording's path inside its class folder (first group,"
                  + " or the whole match), e.g. ^([a-z]+)_ ; splits then keep speakers apart"),
          new PreparerOption(
              "fold_regex",
              "",
              "finds the fold the same way, e.g. ^([0-9]+)- ; splits then follow test_folds and"
                  + " valid_folds"),
          new PreparerOption("test_folds", "", "with fold_regex: the test folds, e.g. 5"),
          new PreparerOption("valid_folds", "", "with fold_regex: the valid folds, e.g. 4"),
          new PreparerOption(
              "valid",
              "0.1",
              "without folds: speakers (with speaker_regex) or recordings of each class held out"
                  + " to validate: a count or a fraction"),
          new PreparerOption("test", "0.1", "the same for the test set"),
          new PreparerOption("seed", "0", "which speakers or recordings go where"));

  /** Creates the preparer; it holds no state. */
  public FoldersPreparer() {}

  @Override
  public String name() {
    return "folders";
  }

  @Override
  public String description() {
    return "Any corpus laid out as one folder per class (any audio format, sub-folders too):"
        + " train/valid/test.csv with ID, duration, wav, spk_id, label; split by fold, by speaker or"
        + " within each class.";
  }

  @Override
  public List<PreparerOption> options() {
    return OPTIONS;
  }

  /** One recording. */
  private record Clip(String id, Path file, String label, String speaker, String fold) {}

  @Override
  public List<PreparedManifest> prepare(Path dataFolder, Path outDir, Map<String, String> options) {
    PreparerOptions o = PreparerOptions.resolve(this, options);
    Pattern speakerRegex = pattern(o, "speaker_regex");
    Pattern foldRegex = pattern(o, "fold_regex");
    Layout.require(
        dataFolder,
        "one-folder-per-class",
        "one folder per class, each holding its recordings",
        FoldersPreparer::hasClassFolders,
        f -> "no sub-folder holding recordings");

    List<Path> classFolders = new ArrayList<>();
    for (Path p : Layout.list(dataFolder)) {
      if (Files.isDirectory(p)) {
        classFolders.add(p);
      } else if (Layout.audioExtension(p) != null) {
        throw new IllegalArgumentException(
            p
                + " lies in the data folder itself; every recording must be in the folder of its"
                + " class ("
                + dataFolder
                + "/<class>/"
                + p.getFileName()
                + ")");
      }
    }
    List<Clip> clips = new ArrayList<>();
    Map<String, Path> byId = new HashMap<>();
    for (Path folder : classFolders) {
      String label = folder.getFileName().toString();
      List<Path> files = recordingsUnder(folder);
      if (files.isEmpty()) {
        throw new IllegalArgumentException(
            folder
                + " holds no recordings (any of "
                + String.join(", ", Layout.AUDIO_EXTENSIONS)
                + "); every class folder must hold some: remove it or add its audio");
      }
      for (Path f : files) {
        String inside = folder.relativize(f).toString().replace('\\', '/');
        String key = inside.substring(0, inside.length() - Layout.audioExtension(f).length());
        String id = (label + "_" + key).replaceAll("[^A-Za-z0-9._-]", "_");
        Path other = byId.put(id, f);
        if (other != null) {
          throw new IllegalArgumentException(
              f
                  + " and "
                  + other
                  + " get the same ID '"
                  + id
                  + "' (the same name in other formats or spellings); keep one of them");
        }
        String speaker = speakerRegex == null ? "" : find(speakerRegex, key, f, "speaker_regex");
        String fold = foldRegex == null ? "" : find(foldRegex, key, f, "fold_regex");
        clips.add(new Clip(id, f, label, speaker, fold));
      }
    }
    if (classFolders.size() < 2) {
      throw new IllegalArgumentException(
          dataFolder
              + " holds one class folder ("
              + classFolders.get(0).getFileName()
              + "/); a classifier needs two or more, one folder per class");
    }

    Map<Clip, String> splitOf = new HashMap<>();
    if (foldRegex != null) {
      splitByFold(o, clips, splitOf);
    } else if (speakerRegex != null) {
      Set<String> speakers = new TreeSet<>();
      clips.forEach(c -> speakers.add(c.speaker()));
      int valid = o.count("valid", speakers.size(), "speakers");
      int test = o.count("test", speakers.size(), "speakers");
      if (valid + test >= speakers.size()) {
        throw new IllegalArgumentException(
            String.format(
                "folders options valid=%s and test=%s take %d + %d of the %d speakers that"
                    + " speaker_regex finds; leave some to train on",
                o.string("valid"), o.string("test"), valid, test, speakers.size()));
      }
      Map<String, String> bySpeaker = Splits.assign(speakers, o.seed("seed"), valid, test);
      clips.forEach(c -> splitOf.put(c, bySpeaker.get(c.speaker())));
    } else {
      Map<String, List<Clip>> byClass = new LinkedHashMap<>();
      clips.forEach(c -> byClass.computeIfAbsent(c.label(), k -> new ArrayList<>()).add(c));
      for (List<Clip> own : byClass.values()) {
        int valid = o.count("valid", own.size(), "recordings of class " + own.get(0).label());
        int test = o.count("test", own.size(), "recordings of class " + own.get(0).label());
        if (valid + test >= own.size()) {
          throw new IllegalArgumentException(
              String.format(
                  "class %s has %d recordings; valid=%s and test=%s take %d + %d of them and"
                      + " leave none to train on: add recordings or lower valid and test",
                  own.get(0).label(),
                  own.size(),
                  o.string("valid"),
                  o.string("test"),
                  valid,
                  test));
        }
        Map<String, String> splitById =
            Splits.assign(own.stream().map(Clip::id).toList(), o.seed("seed"), valid, test);
        own.forEach(c -> splitOf.put(c, splitById.get(c.id())));
      }
    }

    Map<String, List<Manifest.Row>> rows = Splits.emptyRows();
    for (Clip c : clips) {
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("wav", Layout.dataRootPath(dataFolder, c.file()));
      fields.put("spk_id", c.speaker());
      fields.put("label", c.label());
      double seconds = Layout.info(c.file(), "one-folder-per-class").durationSeconds();
      rows.get(splitOf.get(c)).add(Splits.row(c.id(), seconds, fields));
    }
    if (rows.get(Splits.TRAIN).isEmpty()) {
      throw new IllegalArgumentException(
          "the options leave no recording of " + dataFolder + " to train on");
    }
    return Splits.write(outDir, rows, COLUMNS);
  }

  private static void splitByFold(PreparerOptions o, List<Clip> clips, Map<Clip, String> splitOf) {
    Set<String> folds = new TreeSet<>();
    clips.forEach(c -> folds.add(c.fold()));
    List<String> test = o.list("test_folds");
    List<String> valid = o.list("valid_folds");
    if (test.isEmpty()) {
      throw new IllegalArgumentException(
          "folders option fold_regex is set but test_folds is empty; name the test fold(s) of "
              + folds
              + ", e.g. --option test_folds="
              + folds.iterator().next());
    }
    for (String f : concat(test, valid)) {
      if (!folds.contains(f)) {
        throw new IllegalArgumentException(
            "fold '" + f + "' (test_folds/valid_folds) is not one that fold_regex finds: " + folds);
      }
    }
    for (Clip c : clips) {
      splitOf.put(
          c,
          test.contains(c.fold())
              ? Splits.TEST
              : valid.contains(c.fold()) ? Splits.VALID : Splits.TRAIN);
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private static Pattern pattern(PreparerOptions o, String key) {
    String v = o.string(key);
    if (v.isEmpty()) {
      return null;
    }
    try {
      return Pattern.compile(v);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          "folders option "
              + key
              + " '"
              + v
              + "' is not a regular expression: "
              + e.getDescription(),
          e);
    }
  }

  private static String find(Pattern p, String key, Path file, String option) {
    Matcher m = p.matcher(key);
    if (!m.find()) {
      throw new IllegalArgumentException(
          file
              + ": "
              + option
              + " '"
              + p.pattern()
              + "' finds nothing in '"
              + key
              + "' (the path inside the class folder, without extension); every recording needs"
              + " a match: fix the expression or the name");
    }
    String v = m.groupCount() >= 1 && m.group(1) != null ? m.group(1) : m.group();
    if (v.isEmpty()) {
      throw new IllegalArgumentException(
          file + ": " + option + " '" + p.pattern() + "' finds an empty text in '" + key + "'");
    }
    return v;
  }

  private static List<Path> recordingsUnder(Path folder) {
    try (Stream<Path> s = Files.walk(folder)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> Layout.audioExtension(p) != null)
          .filter(p -> !hidden(folder.relativize(p)))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder + ": " + e.getMessage(), e);
    }
  }

  private static boolean hidden(Path relative) {
    for (Path part : relative) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasClassFolders(Path folder) {
    return Layout.list(folder).stream().anyMatch(Files::isDirectory);
  }

  @Override
  public String toString() {
    return "DatasetPreparer(" + name() + ")";
  }
}
