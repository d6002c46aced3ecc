package dev.sonus.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    assertEquals(Set.of(DataCheck.Kind.values()), kinds(r), r::format);
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
}
