package dev.sonus.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.repro.DataFingerprint.FilePrint;
import dev.sonus.repro.DataFingerprint.Fingerprint;
import dev.sonus.repro.DataFingerprint.ManifestPrint;
import dev.sonus.repro.DataFingerprint.Options;
import dev.sonus.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests {@link DataFingerprint} on small files made here: the "audio" is arbitrary bytes, since
 * fingerprints hash files without decoding them. Files get an old, fixed mtime so that the hash
 * cache may store them (hashes of files modified in the last 2 seconds are never cached).
 */
final class DataFingerprintTest {
  private static final FileTime OLD = FileTime.from(Instant.parse("2024-01-02T03:04:05Z"));

  @TempDir Path tmp;

  private Path data;
  private Path cache;
  private Map<String, String> repl;

  @BeforeEach
  void makeData() throws IOException {
    data = Files.createDirectories(tmp.resolve("data"));
    cache = tmp.resolve("cache").resolve("file-hashes.tsv");
    repl = Map.of("data_root", data.toString());
    for (int i = 1; i <= 8; i++) {
      audio("u" + i, 100 + i);
    }
    manifest("train.csv", "u1", "u2", "u3", "u4", "u5");
    manifest("valid.csv", "u6", "u7");
    manifest("test.csv", "u8");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // What is recorded

  @Test
  void recordsHashesSizesRowsAndDuration() throws IOException {
    Fingerprint fp = compute(options(1), "train.csv");

    ManifestPrint m = fp.manifests().get(0);
    assertEquals(tmp.resolve("train.csv").toString(), m.path());
    assertEquals(sha256(Files.readAllBytes(tmp.resolve("train.csv"))), m.sha256());
    assertEquals(5, m.rows());
    assertEquals(1.5 * 5, m.durationSeconds(), 1e-9);
    assertEquals(5, m.files().size());
    FilePrint f = m.files().get(2);
    assertEquals("u3", f.id());
    assertEquals(data.resolve("u3.wav").toString(), f.path());
    assertEquals(103, f.size());
    assertEquals(sha256(Files.readAllBytes(data.resolve("u3.wav"))), f.sha256());
    assertEquals(64, m.audioSha256().length());
  }

  @Test
  void sameDataGivesTheSameFingerprint() throws IOException {
    Fingerprint first = compute(options(2), "train.csv", "valid.csv", "test.csv");
    Fingerprint second =
        compute(
            new Options("wav", 1, tmp.resolve("other-cache.tsv")),
            "train.csv",
            "valid.csv",
            "test.csv");

    assertEquals(first, second);
    assertEquals(List.of(), DataFingerprint.differences(first, second));
  }

  @Test
  void parallelAndSingleThreadGiveIdenticalResults() throws IOException {
    for (int i = 100; i < 160; i++) {
      audio("p" + i, 1000 + 37 * i);
    }
    List<String> ids = new ArrayList<>();
    for (int i = 100; i < 160; i++) {
      ids.add("p" + i);
    }
    manifest("big.csv", ids.toArray(String[]::new));

    Fingerprint single = compute(new Options("wav", 1, null), "big.csv", "train.csv");
    Fingerprint parallel = compute(new Options("wav", 6, null), "big.csv", "train.csv");

    assertEquals(single, parallel);
    assertEquals(Json.write(single.toJson()), Json.write(parallel.toJson()));
  }

  @Test
  void combinedAudioHashIgnoresRowOrderAndDataLocation() throws IOException {
    Fingerprint original = compute(options(1), "train.csv");
    // The same corpus copied elsewhere, listed in another order.
    Path moved = Files.createDirectories(tmp.resolve("moved"));
    for (String id : List.of("u1", "u2", "u3", "u4", "u5")) {
      Files.copy(data.resolve(id + ".wav"), moved.resolve(id + ".wav"));
    }
    Path other = Files.createDirectories(tmp.resolve("elsewhere"));
    Files.writeString(other.resolve("train.csv"), csv("u5", "u3", "u1", "u2", "u4"));

    Fingerprint relocated =
        DataFingerprint.compute(
            List.of(other.resolve("train.csv")), Map.of("data_root", moved.toString()), options(1));

    assertEquals(
        original.manifests().get(0).audioSha256(), relocated.manifests().get(0).audioSha256());
    List<String> diff = DataFingerprint.differences(original, relocated);
    assertEquals(2, diff.size(), diff.toString());
    assertTrue(
        diff.get(0).startsWith("train.csv: manifest content changed (sha256 "), diff.toString());
    assertTrue(
        diff.get(1)
            .startsWith(
                "train.csv: 5 audio files at a different path with the same content (e.g. "
                    + data.resolve("u1.wav")
                    + " -> "
                    + moved.resolve("u1.wav")
                    + ")"),
        diff.toString());
  }

  @Test
  void acceptsJsonManifestsWithFileMaps() throws IOException {
    Files.writeString(
        tmp.resolve("train.json"),
        "{\n"
            + "  \"u1\": {\"wav\": {\"file\": \"{data_root}/u1.wav\", \"start\": 0, \"stop\": 8000}, \"duration\": 0.5},\n"
            + "  \"u2\": {\"wav\": \"{data_root}/u2.wav\", \"duration\": 2}\n}\n");

    ManifestPrint m = compute(options(1), "train.json").manifests().get(0);

    assertEquals(2, m.rows());
    assertEquals(2.5, m.durationSeconds(), 1e-12);
    assertEquals(data.resolve("u1.wav").toString(), m.files().get(0).path());
    assertEquals(101, m.files().get(0).size());
    assertEquals(102, m.files().get(1).size());
  }

  @Test
  void recordsAMissingAudioFileWithoutFailing() throws IOException {
    Files.delete(data.resolve("u2.wav"));

    ManifestPrint m = compute(options(2), "train.csv").manifests().get(0);

    FilePrint missing = m.files().get(1);
    assertEquals("u2", missing.id());
    assertEquals(-1, missing.size());
    assertNull(missing.sha256());
    assertTrue(missing.missing());
    assertEquals(5, m.files().size());
  }

  @Test
  void recordsAMissingManifestWithoutFailing() throws IOException {
    Fingerprint fp = DataFingerprint.compute(List.of(tmp.resolve("nope.csv")), repl, options(1));

    ManifestPrint m = fp.manifests().get(0);
    assertTrue(m.missing());
    assertEquals(0, m.rows());
    assertEquals(List.of(), m.files());
  }

  @Test
  void rejectsAManifestWithoutTheAudioColumnNamingIt() throws IOException {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> compute(new Options("audio", 1, null), "train.csv"));

    assertTrue(
        e.getMessage().contains("train.csv: no row has an audio field 'audio'"), e.getMessage());
    assertTrue(e.getMessage().contains("[duration, wav, spk_id]"), e.getMessage());
  }

