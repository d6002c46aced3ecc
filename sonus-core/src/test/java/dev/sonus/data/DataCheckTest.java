package dev.sonus.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCheckTest {
  @TempDir Path dir;

  private void wav(String name, int rate, double seconds) {
    float[] x = new float[(int) Math.round(rate * seconds)];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.1 * Math.sin(i * 0.05));
    }
    AudioIO.writeWav(dir.resolve(name), Audio.mono(x, rate), WavEncoding.PCM_S16);
  }

  private Manifest csv(String name, String body) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, "ID,duration,wav,spk_id,wrd\n" + body);
    return Manifest.load(p, Map.of("data_root", dir.toString()));
  }

  private static Set<DataCheck.Kind> kinds(DataCheck.Report r) {
    return r.problems().stream().map(DataCheck.Problem::kind).collect(Collectors.toSet());
  }

  @Test
  void aCleanSetOfSplitsHasNoProblems() throws IOException {
    wav("a.wav", 16000, 0.5);
    wav("b.wav", 16000, 0.25);
    wav("c.wav", 16000, 0.3);
    Manifest train = csv("train.csv", "a,0.5,$data_root/a.wav,s1,one\n");
    Manifest valid = csv("valid.csv", "b,0.25,$data_root/b.wav,s1,two\n");
    Manifest test = csv("test.csv", "c,0.3,$data_root/c.wav,s2,three\n");
    DataCheck.Report r =
        DataCheck.check(
            List.of(train, valid, test), DataCheck.Options.defaults().withSampleRate(16000));
    assertTrue(r.ok(), r::format);
    assertEquals(3, r.rows());
    assertEquals(1.05, r.audioSeconds(), 1e-6);
  }

  @Test
  void reportsMissingDuplicateOverlapAndMoreEachWithItsRow() throws IOException {
    wav("a.wav", 16000, 0.5);
    wav("r8k.wav", 8000, 0.5);
    Files.writeString(dir.resolve("junk.wav"), "not audio at all");
    Manifest train =
        csv(
            "train.csv",
            String.join(
                    "\n",
                    "a,0.5,$data_root/a.wav,s1,one",
                    "gone,1.0,$data_root/gone.wav,s1,two",
                    "a,0.5,$data_root/a.wav,s1,one",
                    "len,0.9,$data_root/a.wav,s1,three",
                    "rate,0.5,$data_root/r8k.wav,s1,four",
                    "junk,0.5,$data_root/junk.wav,s1,five",
                    "empty,0.5,$data_root/a.wav,s1,  ")
                + "\n");
    Manifest test = csv("test.csv", "t1,0.5,$data_root/a.wav,s1,six\n");
    DataCheck.Report r =
        DataCheck.check(List.of(train, test), DataCheck.Options.defaults().withSampleRate(16000));
    assertEquals(
        Set.of(
            DataCheck.Kind.MISSING_AUDIO,
            DataCheck.Kind.UNREADABLE_AUDIO,
            DataCheck.Kind.DUPLICATE_ID,
            DataCheck.Kind.DURATION_MISMATCH,
            DataCheck.Kind.SAMPLE_RATE_MISMATCH,
            DataCheck.Kind.EMPTY_TRANSCRIPT,
            DataCheck.Kind.SPEAKER_OVERLAP),
        kinds(r),
        r::format);
    String text = r.format();
    assertTrue(
        text.contains("train.csv:3: gone [missing_audio]") && text.contains("gone.wav"), text);
    assertTrue(
        text.contains("train.csv:4: a [duplicate_id]") && text.contains("train.csv:2"), text);
    assertTrue(
        text.contains("train.csv:5: len [duration_mismatch]") && text.contains("0.900"), text);
    assertTrue(
        text.contains("train.csv:6: rate [sample_rate_mismatch]") && text.contains("8000 Hz"),
        text);
    assertTrue(text.contains("train.csv:7: junk [unreadable_audio]"), text);
    assertTrue(text.contains("train.csv:8: empty [empty_transcript]"), text);
    assertTrue(text.contains("test.csv:2: t1 [speaker_overlap]") && text.contains("'s1'"), text);
  }

  @Test
  void theTrainingStepThrowsWithTheWholeReport() throws IOException {
    wav("a.wav", 16000, 0.5);
    Manifest train =
        csv("train.csv", "a,0.5,$data_root/a.wav,s1,one\nb,0.5,$data_root/missing.wav,s1,two\n");
    IllegalStateException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalStateException.class,
            () -> DataCheck.requireClean(List.of(train), DataCheck.Options.defaults()));
    assertTrue(e.getMessage().contains("train.csv:3: b [missing_audio]"), e.getMessage());
    Manifest clean = csv("clean.csv", "a,0.5,$data_root/a.wav,s1,one\n");
    assertEquals(1, DataCheck.requireClean(List.of(clean), DataCheck.Options.defaults()).rows());
  }

  @Test
  void trainAndValidMayShareSpeakersUnlessAllSplitsMustBeDisjoint() throws IOException {
    wav("a.wav", 16000, 0.5);
    Manifest train = csv("train.csv", "a,0.5,$data_root/a.wav,s1,one\n");
    Manifest valid = csv("valid.csv", "b,0.5,$data_root/a.wav,s1,one\n");
    assertTrue(DataCheck.check(List.of(train, valid), DataCheck.Options.defaults()).ok());
    DataCheck.Options o = DataCheck.Options.defaults();
    DataCheck.Options disjoint =
        new DataCheck.Options(
            o.audioKey(),
            o.durationKey(),
            o.textKey(),
            o.speakerKey(),
            0,
            o.durationTolerance(),
            2,
            DataCheck.Options.ALL_HELD_OUT);
    assertEquals(
        Set.of(DataCheck.Kind.SPEAKER_OVERLAP),
        kinds(DataCheck.check(List.of(train, valid), disjoint)));
  }

  private static List<String> lines(List<DataCheck.Problem> problems) {
    return problems.stream().map(DataCheck.Problem::toString).toList();
  }

  @Test
  void nanInfiniteNegativeAndNonNumericDurationsAreInvalidWhateverTheAudio() throws IOException {
    wav("a.wav", 16000, 0.5);
    Manifest train =
        csv(
            "train.csv",
            String.join(
                    "\n",
                    "neg,-0.5,$data_root/a.wav,s1,three",
                    "gone,-1,$data_root/gone.wav,s1,four",
                    "ok,0.5,$data_root/a.wav,s1,five")
                + "\n");
    Path json = dir.resolve("valid.json");
    Files.writeString(
        json,
        "{\"word\": {\"wav\": \"{data_root}/a.wav\", \"duration\": \"half a second\"},"
            + " \"nan\": {\"wav\": \"{data_root}/a.wav\", \"duration\": \"NaN\"},"
            + " \"inf\": {\"wav\": \"{data_root}/a.wav\", \"duration\": \"Infinity\"}}");
    Manifest valid = Manifest.load(json, Map.of("data_root", dir.toString()));
    DataCheck.Report r = DataCheck.check(List.of(train, valid), DataCheck.Options.defaults());
    String text = r.format();
    assertTrue(text.contains("train.csv:2: neg [invalid_duration]") && text.contains("negative"));
    assertTrue(text.contains("train.csv:3: gone [invalid_duration]"), text);
    assertTrue(text.contains("valid.json:1: word [invalid_duration]"), text);
    assertTrue(text.contains("'half a second' is not a number of seconds"), text);
    assertTrue(text.contains("nan [invalid_duration]") && text.contains("is NaN"), text);
    assertTrue(text.contains("inf [invalid_duration]") && text.contains("infinite"), text);
    assertFalse(text.contains("ok ["), text);
    assertFalse(
        text.contains("[duration_mismatch]"), "an invalid duration is not compared: " + text);
  }

  /** A CSV manifest refuses a non-finite duration as it loads, naming the file and line. */
  @Test
  void aCsvManifestRefusesNonFiniteDurationsAtLoad() throws IOException {
    wav("a.wav", 16000, 0.5);
    for (String bad : List.of("NaN", "Infinity", "-Infinity")) {
      IllegalArgumentException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class,
              () -> csv("bad.csv", "ok,0.5,$data_root/a.wav,s1,one\nx," + bad + ",a.wav,s1,two\n"));
      assertTrue(e.getMessage().contains("bad.csv:3: duration '" + bad + "'"), e.getMessage());
    }
  }

  @Test
  void emptyAndBlankIdsAreReportedAndNotTakenForDuplicates() throws IOException {
    wav("a.wav", 16000, 0.5);
    Manifest train =
        csv(
            "train.csv",
            ",0.5,$data_root/a.wav,s1,one\n,0.5,$data_root/a.wav,s1,two\n"
                + "\"  \",0.5,$data_root/a.wav,s1,three\n");
    DataCheck.Report r = DataCheck.check(List.of(train), DataCheck.Options.defaults());
    assertEquals(Set.of(DataCheck.Kind.EMPTY_ID), kinds(r), r::format);
    assertEquals(3, r.problems().size(), r::format);
    assertTrue(r.format().contains("train.csv:2:  [empty_id] the ID is empty"), r::format);
    assertTrue(r.format().contains("train.csv:4:    [empty_id] the ID is blank ('  ')"), r::format);
  }

  @Test
  void audioOutsideTheDataRootIsAWarningUnlessContainmentIsAsked() throws IOException {
    Path root = Files.createDirectories(dir.resolve("root"));
    Files.createDirectories(root.resolve("sub"));
    float[] x = new float[8000];
    java.util.Arrays.fill(x, 0.1f);
    AudioIO.writeWav(root.resolve("in.wav"), Audio.mono(x, 16000), WavEncoding.PCM_S16);
    AudioIO.writeWav(dir.resolve("escaped.wav"), Audio.mono(x, 16000), WavEncoding.PCM_S16);
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere")).resolve("abs.wav");
    Files.writeString(elsewhere, "not audio: must not be opened under containment");
    Path p = dir.resolve("train.csv");
    Files.writeString(
        p,
        "ID,duration,wav,spk_id,wrd\n"
            + "in,0.5,$data_root/in.wav,s1,one\n"
            + "up,0.5,$data_root/../escaped.wav,s1,two\n"
            + "abs,0.5,"
            + elsewhere
            + ",s1,three\n"
            + "back,0.5,$data_root/sub/../in.wav,s1,four\n");
    Manifest train = Manifest.load(p, Map.of("data_root", root.toString()));

    DataCheck.Options o = DataCheck.Options.defaults().withDataRoot(root);
    DataCheck.Report lenient = DataCheck.check(List.of(train), o);
    assertEquals(Set.of(DataCheck.Kind.UNREADABLE_AUDIO), kinds(lenient), lenient::format);
    List<String> warnings = lines(lenient.warnings());
    assertEquals(2, warnings.size(), lenient::format);
    assertTrue(
        warnings.get(0).contains("train.csv:3: up [outside_data_root]")
            && warnings.get(0).contains(dir.resolve("escaped.wav").toString())
            && warnings.get(0).contains("outside the data root " + root),
        warnings.get(0));
    assertTrue(warnings.get(1).contains("train.csv:4: abs [outside_data_root]"), warnings.get(1));
    assertTrue(lenient.format().contains("warning: "), lenient::format);

    DataCheck.Report strict = DataCheck.check(List.of(train), o.withContain(true));
    assertEquals(Set.of(DataCheck.Kind.OUTSIDE_DATA_ROOT), kinds(strict), strict::format);
    assertEquals(2, strict.problems().size(), strict::format);
    assertTrue(strict.warnings().isEmpty());
    assertTrue(strict.format().contains("refused"), strict::format);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> DataCheck.requireClean(List.of(train), o.withContain(true)));
    assertTrue(e.getMessage().contains("train.csv:3: up [outside_data_root]"), e.getMessage());
  }

  @Test
  void heldOutSplitsAreRecognisedByATestOrEvalTokenAnywhereInTheName() {
    for (String name :
        List.of(
            "test.csv",
            "bad_test.csv",
            "test-clean.csv",
            "fsdd_test.csv",
            "eval.json",
            "TEST.CSV",
            "dev.eval.csv",
            "eval2000.csv",
            "test_other.json")) {
      assertTrue(DataCheck.Options.isHeldOutName(Path.of("/data", name)), name);
      assertTrue(DataCheck.Options.TEST_BY_NAME.test(Path.of(name)), name);
    }
    for (String name :
        List.of("contest.csv", "train.csv", "valid.csv", "latest.csv", "evaluation.csv", "t.csv")) {
      assertFalse(DataCheck.Options.isHeldOutName(Path.of(name)), name);
    }
  }

  @Test
  void aSpeakerOfBadTestAlsoInBadTrainIsReported() throws IOException {
    wav("a.wav", 16000, 0.5);
    Manifest train = csv("bad_train.csv", "a,0.5,$data_root/a.wav,s1,one\n");
    Manifest test = csv("bad_test.csv", "b,0.5,$data_root/a.wav,s1,two\n");
    DataCheck.Report r = DataCheck.check(List.of(train, test), DataCheck.Options.defaults());
    assertEquals(Set.of(DataCheck.Kind.SPEAKER_OVERLAP), kinds(r), r::format);
    assertTrue(r.format().contains("bad_test.csv:2: b [speaker_overlap]"), r::format);
  }

  @Test
  void explicitlyHeldOutFilesAddToTheNameRule() throws IOException {
    wav("a.wav", 16000, 0.5);
    Manifest train = csv("train.csv", "a,0.5,$data_root/a.wav,s1,one\n");
    Manifest dev = csv("dev.csv", "b,0.5,$data_root/a.wav,s1,two\n");
    Manifest test = csv("test.csv", "c,0.5,$data_root/a.wav,s2,three\n");
    Manifest other = csv("other.csv", "d,0.5,$data_root/a.wav,s2,four\n");
    List<Manifest> all = List.of(train, dev, test, other);
    DataCheck.Options byName = DataCheck.Options.defaults();
    // By name only: test.csv's s2 is also in other.csv; dev.csv is not held out.
    assertEquals(1, DataCheck.check(all, byName).problems().size());
    DataCheck.Options both =
        byName.withHeldOut(DataCheck.Options.heldOutByNameOr(List.of(dir.resolve("./dev.csv"))));
    DataCheck.Report r = DataCheck.check(all, both);
    List<String> found = new ArrayList<>(lines(r.problems()));
    assertEquals(2, found.size(), r::format);
    assertTrue(found.get(0).contains("dev.csv:2: b [speaker_overlap]"), r::format);
    assertTrue(found.get(1).contains("test.csv:2: c [speaker_overlap]"), r::format);
  }

  @Test
  void optionsRefuseThresholdsOutsideTheirRange() {
    DataCheck.Options o = DataCheck.Options.defaults();
    IllegalArgumentException clip =
        assertThrows(IllegalArgumentException.class, () -> o.withLevels(1.5, 0.001));
    assertTrue(clip.getMessage().contains("clipFraction is 1.5"), clip.getMessage());
    IllegalArgumentException silence =
        assertThrows(IllegalArgumentException.class, () -> o.withLevels(0.001, Double.NaN));
    assertTrue(silence.getMessage().contains("silencePeak is NaN"), silence.getMessage());
  }
}
