package dev.sonus.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sonus.data.Manifest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsddPreparerTest {
  @TempDir Path dir;

  private final FsddPreparer fsdd = new FsddPreparer();

  @Test
  void writesWhatFsddManifestsWritesForTheSameSplit() {
    Path data = TinyCorpora.fsdd(dir.resolve("recordings"));
    List<PreparedManifest> written =
        fsdd.prepare(data, dir.resolve("a"), Map.of("valid_takes", "1"));
    Written.assertRows(written, 4, 2, 6);
    assertEquals(List.of(1, 1, 1), written.stream().map(PreparedManifest::speakers).toList());
    FsddManifests.prepare(data, dir.resolve("b"), Set.of("theo"), 1);
    assertEquals(Written.contents(dir.resolve("b")), Written.contents(dir.resolve("a")));
    assertEquals("ID,duration,wav,spk_id,digit,wrd", Written.header(written.get(0).path()));
  }

  @Test
  void testSpeakersAreOptions() {
    Path data = TinyCorpora.fsdd(dir.resolve("recordings"));
    Map<String, Manifest> splits =
        Written.load(
            fsdd.prepare(data, dir.resolve("out"), Map.of("test_speakers", "jackson")), data);
    assertEquals(Set.of("jackson"), Written.values(splits.get("test"), "spk_id"));
    Written.fails(
        () -> fsdd.prepare(data, dir.resolve("out"), Map.of("test_speakers", "nicolas")),
        "test speaker 'nicolas'",
        "[jackson, theo]");
  }

  @Test
  void theFsddRepositoryRootIsRefusedWithItsRecordingsFolder() {
    Path data = TinyCorpora.fsdd(dir.resolve("recordings"));
    Written.fails(
        () -> fsdd.prepare(dir, dir.resolve("out")),
        dir + " does not look like the FSDD corpus",
        data + " looks like it");
  }
}
