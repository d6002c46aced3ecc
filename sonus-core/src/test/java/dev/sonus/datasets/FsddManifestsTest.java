package dev.sonus.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.data.DataCheck;
import dev.sonus.data.Manifest;
import dev.sonus.testing.Shared;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsddManifestsTest {
  @TempDir Path dir;

  @Test
  void fsddManifestsAreCleanAndSplitTheTestSpeakerOut() {
    Path fsdd = Shared.require("data/fsdd/recordings");
    FsddManifests.Result r = FsddManifests.prepare(fsdd, dir.resolve("fsdd"), Set.of("theo"), 5);
    assertEquals(Map.of("train", 1800, "valid", 200, "test", 500), r.counts());
    Map<String, String> root = Map.of("data_root", fsdd.toString());
    List<Manifest> splits =
        List.of(
            Manifest.load(r.train(), root),
            Manifest.load(r.valid(), root),
            Manifest.load(r.test(), root));
    assertTrue(splits.get(2).rows().stream().allMatch(row -> row.get("spk_id").equals("theo")));
    assertEquals(
        "seven",
        splits.get(2).rows().stream()
            .filter(row -> row.id().startsWith("7_"))
            .findFirst()
            .orElseThrow()
            .get("wrd"));
    DataCheck.Report report =
        DataCheck.check(splits, DataCheck.Options.defaults().withSampleRate(8000));
    assertTrue(report.ok(), report::format);
  }

  @Test
  void fsddRecordingsPassTheDeepCheckInsideTheirDataRoot() {
    Path fsdd = Shared.require("data/fsdd/recordings");
    FsddManifests.Result r = FsddManifests.prepare(fsdd, dir.resolve("fsdd"), Set.of("theo"), 5);
    Map<String, String> root = Map.of("data_root", fsdd.toString());
    List<Manifest> splits =
        List.of(
            Manifest.load(r.train(), root),
            Manifest.load(r.valid(), root),
            Manifest.load(r.test(), root));
    DataCheck.Report report =
        DataCheck.check(
            splits,
            DataCheck.Options.defaults()
                .withSampleRate(8000)
                .withDataRoot(fsdd)
                .withContain(true)
                .withDeep(true)
                .withThreads(2));
    assertTrue(report.ok() && report.warnings().isEmpty(), report::format);
    assertEquals(2500, report.rows());
  }
}
