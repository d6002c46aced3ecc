package dev.sonus.datasets;

import dev.sonus.audio.AudioInfo;
import dev.sonus.data.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * NOIZEUS (30 IEEE sentences, 8 kHz, each mixed with 8 real noises at 0, 5, 10 and 15 dB SNR) as
 * the {@code noizeus} preparer, for speech enhancement.
 *
 * <p>Layout: {@code clean/spNN.flac} and {@code noisy/<noise>_<snr>dB/spNN_<noise>_sn<snr>.flac}
 * ({@code .wav} files are read as well). Each noisy file is its clean file plus noise, time-aligned
 * and of the same length.
 *
 * <p>Manifests {@code train.csv}, {@code valid.csv}, {@code test.csv}, one row per noisy file, with
 * {@code ID, duration, noisy_wav, clean_wav, noise, snr_db, spk_id, sentence}: the ID is the noisy
 * file's name ({@code sp01_airport_sn0}), {@code noise} the noise type ({@code airport}), {@code
 * snr_db} the SNR in dB, {@code sentence} the clean sentence ({@code sp01}). The corpus has 6
 * speakers but does not say which read which sentence, so {@code spk_id} is left empty rather than
 * guessed.
 *
 * <p>Splits are by clean sentence, so that no sentence, clean or in any noise, appears in two
 * splits: {@code valid_sentences} and {@code test_sentences} sentences (counts, or fractions of the
 * sentences; default 5 and 10 of the 30) are chosen by the SHA-256 of {@code "<seed>:<sentence>"};
 * every noisy version of a sentence goes with it. The splits are sentence-disjoint but, for want of
 * speaker labels, not known to be speaker-disjoint. NOIZEUS is usually an evaluation set only:
 * {@code valid_sentences=0} and {@code test_sentences=30} put all of it in {@code test.csv} and
 * leave train and valid empty.
 */
public final class NoizeusPreparer implements DatasetPreparer {
  private static final Pattern CONDITION = Pattern.compile("([a-z]+)_([0-9]+)dB");
  private static final Pattern NOISY = Pattern.compile("(sp[0-9]+)_([a-z]+)_sn([0-9]+)");
  private static final Pattern CLEAN = Pattern.compile("sp[0-9]+");
  private static final List<String> COLUMNS =
      List.of("duration", "noisy_wav", "clean_wav", "noise", "snr_db", "spk_id", "sentence");
  private static final List<PreparerOption> OPTIONS =
      List.of(
          new PreparerOption(
              "valid_sentences",
              "5",
              "clean sentences held out as the valid set, with all their noisy "
                  + "versions: a count or a fraction of the sentences"),
          new PreparerOption(
              "test_sentences",
              "10",
              "clean sentences held out as the test set: a count or a fraction "
                  + "(with valid_sentences=0, test_sentences=30 puts the whole corpus in test)"),
          new PreparerOption("seed", "0", "which sentences go to which split (any whole number)"));

  /** Creates the preparer; it holds no state. */
  public NoizeusPreparer() {}

  @Override
  public String name() {
    return "noizeus";
  }

  @Override
  public String description() {
    return "NOIZEUS noisy speech for enhancement (30 sentences x 8 noises x 4 SNRs, 8 kHz): train/valid/test.csv "
        + "with ID, duration, noisy_wav, clean_wav, noise, snr_db, spk_id, sentence; split by clean sentence.";
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
        "NOIZEUS",
        "clean/ and noisy/ (e.g. .../noizeus)",
        NoizeusPreparer::looksLikeNoizeus,
        f ->
            "missing "
                + String.join(
                    ", ",
                    Stream.of("clean", "noisy")
                        .filter(d -> !Files.isDirectory(f.resolve(d)))
                        .map(d -> d + "/")
                        .toList()));
    Map<String, Path> clean = new TreeMap<>();
    Map<String, AudioInfo> cleanInfo = new TreeMap<>();
    for (Path f : Layout.recordings(dataFolder.resolve("clean"))) {
      String stem = Layout.stem(f);
      if (!CLEAN.matcher(stem).matches()) {
        throw new IllegalArgumentException(
            f
                + ": a clean NOIZEUS file is named spNN.flac (sp01.flac ... "
                + "sp30.flac); move other files out of clean/");
      }
      clean.put(stem, f);
      cleanInfo.put(stem, Layout.info(f, "NOIZEUS"));
    }
    if (clean.isEmpty()) {
      throw new IllegalArgumentException(
          dataFolder.resolve("clean")
              + " holds no recordings (spNN.flac); point "
              + "--data-folder at the NOIZEUS folder whose clean/ holds the clean sentences");
    }

