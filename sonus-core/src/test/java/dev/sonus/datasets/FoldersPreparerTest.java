package dev.sonus.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import dev.sonus.data.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FoldersPreparerTest {
  @TempDir Path dir;

  private Path wav(Path file) throws Exception {
    Files.createDirectories(file.getParent());
    AudioIO.writeWav(file, Audio.mono(new float[800], 8000), WavEncoding.PCM_S16);
    return file;
  }

  /** Classes dog/ and rain/, speakers ann, bob, cat, dan, eve; folds 1-5 in the name. */
  private Path corpus() throws Exception {
    Path data = dir.resolve("data");
    String[] speakers = {"ann", "bob", "cat", "dan", "eve"};
    for (String label : List.of("dog", "rain")) {
      for (int s = 0; s < speakers.length; s++) {
        for (int take = 0; take < 2; take++) {
          wav(data.resolve(label).resolve((s + 1) + "-" + speakers[s] + "_" + take + ".wav"));
        }
      }
    }
    return data;
  }

  private static Map<String, Manifest> load(Path out) {
    Map<String, String> root = Map.of("data_root", "/data");
    return Map.of(
        "train", Manifest.load(out.resolve("train.csv"), root),
        "valid", Manifest.load(out.resolve("valid.csv"), root),
        "test", Manifest.load(out.resolve("test.csv"), root));
  }

  private static Set<String> column(Manifest m, String key) {
    Set<String> out = new HashSet<>();
    m.rows().forEach(r -> out.add(String.valueOf(r.fields().get(key))));
    return out;
  }

  @Test
  void withoutRegexesEveryClassIsSplitOnItsOwn() throws Exception {
    Path data = corpus();
    List<PreparedManifest> written =
        new FoldersPreparer()
            .prepare(data, dir.resolve("out"), Map.of("valid", "0.1", "test", "0.2"));
    assertEquals(List.of(14, 2, 4), written.stream().map(PreparedManifest::rows).toList());
    Map<String, Manifest> m = load(dir.resolve("out"));
    for (String split : List.of("train", "valid", "test")) {
      assertEquals(Set.of("dog", "rain"), column(m.get(split), "label"), split);
    }
    Manifest.Row row = m.get("test").rows().get(0);
    assertTrue(String.valueOf(row.fields().get("wav")).startsWith("/data/"), row.toString());
    assertTrue(row.id().startsWith(row.fields().get("label") + "_"), row.id());
  }

  @Test
  void aSpeakerRegexKeepsEachSpeakerInOneSplit() throws Exception {
    Path data = corpus();
    new FoldersPreparer()
        .prepare(
            data,
            dir.resolve("out"),
            Map.of("speaker_regex", "-([a-z]+)_", "valid", "1", "test", "1", "seed", "3"));
    Map<String, Manifest> m = load(dir.resolve("out"));
    Set<String> seen = new HashSet<>();
    for (Manifest split : m.values()) {
      for (String spk : column(split, "spk_id")) {
        assertTrue(seen.add(spk), spk + " is in two splits");
      }
    }
    assertEquals(Set.of("ann", "bob", "cat", "dan", "eve"), seen);
    assertEquals(4, m.get("test").size(), "one speaker: 2 takes x 2 classes");
  }

  @Test
  void aFoldRegexSplitsByTheNamedFolds() throws Exception {
    Path data = corpus();
    new FoldersPreparer()
        .prepare(
            data,
            dir.resolve("out"),
            Map.of("fold_regex", "^([0-9]+)-", "test_folds", "5", "valid_folds", "4"));
    Map<String, Manifest> m = load(dir.resolve("out"));
    assertEquals(4, m.get("test").size());
    assertTrue(m.get("test").rows().stream().allMatch(r -> r.id().contains("_5-eve")));
    assertEquals(12, m.get("train").size());
  }

  @Test
  void nestedFoldersAndOtherFormatsAreRecordingsOfTheirClass() throws Exception {
    Path data = dir.resolve("nested");
    for (String label : List.of("yes", "no")) {
      for (int i = 0; i < 5; i++) {
        wav(data.resolve(label).resolve("spk" + i).resolve("take.wav"));
      }
    }
    Files.writeString(data.resolve("yes").resolve("README.txt"), "not audio");
    new FoldersPreparer()
        .prepare(data, dir.resolve("out"), Map.of("speaker_regex", "^(spk[0-9]+)/"));
    Map<String, Manifest> m = load(dir.resolve("out"));
    assertEquals(10, m.values().stream().mapToInt(Manifest::size).sum());
    assertTrue(column(m.get("train"), "spk_id").stream().allMatch(s -> s.startsWith("spk")));
  }

  @Test
  void wrongLayoutsAndOptionsAreNamed() throws Exception {
    FoldersPreparer p = new FoldersPreparer();
    Path out = dir.resolve("out");

    Path one = dir.resolve("one");
    for (int i = 0; i < 3; i++) {
      wav(one.resolve("dog").resolve(i + ".wav"));
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> p.prepare(one, out));
    assertTrue(e.getMessage().contains("holds one class folder (dog/)"), e.getMessage());

    Files.createDirectories(one.resolve("cat"));
    e = assertThrows(IllegalArgumentException.class, () -> p.prepare(one, out));
    assertTrue(
        e.getMessage().startsWith(one.resolve("cat") + " holds no recordings"), e.getMessage());

    Path loose = dir.resolve("loose");
    wav(loose.resolve("dog").resolve("a.wav"));
    wav(loose.resolve("b.wav"));
    e = assertThrows(IllegalArgumentException.class, () -> p.prepare(loose, out));
    assertTrue(e.getMessage().contains("lies in the data folder itself"), e.getMessage());

    Path data = corpus();
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> p.prepare(data, out, Map.of("speaker_regex", "^spk([0-9]+)")));
    assertTrue(e.getMessage().contains("finds nothing in '1-ann_0'"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> p.prepare(data, out, Map.of("speaker_regex", "([a-z")));
    assertTrue(e.getMessage().contains("is not a regular expression"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> p.prepare(data, out, Map.of("fold_regex", "^([0-9]+)-", "test_folds", "9")));
    assertTrue(e.getMessage().contains("fold '9'") && e.getMessage().contains("[1, 2, 3, 4, 5]"));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> p.prepare(data, out, Map.of("fold_regex", "^([0-9]+)-")));
    assertTrue(e.getMessage().contains("test_folds is empty"), e.getMessage());
    assertTrue(Files.notExists(out.resolve("train.csv")), "nothing written on an error");
  }
}
