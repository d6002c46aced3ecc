package dev.sonus.datasets;

import dev.sonus.data.Manifest;
import java.nio.file.Files;
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
 * Google Speech Commands v0.02 in its 12-class layout (one-second words, 16 kHz) as the {@code
 * speech-commands} preparer.
 *
 * <p>Layout: one folder per class, the ten command words {@code yes no up down left right on off
 * stop go} holding {@code <speaker-hash>_nohash_<take>.flac}, {@code _unknown_} holding other words
 * as {@code <word>_<speaker-hash>_nohash_<take>.flac}, and {@code _silence_} holding one-second
 * clips of background noise with no speaker ({@code .wav} files are read as well). This is the
 * layout of the dataset's published 12-class test set; the full dataset (one folder per word,
 * {@code _background_noise_}) must first be arranged so.
 *
 * <p>Manifests {@code train.csv}, {@code valid.csv}, {@code test.csv} with {@code ID, duration,
 * wav, spk_id, label, word}: {@code label} is the class, the folder's name ({@code yes}, {@code
 * _unknown_}, {@code _silence_}); {@code word} is what is said ({@code yes}, or {@code backward}
 * for an unknown word, empty for silence; it is not named {@code wrd} so that the data check does
 * not report the silence clips as empty transcripts); {@code spk_id} is the speaker hash ({@code
 * 0c540988}), empty for silence. The ID is {@code <label>_<file name>} without the underscores
 * around {@code unknown} and {@code silence} ({@code yes_022cd682_nohash_0}, {@code
 * unknown_backward_0c540988_nohash_0}, {@code silence_1024}), since one speaker's take has the same
 * file name in every word folder.
 *
 * <p>Splits are speaker-disjoint, as the dataset's own split is by speaker hash: {@code
 * valid_speakers} and {@code test_speakers} speakers (counts, or fractions of all speakers, default
 * 10% each) are chosen by the SHA-256 of {@code "<seed>:<speaker hash>"}, and every recording of a
 * speaker, whatever the word, goes with it. Silence clips have no speaker: they are assigned one by
 * one by the same hash, in the same proportions as the speakers.
 */
public final class SpeechCommandsPreparer implements DatasetPreparer {
  /** The class folders, in the order rows are written. */
  public static final List<String> LABELS =
      List.of(
          "yes",
          "no",
          "up",
          "down",
          "left",
          "right",
          "on",
          "off",
          "stop",
          "go",
          "_unknown_",
          "_silence_");

  private static final String UNKNOWN = "_unknown_";
  private static final String SILENCE = "_silence_";
  private static final Pattern COMMAND = Pattern.compile("([0-9a-f]+)_nohash_([0-9]+)");
  private static final Pattern OTHER_WORD = Pattern.compile("([a-z]+)_([0-9a-f]+)_nohash_([0-9]+)");
  private static final List<String> COLUMNS = List.of("duration", "wav", "spk_id", "label", "word");
  private static final List<PreparerOption> OPTIONS =
      List.of(
          new PreparerOption(
              "valid_speakers",
              "0.1",
              "speakers held out as the valid set: a count (24) or a fraction "
                  + "of all speakers (0.1, 10%)"),
          new PreparerOption(
              "test_speakers", "0.1", "speakers held out as the test set: a count or a fraction"),
          new PreparerOption(
              "seed",
              "0",
              "which speakers and silence clips go to which split (any whole number)"));

  /** Creates the preparer; it holds no state. */
  public SpeechCommandsPreparer() {}

  @Override
  public String name() {
    return "speech-commands";
  }

  @Override
  public String description() {
    return "Google Speech Commands v0.02, 12 classes (10 words, _unknown_, _silence_; 16 kHz): "
        + "train/valid/test.csv with ID, duration, wav, spk_id, label, word; split by speaker hash.";
  }

  @Override
  public List<PreparerOption> options() {
    return OPTIONS;
  }

