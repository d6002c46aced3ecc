package dev.sonus.datasets;

import dev.sonus.data.Manifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CMU AN4 (the census database: spelled names, addresses, digits and short commands, 16 kHz read
 * speech) as the {@code an4} preparer.
 *
 * <p>Layout: {@code etc/an4_{train,test}.transcription} ({@code <s> WORDS </s> (utterance-id)}),
 * {@code etc/an4_{train,test}.fileids} (the same utterances as paths without extension, in the same
 * order) and the recordings under {@code flac/} ({@code flac/an4_clstk/fash/an251-fash-b.flac};
 * {@code .wav} files, or a {@code wav/} folder of them, are read as well).
 *
 * <p>Manifests {@code train.csv}, {@code valid.csv}, {@code test.csv} with {@code ID, duration,
 * wav, spk_id, wrd}. The ID is AN4's utterance id ({@code an251-fash-b}) and the speaker its middle
 * part ({@code fash}), as in ESPnet's {@code egs2/an4} data preparation. Transcripts are normalised
 * as ESPnet's AN4 recipe does, which the corpus's text already nearly is: the sentence markers
 * {@code <s>} and {@code </s>} and the trailing {@code (utterance-id)} are dropped, runs of white
 * space become one space, and the words are upper-cased (letters are spelled as single letters,
 * {@code C I N D Y}; numbers are words, {@code SEVENTY}; nothing else is changed, no punctuation
 * occurs).
 *
 * <p>Splits: test is AN4's own test set (its 10 speakers are not in train). Valid holds out whole
 * training speakers: {@code valid_speakers} of them (a count, or a fraction of the training
 * speakers, default 10%), chosen by the SHA-256 of {@code "<seed>:<speaker>"}, so valid and train
 * share no speaker and the choice is the same on every machine. On the full corpus: 948 training
 * utterances of 74 speakers and 130 test utterances of 10.
 */
public final class An4Preparer implements DatasetPreparer {
  private static final List<String> COLUMNS = List.of("duration", "wav", "spk_id", "wrd");
  private static final Pattern LINE = Pattern.compile("^(.*)\\(([^()\\s]+)\\)\\s*$");
  private static final List<String> EXPECTED =
      List.of(
          "etc/an4_train.transcription",
          "etc/an4_train.fileids",
          "etc/an4_test.transcription",
          "etc/an4_test.fileids");
  private static final List<PreparerOption> OPTIONS =
      List.of(
          new PreparerOption(
              "valid_speakers",
              "0.1",
              "training speakers held out as the valid set: a count (7) or a "
                  + "fraction of them (0.1, 10%)"),
          new PreparerOption("seed", "0", "which speakers are held out (any whole number)"));

  /** Creates the preparer; it holds no state. */
  public An4Preparer() {}

  @Override
  public String name() {
    return "an4";
  }

  @Override
  public String description() {
    return "CMU AN4 census read speech (16 kHz): train/valid/test.csv with ID, duration, wav, spk_id, wrd; test is "
        + "AN4's test set, valid holds out whole training speakers.";
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
        "AN4",
        "etc/ and flac/ of AN4 (e.g. .../an4)",
        An4Preparer::looksLikeAn4,
        An4Preparer::missing);
    Path audioRoot =
        Files.isDirectory(dataFolder.resolve("flac"))
            ? dataFolder.resolve("flac")
            : dataFolder.resolve("wav");
    List<Utterance> trainSet = read(dataFolder, audioRoot, "train");
    List<Utterance> testSet = read(dataFolder, audioRoot, "test");