    List<Noisy> noisy = new ArrayList<>();
    for (Path condition : Layout.list(dataFolder.resolve("noisy"))) {
      if (!Files.isDirectory(condition)) {
        continue;
      }
      Matcher c = CONDITION.matcher(condition.getFileName().toString());
      if (!c.matches()) {
        throw new IllegalArgumentException(
            condition
                + ": a NOIZEUS condition folder is named <noise>_<snr>dB "
                + "(e.g. noisy/airport_0dB); move other folders out of noisy/");
      }
      for (Path f : Layout.recordings(condition)) {
        noisy.add(noisy(dataFolder, f, c.group(1), Integer.parseInt(c.group(2)), clean, cleanInfo));
      }
    }
    if (noisy.isEmpty()) {
      throw new IllegalArgumentException(
          dataFolder.resolve("noisy")
              + " holds no recordings in <noise>_<snr>dB/ "
              + "folders; point --data-folder at the NOIZEUS folder whose noisy/ holds them");
    }
    noisy.sort(
        Comparator.comparing(Noisy::sentence)
            .thenComparing(Noisy::noise)
            .thenComparingInt(Noisy::snrDb));

    List<String> sentences = noisy.stream().map(Noisy::sentence).distinct().toList();
    int valid = o.count("valid_sentences", sentences.size(), "sentences");
    int test = o.count("test_sentences", sentences.size(), "sentences");
    if (valid + test > sentences.size()) {
      throw new IllegalArgumentException(
          String.format(
              "noizeus options valid_sentences=%s and test_sentences=%s "
                  + "take %d + %d sentences but there are only %d",
              o.string("valid_sentences"),
              o.string("test_sentences"),
              valid,
              test,
              sentences.size()));
    }
    Map<String, String> splitOf = Splits.assign(sentences, o.seed("seed"), valid, test);
    Map<String, List<Manifest.Row>> rows = Splits.emptyRows();
    for (Noisy n : noisy) {
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("noisy_wav", Layout.dataRootPath(dataFolder, n.file()));
      fields.put("clean_wav", Layout.dataRootPath(dataFolder, clean.get(n.sentence())));
      fields.put("noise", n.noise());
      fields.put("snr_db", String.valueOf(n.snrDb()));
      fields.put("spk_id", "");
      fields.put("sentence", n.sentence());
      rows.get(splitOf.get(n.sentence()))
          .add(Splits.row(Layout.stem(n.file()), n.seconds(), fields));
    }
    return Splits.write(outDir, rows, COLUMNS);
  }

  /** One noisy recording and what its name says. */
  private record Noisy(Path file, String sentence, String noise, int snrDb, double seconds) {}

  private static Noisy noisy(
      Path dataFolder,
      Path f,
      String noise,
      int snrDb,
      Map<String, Path> clean,
      Map<String, AudioInfo> cleanInfo) {
    Matcher m = NOISY.matcher(Layout.stem(f));
    String expected = "spNN_" + noise + "_sn" + snrDb;
    if (!m.matches() || !m.group(2).equals(noise) || Integer.parseInt(m.group(3)) != snrDb) {
      throw new IllegalArgumentException(
          String.format(
              "%s: in %s/ a noisy file is named %s.flac (the sentence, "
                  + "then the folder's noise and SNR); rename or move it",
              f, f.getParent().getFileName(), expected));
    }
    String sentence = m.group(1);
    if (!clean.containsKey(sentence)) {
      throw new IllegalArgumentException(
          String.format(
              "%s has no clean reference: %s has no %s.flac (or .wav); "
                  + "point --data-folder at the NOIZEUS folder whose clean/ holds every sentence",
              f, dataFolder.resolve("clean"), sentence));
    }
    AudioInfo info = Layout.info(f, "NOIZEUS");
    AudioInfo ref = cleanInfo.get(sentence);
    if (info.sampleRate() != ref.sampleRate() || info.numFrames() != ref.numFrames()) {
      throw new IllegalArgumentException(
          String.format(
              "%s has %d samples at %d Hz but its clean reference %s has "
                  + "%d at %d Hz; a noisy file must be its clean file plus noise, time-aligned: copy both again from the "
                  + "corpus",
              f,
              info.numFrames(),
              info.sampleRate(),
              clean.get(sentence),
              ref.numFrames(),
              ref.sampleRate()));
    }
    return new Noisy(f, sentence, noise, snrDb, info.durationSeconds());
  }

  private static boolean looksLikeNoizeus(Path folder) {
    return Files.isDirectory(folder.resolve("clean")) && Files.isDirectory(folder.resolve("noisy"));
  }

  @Override
  public String toString() {
    return "DatasetPreparer(" + name() + ")";
  }
}