  @Override
  public List<PreparedManifest> prepare(Path dataFolder, Path outDir, Map<String, String> options) {
    PreparerOptions o = PreparerOptions.resolve(this, options);
    Layout.require(
        dataFolder,
        "Speech Commands",
        "the 12 class folders " + String.join("/ ", LABELS) + "/",
        SpeechCommandsPreparer::looksLikeSpeechCommands,
        SpeechCommandsPreparer::missing);

    List<Clip> clips = new ArrayList<>();
    for (String label : LABELS) {
      Path folder = dataFolder.resolve(label);
      List<Path> files = Layout.recordings(folder);
      if (files.isEmpty()) {
        throw new IllegalArgumentException(
            String.format(
                "%s holds no recordings (.flac or .wav); every class "
                    + "folder of Speech Commands must: copy it again from the corpus",
                folder));
      }
      for (Path f : files) {
        clips.add(clip(label, f));
      }
    }
    Set<String> speakers = new TreeSet<>();
    Set<String> silences = new TreeSet<>();
    for (Clip c : clips) {
      (c.speaker().isEmpty() ? silences : speakers).add(c.group());
    }
    int valid = o.count("valid_speakers", speakers.size(), "speakers");
    int test = o.count("test_speakers", speakers.size(), "speakers");
    if (valid + test >= speakers.size()) {
      throw new IllegalArgumentException(
          String.format(
              "speech-commands options valid_speakers=%s and "
                  + "test_speakers=%s take %d + %d of the %d speakers; leave some to train on",
              o.string("valid_speakers"), o.string("test_speakers"), valid, test, speakers.size()));
    }
    long seed = o.seed("seed");
    Map<String, String> splitOf = new LinkedHashMap<>(Splits.assign(speakers, seed, valid, test));
    // Silence has no speaker: the clips are split one by one in the speakers' proportions.
    int silenceValid = (int) Math.round((double) silences.size() * valid / speakers.size());
    int silenceTest = (int) Math.round((double) silences.size() * test / speakers.size());
    splitOf.putAll(Splits.assign(silences, seed, silenceValid, silenceTest));

    Map<String, List<Manifest.Row>> rows = Splits.emptyRows();
    for (Clip c : clips) {
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("wav", Layout.dataRootPath(dataFolder, c.file()));
      fields.put("spk_id", c.speaker());
      fields.put("label", c.label());
      fields.put("word", c.word());
      double seconds = Layout.info(c.file(), "Speech Commands").durationSeconds();
      rows.get(splitOf.get(c.group())).add(Splits.row(c.id(), seconds, fields));
    }
    return Splits.write(outDir, rows, COLUMNS);
  }

  /**
   * One recording.
   *
   * @param group what it is split by: the speaker hash, or for silence {@code _silence_/<file
   *     name>}
   */
  private record Clip(
      String id, Path file, String label, String word, String speaker, String group) {}

  private static Clip clip(String label, Path file) {
    String stem = Layout.stem(file);
    String id = label.replace("_", "") + "_" + stem;
    if (label.equals(SILENCE)) {
      return new Clip(id, file, label, "", "", SILENCE + "/" + stem);
    }
    if (label.equals(UNKNOWN)) {
      Matcher m = OTHER_WORD.matcher(stem);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            String.format(
                "%s: the name is not <word>_<speaker-hash>_nohash_<take> "
                    + "(e.g. backward_0c540988_nohash_0.flac), as every file in %s/ must be",
                file, UNKNOWN));
      }
      return new Clip(id, file, label, m.group(1), m.group(2), m.group(2));
    }
    Matcher m = COMMAND.matcher(stem);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          String.format(
              "%s: the name is not <speaker-hash>_nohash_<take> (e.g. "
                  + "022cd682_nohash_0.flac), as every file in %s/ must be",
              file, label));
    }
    return new Clip(id, file, label, label, m.group(1), m.group(1));
  }

  private static boolean looksLikeSpeechCommands(Path folder) {
    return LABELS.stream().allMatch(l -> Files.isDirectory(folder.resolve(l)));
  }

  private static String missing(Path folder) {
    List<String> absent =
        LABELS.stream()
            .filter(l -> !Files.isDirectory(folder.resolve(l)))
            .map(l -> l + "/")
            .toList();
    boolean fullDataset =
        Files.isDirectory(folder.resolve("_background_noise_"))
            || Files.isDirectory(folder.resolve("backward"));
    return "missing "
        + String.join(", ", absent)
        + (fullDataset
            ? "; it looks like the full dataset, one folder per "
                + "word: arrange it as the 12-class layout (10 words, _unknown_, _silence_) first"
            : "");
  }

  @Override
  public String toString() {
    return "DatasetPreparer(" + name() + ")";
  }
}
