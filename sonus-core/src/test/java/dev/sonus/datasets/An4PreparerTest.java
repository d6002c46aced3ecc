package dev.sonus.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.data.DataCheck;
import dev.sonus.data.Manifest;
import dev.sonus.testing.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class An4PreparerTest {
  @TempDir Path dir;

  private final An4Preparer an4 = new An4Preparer();

  @Test
  void writesTrainValidTestWithTheExpectedColumnsAndPaths() throws IOException {
    Path data = TinyCorpora.an4(dir.resolve("an4"));
    List<PreparedManifest> written = an4.prepare(data, dir.resolve("out"));
    Written.assertRows(
        written, 18, 2, 4); // 10% of 10 training speakers = 1 held out, 2 utterances each
    for (PreparedManifest m : written) {
      assertEquals("ID,duration,wav,spk_id,wrd", Written.header(m.path()));
      assertEquals(m.rows() * 0.5, m.durationSeconds(), 1e-9);
    }
    Manifest test = Written.load(written, data).get("test");
    Manifest.Row first = test.rows().get(0);
    assertEquals("an406-fcaw-b", first.id());
    assertEquals("fcaw", first.get("spk_id"));
    assertEquals(0.5, ((Number) first.get("duration")).doubleValue(), 1e-9);
    assertEquals(data + "/flac/an4test_clstk/fcaw/an406-fcaw-b.flac", first.get("wav"));
    assertTrue(
        Files.readString(written.get(2).path()).contains(",$data_root/flac/an4test_clstk/fcaw/"));
  }

  @Test
  void transcriptsLoseTheirSentenceMarksAndAreUpperCasedWithSingleSpaces() {
    Path data = TinyCorpora.an4(dir.resolve("an4"));
    Map<String, Manifest> splits = Written.load(an4.prepare(data, dir.resolve("out")), data);
    assertEquals(
        Set.of("RUBOUT G M E F THREE NINE", "YES GO"), Written.values(splits.get("train"), "wrd"));
    assertEquals(
        Set.of("RUBOUT G M E F THREE NINE", "YES GO"), Written.values(splits.get("test"), "wrd"));
    assertEquals("GO HOME", An4Preparer.normalise(" <s>  go\thome </s> "));
  }

  @Test
  void validHoldsOutWholeTrainingSpeakersAndTestIsAn4sOwnTestSet() {
    Path data = TinyCorpora.an4(dir.resolve("an4"));
    Map<String, Manifest> splits =
        Written.load(an4.prepare(data, dir.resolve("out"), Map.of("valid_speakers", "3")), data);
    Written.assertDisjoint(splits, "spk_id");
    assertEquals(3, Written.values(splits.get("valid"), "spk_id").size());
    assertEquals(
        new TreeSet<>(TinyCorpora.AN4_TEST_SPEAKERS), Written.values(splits.get("test"), "spk_id"));
    Set<String> trainAndValid = new TreeSet<>(Written.values(splits.get("train"), "spk_id"));
    trainAndValid.addAll(Written.values(splits.get("valid"), "spk_id"));
    assertEquals(new TreeSet<>(TinyCorpora.AN4_TRAIN_SPEAKERS), trainAndValid);
  }

  @Test
  void validSpeakersIsACountAFractionOrAPercentage() {
    Path data = TinyCorpora.an4(dir.resolve("an4"));
    for (String v : List.of("2", "0.2", "20%")) {
      List<PreparedManifest> written =
          an4.prepare(data, dir.resolve("out"), Map.of("valid-speakers", v));
      assertEquals(2, written.get(1).speakers(), v);
    }
    Written.fails(
        () -> an4.prepare(data, dir.resolve("out"), Map.of("valid_speakers", "10")),
        "valid_speakers=10",
        "all 10 training speakers");
    Written.fails(
        () -> an4.prepare(data, dir.resolve("out"), Map.of("valid_speakers", "1.5")),
        "valid_speakers is 1.5",
        "[0, 1)");
    Written.fails(
        () -> an4.prepare(data, dir.resolve("out"), Map.of("valid_speakers", "some")),
        "valid_speakers is 'some'");
  }

  @Test
  void twoRunsWriteByteIdenticalManifestsAndARerunReplacesThem() throws IOException {
    Path data = TinyCorpora.an4(dir.resolve("an4"));
    an4.prepare(data, dir.resolve("a"));
    an4.prepare(data, dir.resolve("b"));
    assertEquals(Written.contents(dir.resolve("a")), Written.contents(dir.resolve("b")));
    Files.writeString(dir.resolve("a/valid.csv"), "stale");
    an4.prepare(data, dir.resolve("a"));
    assertEquals(
        Written.contents(dir.resolve("b")),
        Written.contents(dir.resolve("a")),
        "the re-run replaced the stale file and left no temporary file");
  }

  @Test
  void theSeedChoosesWhichSpeakersAreHeldOut() {
    Path data = TinyCorpora.an4(dir.resolve("an4"));
    Set<Set<String>> choices = new java.util.HashSet<>();
    for (int seed = 0; seed < 5; seed++) {
      Map<String, Manifest> splits =
          Written.load(
              an4.prepare(
                  data,
                  dir.resolve("out" + seed),
                  Map.of("seed", String.valueOf(seed), "valid_speakers", "2")),
              data);
      choices.add(Written.values(splits.get("valid"), "spk_id"));
    }
    assertNotEquals(1, choices.size(), "five seeds all held out the same speakers");
  }

  @Test
  void aMissingFolderIsNamed() {
    Path missing = dir.resolve("nowhere");
    Written.fails(
        () -> an4.prepare(missing, dir.resolve("out")), missing, "does not exist", "--data-folder");
  }

  @Test
  void theParentOfTheCorpusIsRefusedWithTheFolderToUseInstead() {
    Path data = TinyCorpora.an4(dir.resolve("an4"));
    Written.fails(
        () -> an4.prepare(dir, dir.resolve("out")),
        dir + " does not look like the AN4 corpus",
        "etc/an4_train.transcription",
        data + " looks like it");
  }

  @Test
  void aMissingEtcFileIsNamed() throws IOException {
    Path data = TinyCorpora.an4(dir.resolve("an4"));
    Files.delete(data.resolve("etc/an4_test.fileids"));
    Written.fails(
        () -> an4.prepare(data, dir.resolve("out")),
        data.toString(),
        "missing etc/an4_test.fileids");
  }

  @Test
  void aMissingRecordingIsNamedWithTheTranscriptLine() throws IOException {
    Path data = TinyCorpora.an4(dir.resolve("an4"));
    Files.delete(data.resolve("flac/an4_clstk/fbbh/an252-fbbh-b.flac"));
    Written.fails(
        () -> an4.prepare(data, dir.resolve("out")),
        "an4_clstk/fbbh/an252-fbbh-b.flac",
        "an4_train.transcription:3");
  }

  @Test
  void anUnreadableRecordingIsNamedAndNothingIsWritten() throws IOException {
    Path data = TinyCorpora.an4(dir.resolve("an4"));
    Path bad = data.resolve("flac/an4test_clstk/mjwl/cen2-mjwl-b.flac");
    Files.writeString(bad, "not audio at all");
    Written.fails(() -> an4.prepare(data, dir.resolve("out")), bad, "AN4 recording");
    assertTrue(
        !Files.exists(dir.resolve("out")), "nothing is written before the whole corpus is checked");
  }

  @Test
  void transcriptsAndFileIdsThatDisagreeAreRefused() throws IOException {
    Path data = TinyCorpora.an4(dir.resolve("an4"));
    Path ids = data.resolve("etc/an4_train.fileids");
    List<String> lines = new java.util.ArrayList<>(Files.readAllLines(ids));
    java.util.Collections.swap(lines, 0, 1);
    Files.write(ids, lines);
    Written.fails(
        () -> an4.prepare(data, dir.resolve("out")),
        "an4_train.transcription:1",
        ids + ":1",
        "same order");
  }

  @Test
  void anUnknownOptionNamesTheKnownOnes() {
    Path data = TinyCorpora.an4(dir.resolve("an4"));
    Written.fails(
        () -> an4.prepare(data, dir.resolve("out"), Map.of("valid_speaker", "2")),
        "'valid_speaker'",
        "did you mean valid_speakers?",
        "valid_speakers, seed");
  }

  @Test
  void theRealCorpusHas948TrainingAnd130TestUtterances() {
    Path data = Shared.require("data/an4");
    List<PreparedManifest> written = an4.prepare(data, dir.resolve("out"));
    assertEquals(948, written.get(0).rows() + written.get(1).rows());
    assertEquals(130, written.get(2).rows());
    assertEquals(74, written.get(0).speakers() + written.get(1).speakers());
    assertEquals(7, written.get(1).speakers());
    assertEquals(10, written.get(2).speakers());
    Map<String, Manifest> splits = Written.load(written, data);
    DataCheck.Options o = DataCheck.Options.defaults();
    DataCheck.Report report =
        DataCheck.check(
            List.copyOf(splits.values()),
            new DataCheck.Options(
                o.audioKey(),
                o.durationKey(),
                o.textKey(),
                o.speakerKey(),
                16000,
                o.durationTolerance(),
                2,
                DataCheck.Options.ALL_HELD_OUT));
    assertTrue(report.ok(), report::format);
    assertEquals("RUBOUT G M E F THREE NINE", splits.get("test").rows().get(0).get("wrd"));
  }
}
