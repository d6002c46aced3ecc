package dev.sonus.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

class SpeechCommandsPreparerTest {
  @TempDir Path dir;

  private final SpeechCommandsPreparer commands = new SpeechCommandsPreparer();

  // The tiny corpus: 10 speakers x 10 words + 10 second takes of speaker 0 + 4 unknown + 4 silence
  // = 118 rows.
  private static final int ROWS = 118;

  @Test
  void everyRecordingIsInExactlyOneSplitWithItsClassAndWord() {
    Path data = TinyCorpora.speechCommands(dir.resolve("sc"));
    List<PreparedManifest> written = commands.prepare(data, dir.resolve("out"));
    assertEquals(ROWS, written.stream().mapToInt(PreparedManifest::rows).sum());
    for (PreparedManifest m : written) {
      assertEquals("ID,duration,wav,spk_id,label,word", Written.header(m.path()));
    }
    Map<String, Manifest> splits = Written.load(written, data);
    Set<String> labels = new TreeSet<>();
    splits.values().forEach(m -> labels.addAll(Written.values(m, "label")));
    assertEquals(new TreeSet<>(SpeechCommandsPreparer.LABELS), labels);
    Manifest.Row unknown =
        splits.values().stream()
            .flatMap(m -> m.rows().stream())
            .filter(r -> r.id().equals("unknown_backward_022cd682_nohash_0"))
            .findFirst()
            .orElseThrow();
    assertEquals("_unknown_", unknown.get("label"));
    assertEquals("backward", unknown.get("word"));
    assertEquals("022cd682", unknown.get("spk_id"));
    assertEquals(data + "/_unknown_/backward_022cd682_nohash_0.wav", unknown.get("wav"));
    Manifest.Row silence =
        splits.values().stream()
            .flatMap(m -> m.rows().stream())
            .filter(r -> r.id().equals("silence_1000"))
            .findFirst()
            .orElseThrow();
    assertEquals("_silence_", silence.get("label"));
    assertEquals("", silence.get("spk_id"));
    assertEquals("", silence.get("word"));
  }