  @Test
  void fingerprintsManifestsWithoutAudioWhenTheKeyIsNull() throws IOException {
    ManifestPrint m = compute(new Options((String) null, 1, null), "train.csv").manifests().get(0);

    assertEquals(5, m.rows());
    assertNull(m.audioSha256());
    assertEquals(List.of(), m.files());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Differences

  @Test
  void namesAModifiedAudioFile() throws IOException {
    Fingerprint before = compute(options(2), "train.csv", "valid.csv");
    String oldSha = before.manifests().get(0).files().get(2).sha256();
    Files.write(data.resolve("u3.wav"), new byte[109]);

    Fingerprint after = compute(options(2), "train.csv", "valid.csv");
    List<String> diff = DataFingerprint.differences(before, after);

    String newSha = after.manifests().get(0).files().get(2).sha256();
    assertEquals(
        List.of(
            "train.csv: audio file "
                + data.resolve("u3.wav")
                + " changed (size 103 -> 109, sha256 "
                + oldSha.substring(0, 8)
                + ".. -> "
                + newSha.substring(0, 8)
                + "..)"),
        diff);
    assertNotEquals(
        before.manifests().get(0).audioSha256(), after.manifests().get(0).audioSha256());
    assertEquals(before.manifests().get(1), after.manifests().get(1));
  }

  @Test
  void namesASameSizeModificationOnceTheMtimeMoves() throws IOException {
    Fingerprint before = compute(options(1), "train.csv");
    byte[] bytes = Files.readAllBytes(data.resolve("u1.wav"));
    bytes[0] ^= 1;
    Files.write(data.resolve("u1.wav"), bytes);
    Files.setLastModifiedTime(
        data.resolve("u1.wav"), FileTime.from(OLD.toInstant().plusSeconds(60)));

    List<String> diff = DataFingerprint.differences(before, compute(options(1), "train.csv"));

    assertEquals(1, diff.size(), diff.toString());
    assertTrue(
        diff.get(0)
            .startsWith(
                "train.csv: audio file "
                    + data.resolve("u1.wav")
                    + " changed (same size 101, "
                    + "sha256 "),
        diff.get(0));
  }

  @Test
  void namesAddedAndRemovedRows() throws IOException {
    Fingerprint before = compute(options(1), "train.csv");
    audio("u9", 50);
    audio("u10", 60);
    manifest("train.csv", "u1", "u2", "u4", "u5", "u9", "u10");

    List<String> diff = DataFingerprint.differences(before, compute(options(1), "train.csv"));

    assertEquals(4, diff.size(), diff.toString());
    assertTrue(diff.get(0).startsWith("train.csv: manifest content changed (sha256 "), diff.get(0));
    assertEquals("train.csv: 2 rows added (u9, u10)", diff.get(1));
    assertEquals("train.csv: 1 row removed (u3)", diff.get(2));
    assertEquals("train.csv: total duration 7.500 s -> 9.000 s", diff.get(3));
  }

  @Test
  void namesAManifestMissingNowAndAnAudioFileMissingNow() throws IOException {
    Fingerprint before = compute(options(1), "train.csv", "valid.csv");
    Files.delete(tmp.resolve("valid.csv"));
    Files.delete(data.resolve("u4.wav"));

    List<String> diff =
        DataFingerprint.differences(before, compute(options(1), "train.csv", "valid.csv"));

    assertEquals(
        List.of(
            "train.csv: audio file " + data.resolve("u4.wav") + " missing now (row u4)",
            "valid.csv: missing now"),
        diff);
  }

  @Test
  void namesAManifestWhoseContentChangedWithTheSameRowsAndAudio() throws IOException {
    Fingerprint before = compute(options(1), "test.csv");
    Files.writeString(
        tmp.resolve("test.csv"), Files.readString(tmp.resolve("test.csv")).replace("spk1", "spk9"));

    Fingerprint after = compute(options(1), "test.csv");
    List<String> diff = DataFingerprint.differences(before, after);

    assertEquals(
        List.of(
            "test.csv: manifest content changed (sha256 "
                + before.manifests().get(0).sha256().substring(0, 8)
                + ".. -> "
                + after.manifests().get(0).sha256().substring(0, 8)
                + "..)"),
        diff);
  }

  @Test
  void namesManifestsOnlyOnOneSide() throws IOException {
    Fingerprint before = compute(options(1), "train.csv", "valid.csv");
    Fingerprint after = compute(options(1), "train.csv", "test.csv");

    assertEquals(
        List.of(
            "valid.csv: not in the new fingerprint (was 2 rows)",
            "test.csv: not in the earlier fingerprint (now 1 rows)"),
        DataFingerprint.differences(before, after));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The hash cache

  @Test
  void cacheHitAvoidsRehashing() throws IOException {
    DataFingerprint.Stats cold = new DataFingerprint.Stats();
    Fingerprint first =
        DataFingerprint.compute(paths("train.csv", "valid.csv"), repl, options(3), cold);
    DataFingerprint.Stats warm = new DataFingerprint.Stats();
    Fingerprint second =
        DataFingerprint.compute(paths("train.csv", "valid.csv"), repl, options(3), warm);

    assertEquals(7, cold.filesHashed.sum());
    assertEquals(101 + 102 + 103 + 104 + 105 + 106 + 107, cold.bytesHashed.sum());
    assertEquals(0, warm.filesHashed.sum());
    assertEquals(0, warm.bytesHashed.sum());
    assertEquals(7, warm.cacheHits.sum());
    assertEquals(first, second);
    assertTrue(Files.readString(cache).startsWith(FileHashCache.HEADER + "\n"));
  }

  @Test
  void cacheTrustsSizeAndMtime() throws IOException {
    // Documented behaviour: content changed behind the same size and mtime is not seen (like make
    // and rsync).
    Fingerprint before = compute(options(1), "test.csv");
    Files.write(data.resolve("u8.wav"), new byte[108]);
    Files.setLastModifiedTime(data.resolve("u8.wav"), OLD);

    Fingerprint stale = compute(options(1), "test.csv");
    Files.setLastModifiedTime(data.resolve("u8.wav"), FileTime.from(OLD.toInstant().plusMillis(1)));
    Fingerprint fresh = compute(options(1), "test.csv");

    assertEquals(before, stale);
    assertEquals(sha256(new byte[108]), fresh.manifests().get(0).files().get(0).sha256());
  }

  @Test
  void recentlyModifiedFilesAreNotCached() throws IOException {
    Files.setLastModifiedTime(data.resolve("u8.wav"), FileTime.from(Instant.now()));
    compute(options(1), "test.csv");
    DataFingerprint.Stats again = new DataFingerprint.Stats();

    DataFingerprint.compute(paths("test.csv"), repl, options(1), again);

    assertEquals(1, again.filesHashed.sum());
    assertEquals(0, again.cacheHits.sum());
  }

  @Test
  void corruptCacheIsIgnoredAndRewritten() throws IOException {
    Fingerprint expected = compute(new Options("wav", 1, null), "train.csv");
    Files.createDirectories(cache.getParent());
    Files.write(cache, new byte[] {0, (byte) 0xff, 'x', '\t', '\n', 1, 2});

    DataFingerprint.Stats stats = new DataFingerprint.Stats();
    Fingerprint fp = DataFingerprint.compute(paths("train.csv"), repl, options(2), stats);

    assertEquals(expected, fp);
    assertEquals(5, stats.filesHashed.sum());
    List<String> lines = Files.readAllLines(cache);
    assertEquals(FileHashCache.HEADER, lines.get(0));
    assertEquals(6, lines.size());
  }

  @Test
  void cacheWithAMalformedLineIsIgnored() throws IOException {
    compute(options(1), "train.csv");
    Files.writeString(cache, Files.readString(cache) + "not-a-hash\t12\t3\t/x.wav\n");
    DataFingerprint.Stats stats = new DataFingerprint.Stats();

    DataFingerprint.compute(paths("train.csv"), repl, options(1), stats);

    assertEquals(5, stats.filesHashed.sum());
    assertTrue(!Files.readString(cache).contains("not-a-hash"));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // JSON

  @Test
  void roundTripsThroughJson() throws IOException {
    Files.delete(data.resolve("u2.wav"));
    Fingerprint fp =
        DataFingerprint.compute(paths("train.csv", "valid.csv", "absent.csv"), repl, options(2));

    String text = Json.writePretty(fp.toJson());
    @SuppressWarnings("unchecked")
    Fingerprint back = Fingerprint.fromJson((Map<String, Object>) Json.parse(text));

    assertEquals(fp, back);
    assertTrue(text.contains("\"duration_seconds\": 7.5"), text);
    assertTrue(text.contains("\"audio_sha256\""), text);
  }

  @Test
  void rejectsANewerJsonFormat() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DataFingerprint.fromJson(Map.of("format", 2L, "manifests", List.of())));

    assertTrue(
        e.getMessage().contains("data fingerprint format 2 is not supported"), e.getMessage());
  }

  @Test
  void rejectsJsonWithAMistypedField() {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("path", "train.csv");
    m.put("sha256", "ab");
    m.put("rows", "five");
    m.put("files", List.of());
    Map<String, Object> json = Map.of("format", 1L, "manifests", List.of(m));

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DataFingerprint.fromJson(json));

    assertTrue(
        e.getMessage().contains("manifests[0] has rows = five; expected a number"), e.getMessage());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Helpers

  private Options options(int threads) {
    return new Options("wav", threads, cache);
  }

  private Fingerprint compute(Options options, String... manifests) {
    return DataFingerprint.compute(paths(manifests), repl, options);
  }

  private List<Path> paths(String... names) {
    List<Path> out = new ArrayList<>();
    for (String n : names) {
      out.add(tmp.resolve(n));
    }
    return out;
  }

  /** An "audio" file of {@code size} pseudo-random bytes, with an old mtime. */
  private void audio(String id, int size) throws IOException {
    byte[] bytes = new byte[size];
    new java.util.Random(id.hashCode()).nextBytes(bytes);
    Path p = data.resolve(id + ".wav");
    Files.write(p, bytes);
    Files.setLastModifiedTime(p, OLD);
  }

  private void manifest(String name, String... ids) throws IOException {
    Files.writeString(tmp.resolve(name), csv(ids));
  }

  private static String csv(String... ids) {
    StringBuilder sb = new StringBuilder("ID,duration,wav,spk_id\n");
    for (String id : ids) {
      sb.append(id).append(",1.5,$data_root/").append(id).append(".wav,spk1\n");
    }
    return sb.toString();
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
