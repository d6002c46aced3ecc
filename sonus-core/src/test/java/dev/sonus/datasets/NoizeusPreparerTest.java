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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NoizeusPreparerTest {
  @TempDir Path dir;

  private final NoizeusPreparer noizeus = new NoizeusPreparer();
  private static final Map<String, String> SMALL =
      Map.of("valid_sentences", "1", "test_sentences", "2");

  @Test
  void eachNoisyFileIsARowWithItsCleanReferenceNoiseAndSnr() throws IOException {
    Path data = TinyCorpora.noizeus(dir.resolve("noizeus"));
    List<PreparedManifest> written = noizeus.prepare(data, dir.resolve("out"), SMALL);
    Written.assertRows(written, 12, 4, 8); // 3, 1 and 2 sentences x 2 noises x 2 SNRs
    for (PreparedManifest m : written) {
      assertEquals(
          "ID,duration,noisy_wav,clean_wav,noise,snr_db,spk_id,sentence", Written.header(m.path()));
      assertEquals(0, m.speakers());
    }
    Manifest.Row row =
        Written.load(written, data).values().stream()
            .flatMap(m -> m.rows().stream())
            .filter(r -> r.id().equals("sp03_car_sn5"))
            .findFirst()
            .orElseThrow();
    assertEquals(data + "/noisy/car_5dB/sp03_car_sn5.wav", row.get("noisy_wav"));
    assertEquals(data + "/clean/sp03.wav", row.get("clean_wav"));
    assertEquals("car", row.get("noise"));
    assertEquals("5", row.get("snr_db"));
    assertEquals("sp03", row.get("sentence"));
    assertEquals(0.07, ((Number) row.get("duration")).doubleValue(), 1e-9);
  }

  @Test
  void noSentenceIsInTwoSplits() {
    Path data = TinyCorpora.noizeus(dir.resolve("noizeus"));
    Map<String, Manifest> splits =
        Written.load(noizeus.prepare(data, dir.resolve("out"), SMALL), data);
    Written.assertDisjoint(splits, "sentence");
    assertEquals(
        List.of(3, 1, 2),
        splits.values().stream().map(m -> Written.values(m, "sentence").size()).toList());
    for (Manifest m : splits.values()) {
      for (String s : Written.values(m, "sentence")) {
        assertEquals(
            4,
            m.rows().stream().filter(r -> s.equals(r.get("sentence"))).count(),
            "every noisy version of " + s + " is in the same split");
      }
    }
  }

  @Test
  void theWholeCorpusCanBeTheTestSet() {
    Path data = TinyCorpora.noizeus(dir.resolve("noizeus"));
    Written.assertRows(
        noizeus.prepare(
            data, dir.resolve("out"), Map.of("valid_sentences", "0", "test_sentences", "6")),
        0,
        0,
        24);
  }

  @Test
  void twoRunsWriteByteIdenticalManifests() {
    Path data = TinyCorpora.noizeus(dir.resolve("noizeus"));
    noizeus.prepare(data, dir.resolve("a"), SMALL);
    noizeus.prepare(data, dir.resolve("b"), SMALL);
    assertEquals(Written.contents(dir.resolve("a")), Written.contents(dir.resolve("b")));
  }

  @Test
  void pointingAtNoisyIsRefusedWithTheCorpusFolder() {
    Path data = TinyCorpora.noizeus(dir.resolve("noizeus"));
    Written.fails(
        () -> noizeus.prepare(data.resolve("noisy"), dir.resolve("out")),
        data.resolve("noisy") + " does not look like the NOIZEUS corpus",
        "missing clean/, noisy/",
        data + " looks like it");
  }

  @Test
  void aNoisyFileWithoutItsCleanSentenceIsNamed() throws IOException {
    Path data = TinyCorpora.noizeus(dir.resolve("noizeus"));
    Files.delete(data.resolve("clean/sp04.wav"));
    Written.fails(
        () -> noizeus.prepare(data, dir.resolve("out")),
        "sp04_airport_sn0.wav has no clean reference",
        data.resolve("clean") + " has no sp04.flac");
  }

  @Test
  void aNoisyFileOfAnotherLengthThanItsCleanOneIsRefused() {
    Path data = TinyCorpora.noizeus(dir.resolve("noizeus"));
    Path noisy = TinyCorpora.tone(data.resolve("noisy/car_0dB/sp02_car_sn0.wav"), 8000, 0.5);
    Written.fails(
        () -> noizeus.prepare(data, dir.resolve("out")),
        noisy + " has 4000 samples",
        "clean/sp02.wav has 480");
  }

  @Test
  void aFileInTheWrongConditionFolderIsRefused() throws IOException {
    Path data = TinyCorpora.noizeus(dir.resolve("noizeus"));
    Path moved = data.resolve("noisy/car_5dB/sp01_car_sn0.wav");
    Files.move(data.resolve("noisy/car_0dB/sp01_car_sn0.wav"), moved);
    Written.fails(() -> noizeus.prepare(data, dir.resolve("out")), moved, "spNN_car_sn5");
  }

  @Test
  void countsBeyondTheSentencesAreRefused() {
    Path data = TinyCorpora.noizeus(dir.resolve("noizeus"));
    Written.fails(
        () ->
            noizeus.prepare(
                data, dir.resolve("out"), Map.of("valid_sentences", "3", "test_sentences", "4")),
        "valid_sentences=3",
        "only 6");
  }

  @Test
  void theRealCorpusHas960NoisyFilesOf30Sentences() {
    Path data = Shared.require("data/noizeus");
    List<PreparedManifest> written = noizeus.prepare(data, dir.resolve("out"));
    Written.assertRows(written, 15 * 32, 5 * 32, 10 * 32);
    Map<String, Manifest> splits = Written.load(written, data);
    Written.assertDisjoint(splits, "sentence");
    assertEquals(Set.of("0", "5", "10", "15"), Written.values(splits.get("test"), "snr_db"));
    assertEquals(8, Written.values(splits.get("train"), "noise").size());
    DataCheck.Options o = DataCheck.Options.defaults();
    for (String audio : List.of("noisy_wav", "clean_wav")) {
      DataCheck.Report report =
          DataCheck.check(
              List.copyOf(splits.values()),
              new DataCheck.Options(
                  audio,
                  o.durationKey(),
                  o.textKey(),
                  "sentence",
                  8000,
                  o.durationTolerance(),
                  2,
                  DataCheck.Options.ALL_HELD_OUT));
      assertTrue(report.ok(), report::format);
    }
  }
}