    Set<String> trainSpeakers = new LinkedHashSet<>();
    trainSet.forEach(u -> trainSpeakers.add(u.speaker()));
    int validCount = o.count("valid_speakers", trainSpeakers.size(), "training speakers");
    if (validCount >= trainSpeakers.size()) {
      throw new IllegalArgumentException(
          String.format(
              "an4 option valid_speakers=%s holds out all %d training "
                  + "speakers; leave some to train on",
              o.string("valid_speakers"), trainSpeakers.size()));
    }
    Map<String, String> splitOf = Splits.assign(trainSpeakers, o.seed("seed"), validCount, 0);
    List<Manifest.Row> train = new ArrayList<>();
    List<Manifest.Row> valid = new ArrayList<>();
    for (Utterance u : trainSet) {
      (splitOf.get(u.speaker()).equals(Splits.VALID) ? valid : train).add(u.row(dataFolder));
    }
    List<Manifest.Row> test = testSet.stream().map(u -> u.row(dataFolder)).toList();
    return Splits.write(
        outDir,
        List.of(
            new Splits.Split(Splits.TRAIN, "train.csv", COLUMNS, train),
            new Splits.Split(Splits.VALID, "valid.csv", COLUMNS, valid),
            new Splits.Split(Splits.TEST, "test.csv", COLUMNS, test)));
  }

  /**
   * Normalises one AN4 transcript as ESPnet's recipe does: drops {@code <s>} and {@code </s>},
   * collapses white space, upper-cases ({@code "<s> go home </s>" -> "GO HOME"}).
   */
  public static String normalise(String words) {
    StringBuilder sb = new StringBuilder();
    for (String w : words.trim().split("\\s+")) {
      if (w.isEmpty() || w.equals("<s>") || w.equals("</s>")) {
        continue;
      }
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(w.toUpperCase(Locale.ROOT));
    }
    return sb.toString();
  }

  private static boolean looksLikeAn4(Path folder) {
    return EXPECTED.stream().allMatch(e -> Files.isRegularFile(folder.resolve(e)))
        && (Files.isDirectory(folder.resolve("flac")) || Files.isDirectory(folder.resolve("wav")));
  }

  private static String missing(Path folder) {
    List<String> absent = new ArrayList<>();
    for (String e : EXPECTED) {
      if (!Files.isRegularFile(folder.resolve(e))) {
        absent.add(e);
      }
    }
    if (!Files.isDirectory(folder.resolve("flac")) && !Files.isDirectory(folder.resolve("wav"))) {
      absent.add("flac/");
    }
    return "missing " + String.join(", ", absent);
  }

  /** One utterance of a transcription file, with its recording found. */
  private record Utterance(String id, String speaker, String words, Path audio, double seconds) {
    Manifest.Row row(Path dataFolder) {
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("wav", Layout.dataRootPath(dataFolder, audio));
      fields.put("spk_id", speaker);
      fields.put("wrd", words);
      return Splits.row(id, seconds, fields);
    }
  }

  private static List<Utterance> read(Path dataFolder, Path audioRoot, String set) {
    Path transcription = dataFolder.resolve("etc/an4_" + set + ".transcription");
    Path fileIds = dataFolder.resolve("etc/an4_" + set + ".fileids");
    List<Line> lines = nonBlankLines(transcription);
    List<Line> ids = nonBlankLines(fileIds);
    if (lines.size() != ids.size()) {
      throw new IllegalArgumentException(
          String.format(
              "%s has %d utterances but %s has %d; they must list the "
                  + "same utterances in the same order (copy etc/ again from the corpus)",
              transcription, lines.size(), fileIds, ids.size()));
    }
    List<Utterance> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String where = transcription + ":" + lines.get(i).number();
      Matcher m = LINE.matcher(lines.get(i).text());
      if (!m.matches()) {
        throw new IllegalArgumentException(
            String.format(
                "%s: '%s' is not an AN4 transcript line; expected "
                    + "'<s> WORDS </s> (utterance-id)'",
                where, lines.get(i).text()));
      }
      String id = m.group(2);
      String[] parts = id.split("-");
      if (parts.length != 3 || parts[1].isEmpty()) {
        throw new IllegalArgumentException(
            String.format(
                "%s: utterance id '%s' is not of the form "
                    + "<prompt>-<speaker>-<mic> (e.g. an251-fash-b)",
                where, id));
      }
      String fileId = ids.get(i).text().trim();
      if (!fileId.equals(id) && !fileId.endsWith("/" + id)) {
        throw new IllegalArgumentException(
            String.format(
                "%s is utterance %s but %s:%d is '%s'; the two files "
                    + "must list the same utterances in the same order (copy etc/ again from the corpus)",
                where, id, fileIds, ids.get(i).number(), fileId));
      }
      String words = normalise(m.group(1));
      if (words.isEmpty()) {
        throw new IllegalArgumentException(
            where
                + ": utterance "
                + id
                + " has an empty transcript; fix the line "
                + "or remove the utterance from both etc/ files");
      }
      Path audio = Layout.findRecording(audioRoot, fileId);
      if (audio == null) {
        throw new IllegalArgumentException(
            String.format(
                "no recording %s.flac (or .wav) for utterance %s of %s; "
                    + "point --data-folder at the AN4 folder whose flac/ holds every recording that etc/ lists",
                audioRoot.resolve(fileId), id, where));
      }
      out.add(
          new Utterance(id, parts[1], words, audio, Layout.info(audio, "AN4").durationSeconds()));
    }
    return out;
  }

  /** A line of a text file and its 1-based number. */
  private record Line(int number, String text) {}

  private static List<Line> nonBlankLines(Path file) {
    List<String> all;
    try {
      all = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    List<Line> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      if (!all.get(i).isBlank()) {
        out.add(new Line(i + 1, all.get(i)));
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "DatasetPreparer(" + name() + ")";
  }
}