  @Test
  void splitsAreSpeakerDisjointAndTakeTheAskedNumberOfSpeakers() {
    Path data = TinyCorpora.speechCommands(dir.resolve("sc"));
    List<PreparedManifest> written =
        commands.prepare(
            data, dir.resolve("out"), Map.of("valid_speakers", "2", "test_speakers", "0.3"));
    assertEquals(List.of(5, 2, 3), written.stream().map(PreparedManifest::speakers).toList());
    Map<String, Manifest> splits = Written.load(written, data);
    Written.assertDisjoint(splits, "spk_id");
    // Every word of a speaker goes with the speaker, unknown words included.
    for (Manifest m : splits.values()) {
      for (String spk : Written.values(m, "spk_id")) {
        long rows = m.rows().stream().filter(r -> spk.equals(r.get("spk_id"))).count();
        int expected =
            10
                + (spk.equals(TinyCorpora.SC_SPEAKERS.get(0)) ? 10 : 0)
                + (TinyCorpora.SC_SPEAKERS.subList(0, 2).contains(spk) ? 2 : 0);
        assertEquals(expected, rows, spk);
      }
    }
    DataCheck.Options o = DataCheck.Options.defaults();
    assertTrue(
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
                    DataCheck.Options.ALL_HELD_OUT))
            .ok());
  }

  @Test
  void silenceClipsAreSplitOneByOneInTheSpeakersProportions() {
    Path data = TinyCorpora.speechCommands(dir.resolve("sc"));
    Map<String, Manifest> splits =
        Written.load(
            commands.prepare(
                data,
                dir.resolve("out"),
                Map.of("valid_speakers", "0.25", "test_speakers", "0.25")),
            data);
    for (String split : List.of("train", "valid", "test")) {
      long silence =
          splits.get(split).rows().stream().filter(r -> r.get("label").equals("_silence_")).count();
      assertEquals(
          split.equals("train") ? 2 : 1, silence, split); // 4 clips, 3/10 and 3/10 of the speakers
    }
  }

  @Test
  void twoRunsWriteByteIdenticalManifests() {
    Path data = TinyCorpora.speechCommands(dir.resolve("sc"));
    commands.prepare(data, dir.resolve("a"));
    commands.prepare(data, dir.resolve("b"));
    assertEquals(Written.contents(dir.resolve("a")), Written.contents(dir.resolve("b")));
  }

  @Test
  void aMissingClassFolderIsNamed() throws IOException {
    Path data = TinyCorpora.speechCommands(dir.resolve("sc"));
    for (Path p : Layout.list(data.resolve("_silence_"))) {
      Files.delete(p);
    }
    Files.delete(data.resolve("_silence_"));
    Written.fails(
        () -> commands.prepare(data, dir.resolve("out")),
        data + " does not look like the Speech " + "Commands corpus",
        "missing _silence_/");
  }

  @Test
  void theFullDatasetLayoutIsRecognisedAndExplained() throws IOException {
    Path data = dir.resolve("full");
    TinyCorpora.tone(data.resolve("backward/0c540988_nohash_0.wav"), 16000, 0.05);
    Files.createDirectories(data.resolve("_background_noise_"));
    Written.fails(
        () -> commands.prepare(data, dir.resolve("out")),
        data.toString(),
        "full dataset",
        "12-class layout");
  }

  @Test
  void aFileNamedOtherwiseIsRefusedWithThePattern() {
    Path data = TinyCorpora.speechCommands(dir.resolve("sc"));
    Path odd = TinyCorpora.tone(data.resolve("yes/recording one.wav"), 16000, 0.05);
    Written.fails(
        () -> commands.prepare(data, dir.resolve("out")), odd, "<speaker-hash>_nohash_<take>");
  }

  @Test
  void compressedRecordingsAreListedLikeWavOnes() throws Exception {
    Path data = TinyCorpora.speechCommands(dir.resolve("sc"));
    Path wav = data.resolve("go/0c40e715_nohash_0.wav");
    Files.delete(wav);
    try (var in =
        SpeechCommandsPreparerTest.class.getResourceAsStream("/audio/codec/mono16k.mp3")) {
      assertTrue(in != null, "missing test input audio/codec/mono16k.mp3");
      Files.copy(in, data.resolve("go/0c40e715_nohash_0.mp3"));
    }
    List<PreparedManifest> written = commands.prepare(data, dir.resolve("out"));
    assertEquals(ROWS, written.stream().mapToInt(PreparedManifest::rows).sum());
    Manifest.Row mp3 =
        Written.load(written, data).values().stream()
            .flatMap(m -> m.rows().stream())
            .filter(r -> r.id().equals("go_0c40e715_nohash_0"))
            .findFirst()
            .orElseThrow();
    assertEquals(data + "/go/0c40e715_nohash_0.mp3", mp3.get("wav"));
    assertTrue(Double.parseDouble(String.valueOf(mp3.get("duration"))) > 0.5, mp3.toString());
  }

  @Test
  void anUnreadableRecordingIsNamed() throws IOException {
    Path data = TinyCorpora.speechCommands(dir.resolve("sc"));
    Path bad = data.resolve("go/0c40e715_nohash_0.wav");
    Files.write(bad, new byte[0]);
    Written.fails(() -> commands.prepare(data, dir.resolve("out")), bad, "empty");
  }

  @Test
  void splitsThatLeaveNoTrainingSpeakerAreRefused() {
    Path data = TinyCorpora.speechCommands(dir.resolve("sc"));
    Written.fails(
        () ->
            commands.prepare(
                data, dir.resolve("out"), Map.of("valid_speakers", "5", "test_speakers", "5")),
        "valid_speakers=5",
        "test_speakers=5",
        "of the 10 speakers");
  }

  @Test
  void theRealTestSetHas4890RecordingsOfAbout240Speakers() {
    Path data = Shared.require("data/speech-commands");
    List<PreparedManifest> written = commands.prepare(data, dir.resolve("out"));
    assertEquals(4890, written.stream().mapToInt(PreparedManifest::rows).sum());
    int speakers = written.stream().mapToInt(PreparedManifest::speakers).sum();
    assertTrue(speakers > 200 && speakers < 260, "speakers: " + speakers);
    assertEquals(Math.round(0.1 * speakers), written.get(1).speakers());
    Map<String, Manifest> splits = Written.load(written, data);
    Written.assertDisjoint(splits, "spk_id");
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
  }
}
