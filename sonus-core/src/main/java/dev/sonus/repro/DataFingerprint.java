package dev.sonus.repro;

import dev.sonus.data.AudioPipelines;
import dev.sonus.data.Manifest;
import dev.sonus.util.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What data a run saw: for each manifest its SHA-256, row count, total duration, and the size and
 * SHA-256 of every audio file it names, plus one combined hash of the audio. A run bundle stores it
 * as {@code data.json}; a replay fingerprints the data again and {@link #differences} names exactly
 * what changed.
 *
 * <p>Audio files are hashed in parallel, and their hashes are cached by (absolute path, size,
 * modification time) in a cache file (default {@code $XDG_CACHE_HOME/sonus/file-hashes.tsv}, else
 * {@code ~/.cache/sonus/file-hashes.tsv}), so fingerprinting thousands of unchanged files reads
 * none of them. The cache trusts size and mtime: a file rewritten with the same size whose mtime is
 * set back keeps its old hash (see {@link FileHashCache}).
 *
 * <p>The combined audio hash depends only on the (row id, file content) pairs, not on where the
 * data lives, so the same corpus under another {@code data_folder} has the same {@code
 * audioSha256}. Relative audio paths are resolved against the working directory, as when the audio
 * is loaded.
 */
public final class DataFingerprint {
  /** Version of the JSON written by {@link Fingerprint#toJson()}. */
  public static final int FORMAT = 1;

  private static final Logger LOG = LoggerFactory.getLogger(DataFingerprint.class);

  /**
   * Most lines of one kind that {@link #differences} lists per manifest before summarising the
   * rest.
   */
  private static final int MAX_LINES_PER_KIND = 20;

  private DataFingerprint() {}

  /**
   * How to fingerprint.
   *
   * @param audioKeys manifest fields naming audio files ({@code wav} in SpeechBrain recipes; {@code
   *     noisy_wav} and {@code clean_wav} for enhancement; a JSON map value with {@code file} is
   *     accepted); every file of every field is hashed. Empty for manifests without audio (e.g.
   *     text only). Files of the first field are listed under the row's ID, those of the others
   *     under {@code <ID>/<field>}.
   * @param threads threads hashing files, at least 1
   * @param cacheFile the hash cache, or {@code null} for none (every file is hashed)
   */
  public record Options(List<String> audioKeys, int threads, Path cacheFile) {
    /** Validates the thread count and copies the fields. */
    public Options {
      if (threads < 1) {
        throw new IllegalArgumentException("threads is " + threads + "; expected at least 1");
      }
      audioKeys = audioKeys == null ? List.of() : List.copyOf(audioKeys);
    }

    /** One audio field, or none when {@code audioKey} is null. */
    public Options(String audioKey, int threads, Path cacheFile) {
      this(audioKey == null ? List.of() : List.of(audioKey), threads, cacheFile);
    }

    /** A copy that hashes the files of these fields. */
    public Options withAudioKeys(List<String> keys) {
      return new Options(keys, threads, cacheFile);
    }

    /**
     * {@code wav}, one thread per core (at most 8: hashing is I/O bound), the default cache file.
     */
    public static Options defaults() {
      return new Options(
          "wav", Math.min(8, Runtime.getRuntime().availableProcessors()), defaultCacheFile());
    }
  }

  /**
   * One audio file named by a manifest row.
   *
   * @param id the row's ID
   * @param path the path as the manifest gives it, after replacements
   * @param size bytes, or -1 when the file is missing
   * @param sha256 lowercase hex SHA-256 of the content, or {@code null} when the file is missing
   */
  public record FilePrint(String id, String path, long size, String sha256) {
    /** Whether the file was missing when fingerprinted. */
    public boolean missing() {
      return sha256 == null;
    }
  }

  /**
   * One manifest.
   *
   * @param path the manifest path as given
   * @param sha256 SHA-256 of the manifest file's bytes, or {@code null} when the manifest is
   *     missing
   * @param rows number of rows
   * @param durationSeconds sum of the {@code duration} column; 0 when there is none
   * @param audioSha256 SHA-256 over the rows' (id, file SHA-256) pairs sorted by id, or {@code
   *     null} when no audio key was fingerprinted or the manifest is missing
   * @param files the audio file of each row, in row order
   */
  public record ManifestPrint(
      String path,
      String sha256,
      int rows,
      double durationSeconds,
      String audioSha256,
      List<FilePrint> files) {
    /** Copies the file list. */
    public ManifestPrint {
      files = List.copyOf(files);
    }

    /** Whether the manifest was missing when fingerprinted. */
    public boolean missing() {
      return sha256 == null;
    }
  }

  /**
   * The fingerprint of a run's data: one entry per manifest, in the order given.
   *
   * @param manifests the manifests
   */
  public record Fingerprint(List<ManifestPrint> manifests) {
    /** Copies the list. */
    public Fingerprint {
      manifests = List.copyOf(manifests);
    }

    /**
     * The JSON form stored as {@code data.json}: {@code {"format": 1, "manifests": [{"path",
     * "sha256", "rows", "duration_seconds", "audio_sha256", "files": [{"id", "path", "size",
     * "sha256"}]}]}}.
     */
    public Map<String, Object> toJson() {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("format", FORMAT);
      List<Object> list = new ArrayList<>();
      for (ManifestPrint m : manifests) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("path", m.path());
        j.put("sha256", m.sha256());
        j.put("rows", m.rows());
        j.put("duration_seconds", m.durationSeconds());
        j.put("audio_sha256", m.audioSha256());
        List<Object> files = new ArrayList<>();
        for (FilePrint f : m.files()) {
          Map<String, Object> fj = new LinkedHashMap<>();
          fj.put("id", f.id());
          fj.put("path", f.path());
          fj.put("size", f.size());
          fj.put("sha256", f.sha256());
          files.add(fj);
        }
        j.put("files", files);
        list.add(j);
      }
      out.put("manifests", list);
      return out;
    }

    /**
     * Reads the form written by {@link #toJson()} (as parsed by {@code dev.sonus.util.Json}).
     *
     * @throws IllegalArgumentException naming the key for a missing or mistyped field, or a newer
     *     format
     */
    public static Fingerprint fromJson(Map<String, Object> json) {
      long format = number(json, "format", "data fingerprint").longValue();
      if (format > FORMAT || format < 1) {
        throw new IllegalArgumentException(
            "data fingerprint format "
                + format
                + " is not supported (this version "
                + "reads 1 to "
                + FORMAT
                + "); upgrade the toolkit");
      }
      List<ManifestPrint> manifests = new ArrayList<>();
      int i = 0;
      for (Object o : list(json, "manifests", "data fingerprint")) {
        String where = "data fingerprint manifests[" + i++ + "]";
        Map<?, ?> m = map(o, where);
        List<FilePrint> files = new ArrayList<>();
        int k = 0;
        for (Object fo : list(m, "files", where)) {
          String fwhere = where + ".files[" + k++ + "]";
          Map<?, ?> f = map(fo, fwhere);
          files.add(
              new FilePrint(
                  string(f, "id", fwhere, false),
                  string(f, "path", fwhere, false),
                  number(f, "size", fwhere).longValue(),
                  string(f, "sha256", fwhere, true)));
        }
        manifests.add(
            new ManifestPrint(
                string(m, "path", where, false),
                string(m, "sha256", where, true),
                Math.toIntExact(number(m, "rows", where).longValue()),
                number(m, "duration_seconds", where).doubleValue(),
                string(m, "audio_sha256", where, true),
                files));
      }
      return new Fingerprint(manifests);
    }
  }

  /** Same as {@link Fingerprint#fromJson(Map)}. */
  public static Fingerprint fromJson(Map<String, Object> json) {
    return Fingerprint.fromJson(json);
  }

  /**
   * {@code $XDG_CACHE_HOME/sonus/file-hashes.tsv} when that variable is set, else {@code
   * ~/.cache/sonus/...}.
   */
  public static Path defaultCacheFile() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("sonus").resolve("file-hashes.tsv");
  }

  // -----------------------------------------------------------------------------------------------------------------
  // Computing

  /** Counts of work done, for logs and tests. */
  static final class Stats {
    final LongAdder filesHashed = new LongAdder();
    final LongAdder bytesHashed = new LongAdder();
    final LongAdder cacheHits = new LongAdder();
  }

  /**
   * Fingerprints manifests and the audio files they name.
   *
   * <p>A missing manifest is recorded with a {@code null} SHA-256 and no rows; a missing audio file
   * with size -1 and a {@code null} SHA-256. Results do not depend on the number of threads.
   *
   * @param manifests CSV or JSON manifests
   * @param replacements values for their placeholders ({@code $data_root}, {@code {data_root}})
   * @throws IllegalArgumentException for a malformed manifest (naming its file and line), or one
   *     with rows none of which has the audio key
   * @throws UncheckedIOException naming the path for a file that exists but cannot be read
   */
  public static Fingerprint compute(
      List<Path> manifests, Map<String, String> replacements, Options options) {
    return compute(manifests, replacements, options, new Stats());
  }

  static Fingerprint compute(
      List<Path> manifests, Map<String, String> replacements, Options options, Stats stats) {
    long start = System.nanoTime();
    Map<String, String> repl = replacements == null ? Map.of() : replacements;
    // First pass: read the manifests and collect the audio files, each distinct file hashed once.
    List<Loaded> loaded = new ArrayList<>();
    Set<Path> files = new LinkedHashSet<>();
    for (Path p : manifests) {
      Loaded l = loadManifest(p, repl, options.audioKeys());
      loaded.add(l);
      for (String[] idAndPath : l.audio) {
        if (!idAndPath[1].isEmpty()) {
          files.add(absolute(idAndPath[1]));
        }
      }
    }
    Map<Path, Hashed> hashes = hashAll(new ArrayList<>(files), options, stats);
    List<ManifestPrint> out = new ArrayList<>();
    for (Loaded l : loaded) {
      if (l.sha256 == null) {
        out.add(new ManifestPrint(l.path.toString(), null, 0, 0.0, null, List.of()));
        continue;
      }
      List<FilePrint> prints = new ArrayList<>();
      for (String[] idAndPath : l.audio) {
        Hashed h = idAndPath[1].isEmpty() ? Hashed.MISSING : hashes.get(absolute(idAndPath[1]));
        prints.add(new FilePrint(idAndPath[0], idAndPath[1], h.size, h.sha256));
      }
      String audioSha = options.audioKeys().isEmpty() ? null : combined(prints);
      out.add(
          new ManifestPrint(
              l.path.toString(), l.sha256, l.rows, l.durationSeconds, audioSha, prints));
    }
    LOG.info(
        "fingerprinted {} manifests and {} audio files in {} s: {} hashed ({} MB), {} from the cache",
        manifests.size(),
        files.size(),
        String.format(Locale.ROOT, "%.2f", (System.nanoTime() - start) / 1e9),
        stats.filesHashed.sum(),
        stats.bytesHashed.sum() >> 20,
        stats.cacheHits.sum());
    return new Fingerprint(out);
  }

  private record Loaded(
      Path path, String sha256, int rows, double durationSeconds, List<String[]> audio) {}

  private static Loaded loadManifest(
      Path p, Map<String, String> replacements, List<String> audioKeys) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(p);
    } catch (NoSuchFileException e) {
      return new Loaded(p, null, 0, 0.0, List.of());
    } catch (IOException e) {
      throw new UncheckedIOException(p + ": cannot read the manifest: " + e.getMessage(), e);
    }
    Manifest m = Manifest.load(p, replacements);
    double duration = 0;
    for (Manifest.Row r : m.rows()) {
      Object d = r.get("duration");
      if (d instanceof Number n) {
        duration += n.doubleValue();
      } else if (d instanceof String s && !s.isBlank()) {
        try {
          duration += Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              String.format(
                  "%s:%d: duration '%s' of row '%s' is not a number of " + "seconds",
                  p, r.line(), s, r.id()),
              e);
        }
      }
    }
    List<String[]> audio = new ArrayList<>();
    for (int k = 0; k < audioKeys.size(); k++) {
      String audioKey = audioKeys.get(k);
      boolean any = false;
      for (Manifest.Row r : m.rows()) {
        Object v = r.get(audioKey);
        String file = "";
        if (v != null && !(v instanceof Map<?, ?> map && map.get("file") == null)) {
          file = AudioPipelines.audioPath(v).toString();
          any = true;
        }
        audio.add(new String[] {k == 0 ? r.id() : r.id() + "/" + audioKey, file});
      }
      if (!any && m.size() > 0) {
        throw new IllegalArgumentException(
            String.format(
                "%s: no row has an audio field '%s' (fields: %s); set the "
                    + "fingerprint's audio key to the column naming the audio files, or to null for manifests without audio",
                p, audioKey, m.keys()));
      }
    }
    return new Loaded(p, sha256Hex(bytes), m.size(), duration, audio);
  }

  private static Path absolute(String path) {
    return Path.of(path).toAbsolutePath().normalize();
  }

  /** A file's size and hash; {@link #MISSING} for a file that does not exist. */
  private record Hashed(long size, String sha256) {
    static final Hashed MISSING = new Hashed(-1, null);
  }

  private static Map<Path, Hashed> hashAll(List<Path> files, Options options, Stats stats) {
    FileHashCache cache = FileHashCache.load(options.cacheFile());
    Map<Path, Hashed> out = new HashMap<>();
    try {
      if (options.threads() == 1 || files.size() < 2) {
        for (Path f : files) {
          out.put(f, hashCached(f, cache, stats));
        }
        return out;
      }
      AtomicInteger n = new AtomicInteger();
      ExecutorService pool =
          Executors.newFixedThreadPool(
              Math.min(options.threads(), files.size()),
              r -> {
                Thread t = new Thread(r, "sonus-fingerprint-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      try {
        List<Future<Hashed>> futures = new ArrayList<>();
        for (Path f : files) {
          futures.add(pool.submit(() -> hashCached(f, cache, stats)));
        }
        for (int i = 0; i < files.size(); i++) {
          out.put(files.get(i), futures.get(i).get());
        }
        return out;
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException re) {
          throw re;
        }
        throw new IllegalStateException("hashing failed: " + e.getCause(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while hashing audio files", e);
      } finally {
        pool.shutdownNow();
      }
    } finally {
      cache.saveIfChanged();
    }
  }

  private static Hashed hashCached(Path file, FileHashCache cache, Stats stats) {
    for (int attempt = 0; ; attempt++) {
      BasicFileAttributes before = stat(file);
      if (before == null) {
        return Hashed.MISSING;
      }
      long mtime = before.lastModifiedTime().to(TimeUnit.NANOSECONDS);
      String key = file.toString();
      String cached = cache.lookup(key, before.size(), mtime);
      if (cached != null) {
        stats.cacheHits.increment();
        return new Hashed(before.size(), cached);
      }
      long hashedAt = System.currentTimeMillis() * 1_000_000L;
      String sha = hashFile(file, stats);
      if (sha == null) {
        return Hashed.MISSING;
      }
      BasicFileAttributes after = stat(file);
      boolean unchanged =
          after != null
              && after.size() == before.size()
              && after.lastModifiedTime().to(TimeUnit.NANOSECONDS) == mtime;
      if (unchanged) {
        cache.put(key, before.size(), mtime, sha, hashedAt);
        return new Hashed(before.size(), sha);
      }
      if (attempt >= 2) {
        // Still being written: report what was read, and cache nothing.
        LOG.warn(
            "{} changed while it was being hashed; its fingerprint may not match any complete version",
            file);
        return new Hashed(after == null ? -1 : after.size(), after == null ? null : sha);
      }
    }
  }

  private static BasicFileAttributes stat(Path file) {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(
          file + ": cannot read the audio file's attributes: " + e.getMessage(), e);
    }
  }

  /** The file's SHA-256, or {@code null} if it disappeared. */
  private static String hashFile(Path file, Stats stats) {
    String hash = Sha256.fileOrNull(file, stats.bytesHashed::add);
    if (hash != null) {
      stats.filesHashed.increment();
    }
    return hash;
  }

  /** SHA-256 over "id TAB sha256 NEWLINE" lines sorted by id then hash ("-" for a missing file). */
  private static String combined(List<FilePrint> files) {
    List<FilePrint> sorted = new ArrayList<>(files);
    sorted.sort(
        Comparator.comparing(FilePrint::id)
            .thenComparing(f -> f.sha256() == null ? "-" : f.sha256()));
    MessageDigest digest = Sha256.digest();
    for (FilePrint f : sorted) {
      digest.update(
          (f.id() + '\t' + (f.sha256() == null ? "-" : f.sha256()) + '\n')
              .getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String sha256Hex(byte[] bytes) {
    return Sha256.hex(bytes);
  }

  // -----------------------------------------------------------------------------------------------------------------
  // Differences

  /**
   * Names what changed between two fingerprints, one readable line per change, e.g. {@code
   * train.csv: audio file /data/7_theo_12.wav changed (size 3974 -> 3980, sha256 3f2a9c01.. ->
   * 9b1c77e0..)}, {@code train.csv: 2 rows added (u9, u10)}, {@code valid.csv: missing now}. Empty
   * when nothing changed.
   *
   * <p>Manifests are matched by path, or by file name when the path differs but the name is unique
   * in both fingerprints (a replay from another folder). Audio files are matched by row id; a
   * corpus moved to another folder with the same content is one summary line, not one line per
   * file. At most 20 lines of each kind are listed per manifest, then a count of the rest.
   */
  public static List<String> differences(Fingerprint before, Fingerprint after) {
    List<String> out = new ArrayList<>();
    List<ManifestPrint> bs = before.manifests();
    List<ManifestPrint> as = after.manifests();
    int[] pair = match(bs, as);
    boolean[] matched = new boolean[as.size()];
    for (int i = 0; i < bs.size(); i++) {
      ManifestPrint b = bs.get(i);
      String label = label(b, before, after);
      if (pair[i] < 0) {
        out.add(
            label
                + ": not in the new fingerprint (was "
                + (b.missing() ? "missing" : b.rows() + " rows")
                + ")");
      } else {
        matched[pair[i]] = true;
        compareManifest(label, b, as.get(pair[i]), out);
      }
    }
    for (int j = 0; j < as.size(); j++) {
      if (!matched[j]) {
        ManifestPrint a = as.get(j);
        out.add(
            label(a, before, after)
                + ": not in the earlier fingerprint (now "
                + (a.missing() ? "missing" : a.rows() + " rows")
                + ")");
      }
    }
    return out;
  }

  /** For each earlier manifest, the index of its counterpart in {@code after}, or -1. */
  private static int[] match(List<ManifestPrint> before, List<ManifestPrint> after) {
    int[] pair = new int[before.size()];
    boolean[] used = new boolean[after.size()];
    java.util.Arrays.fill(pair, -1);
    for (int i = 0; i < before.size(); i++) {
      for (int j = 0; j < after.size(); j++) {
        if (!used[j] && after.get(j).path().equals(before.get(i).path())) {
          pair[i] = j;
          used[j] = true;
          break;
        }
      }
    }
    for (int i = 0; i < before.size(); i++) {
      String name = fileName(before.get(i).path());
      if (pair[i] >= 0 || countName(before, name) != 1 || countName(after, name) != 1) {
        continue;
      }
      for (int j = 0; j < after.size(); j++) {
        if (!used[j] && fileName(after.get(j).path()).equals(name)) {
          pair[i] = j;
          used[j] = true;
          break;
        }
      }
    }
    return pair;
  }

  private static String label(ManifestPrint m, Fingerprint before, Fingerprint after) {
    String name = fileName(m.path());
    return countName(before.manifests(), name) <= 1 && countName(after.manifests(), name) <= 1
        ? name
        : m.path();
  }

  private static long countName(List<ManifestPrint> list, String name) {
    return list.stream().filter(m -> fileName(m.path()).equals(name)).count();
  }

  private static String fileName(String path) {
    Path p = Path.of(path).getFileName();
    return p == null ? path : p.toString();
  }

  private static void compareManifest(
      String label, ManifestPrint b, ManifestPrint a, List<String> out) {
    if (b.missing() && a.missing()) {
      return;
    }
    if (a.missing()) {
      out.add(label + ": missing now");
      return;
    }
    if (b.missing()) {
      out.add(label + ": was missing, present now (" + a.rows() + " rows)");
      return;
    }
    if (!b.sha256().equals(a.sha256())) {
      out.add(
          label
              + ": manifest content changed (sha256 "
              + shortHash(b.sha256())
              + " -> "
              + shortHash(a.sha256())
              + ")");
    }
    Map<String, FilePrint> bFiles = byId(b.files());
    Map<String, FilePrint> aFiles = byId(a.files());
    List<String> added = new ArrayList<>();
    for (String id : aFiles.keySet()) {
      if (!bFiles.containsKey(id)) {
        added.add(id);
      }
    }
    List<String> removed = new ArrayList<>();
    for (String id : bFiles.keySet()) {
      if (!aFiles.containsKey(id)) {
        removed.add(id);
      }
    }
    if (!added.isEmpty()) {
      out.add(label + ": " + plural(added.size(), "row") + " added (" + idList(added) + ")");
    }
    if (!removed.isEmpty()) {
      out.add(label + ": " + plural(removed.size(), "row") + " removed (" + idList(removed) + ")");
    }
    if (b.rows() != a.rows() && added.isEmpty() && removed.isEmpty()) {
      out.add(label + ": row count " + b.rows() + " -> " + a.rows());
    }
    if (Math.abs(b.durationSeconds() - a.durationSeconds()) > 1e-6) {
      out.add(
          String.format(
              Locale.ROOT,
              "%s: total duration %.3f s -> %.3f s",
              label,
              b.durationSeconds(),
              a.durationSeconds()));
    }
    List<String> changed = new ArrayList<>();
    int moved = 0;
    String movedExample = null;
    for (Map.Entry<String, FilePrint> e : bFiles.entrySet()) {
      FilePrint was = e.getValue();
      FilePrint now = aFiles.get(e.getKey());
      if (now == null) {
        continue;
      }
      String line = fileChange(was, now);
      if (line != null) {
        changed.add(label + ": " + line);
      } else if (!was.path().equals(now.path())) {
        moved++;
        if (movedExample == null) {
          movedExample = was.path() + " -> " + now.path();
        }
      }
    }
    out.addAll(changed.subList(0, Math.min(MAX_LINES_PER_KIND, changed.size())));
    if (changed.size() > MAX_LINES_PER_KIND) {
      out.add(
          label
              + ": ... and "
              + (changed.size() - MAX_LINES_PER_KIND)
              + " more audio files changed");
    }
    if (moved > 0) {
      out.add(
          label
              + ": "
              + plural(moved, "audio file")
              + " at a different path with the same content (e.g. "
              + movedExample
              + ")");
    }
    if (changed.isEmpty()
        && added.isEmpty()
        && removed.isEmpty()
        && b.audioSha256() != null
        && a.audioSha256() != null
        && !b.audioSha256().equals(a.audioSha256())) {
      // Only reachable with duplicate ids, which byId() collapses; still say that the audio
      // differs.
      out.add(
          label
              + ": audio content changed (sha256 "
              + shortHash(b.audioSha256())
              + " -> "
              + shortHash(a.audioSha256())
              + ")");
    }
  }

  private static String fileChange(FilePrint was, FilePrint now) {
    String name =
        was.path().equals(now.path())
            ? "audio file " + displayPath(now)
            : "audio file of row "
                + now.id()
                + " ("
                + displayPath(was)
                + " -> "
                + displayPath(now)
                + ")";
    if (was.missing() && now.missing()) {
      return was.path().equals(now.path()) ? null : name + " missing, as before";
    }
    if (now.missing()) {
      return name + " missing now (row " + now.id() + ")";
    }
    if (was.missing()) {
      return name + " was missing, present now (row " + now.id() + ")";
    }
    if (was.sha256().equals(now.sha256())) {
      return null;
    }
    String size =
        was.size() == now.size()
            ? "same size " + now.size()
            : "size " + was.size() + " -> " + now.size();
    return name
        + " changed ("
        + size
        + ", sha256 "
        + shortHash(was.sha256())
        + " -> "
        + shortHash(now.sha256())
        + ")";
  }

  private static String displayPath(FilePrint f) {
    return f.path().isEmpty() ? "(empty field)" : f.path();
  }

  private static Map<String, FilePrint> byId(List<FilePrint> files) {
    Map<String, FilePrint> out = new LinkedHashMap<>();
    for (FilePrint f : files) {
      out.putIfAbsent(f.id(), f);
    }
    return out;
  }

  private static String idList(List<String> ids) {
    int shown = Math.min(ids.size(), 10);
    String list = String.join(", ", ids.subList(0, shown));
    return ids.size() > shown ? list + ", ... and " + (ids.size() - shown) + " more" : list;
  }

  private static String plural(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private static String shortHash(String sha) {
    return sha == null ? "none" : sha.substring(0, Math.min(8, sha.length())) + "..";
  }

  // -----------------------------------------------------------------------------------------------------------------
  // JSON helpers

  private static Map<?, ?> map(Object o, String where) {
    if (!(o instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(where + " is " + o + "; expected an object");
    }
    return m;
  }

  private static List<?> list(Map<?, ?> m, String key, String where) {
    if (!(m.get(key) instanceof List<?> l)) {
      throw mistyped(m, key, where, "a list");
    }
    return l;
  }

  private static Number number(Map<?, ?> m, String key, String where) {
    if (!(m.get(key) instanceof Number n)) {
      throw mistyped(m, key, where, "a number");
    }
    return n;
  }

  private static String string(Map<?, ?> m, String key, String where, boolean nullable) {
    Object v = m.get(key);
    if (v == null && nullable && m.containsKey(key)) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw mistyped(m, key, where, nullable ? "a string or null" : "a string");
    }
    return s;
  }

  private static IllegalArgumentException mistyped(
      Map<?, ?> m, String key, String where, String expected) {
    return new IllegalArgumentException(
        m.containsKey(key)
            ? where + " has " + key + " = " + m.get(key) + "; expected " + expected
            : where
                + " has no '"
                + key
                + "'; expected "
                + expected
                + " (is this a data.json written by Sonus?)");
  }
}
