package dev.sonus.repro;

import dev.sonus.tensor.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SHA-256 of files keyed by (absolute path, size, modification time), kept in a tab-separated text
 * file so that re-fingerprinting unchanged data reads no audio.
 *
 * <p>The cache trusts size and mtime, as {@code make} and {@code rsync} do: a file rewritten with
 * the same size and its mtime set back would keep its old hash. Hashes of files modified within
 * {@link #RACY_NANOS} of the moment they were hashed are not stored (git's "racily clean" rule),
 * since a second write within the filesystem's mtime granularity would go unnoticed.
 *
 * <p>File format: a first line {@code # sonus file-hash cache 1}, then {@code sha256 TAB size TAB
 * mtimeNanos TAB absolutePath} per file. A file that does not follow it is ignored (and replaced on
 * the next save), never an error: the cache is only an accelerator. Saving is atomic; two processes
 * saving at once lose entries, not correctness.
 */
final class FileHashCache {
  static final String HEADER = "# sonus file-hash cache 1";
  static final long RACY_NANOS = 2_000_000_000L;

  private static final Logger LOG = LoggerFactory.getLogger(FileHashCache.class);
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /** A cached hash and the file state it was computed for. */
  record Entry(long size, long mtimeNanos, String sha256) {}

  private final Path file;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private volatile boolean dirty;

  private FileHashCache(Path file) {
    this.file = file;
  }

  /**
   * Loads the cache at {@code file}; a missing, unreadable or corrupt file gives an empty cache.
   */
  static FileHashCache load(Path file) {
    FileHashCache cache = new FileHashCache(file);
    if (file == null) {
      return cache;
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return cache;
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "ignoring the file-hash cache {}: cannot read it ({}); it will be rewritten",
          file,
          e.toString());
      cache.dirty = true;
      return cache;
    }
    if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
      LOG.warn(
          "ignoring the file-hash cache {}: it does not start with '{}'; it will be rewritten",
          file,
          HEADER);
      cache.dirty = true;
      return cache;
    }
    Map<String, Entry> parsed = new TreeMap<>();
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).split("\t", 4);
      Entry e = f.length == 4 ? parse(f) : null;
      if (e == null || f[3].isEmpty()) {
        LOG.warn(
            "ignoring the file-hash cache {}: line {} is malformed; it will be rewritten",
            file,
            i + 1);
        cache.dirty = true;
        return cache;
      }
      parsed.put(f[3], e);
    }
    cache.entries.putAll(parsed);
    return cache;
  }

  private static Entry parse(String[] f) {
    if (!SHA256.matcher(f[0]).matches()) {
      return null;
    }
    try {
      long size = Long.parseLong(f[1]);
      long mtime = Long.parseLong(f[2]);
      return size < 0 ? null : new Entry(size, mtime, f[0]);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * The cached hash of {@code absolutePath} if the file still has this size and mtime, else {@code
   * null}.
   */
  String lookup(String absolutePath, long size, long mtimeNanos) {
    Entry e = entries.get(absolutePath);
    return e != null && e.size() == size && e.mtimeNanos() == mtimeNanos ? e.sha256() : null;
  }

  /**
   * Remembers a hash, unless the file was modified less than {@link #RACY_NANOS} before {@code
   * hashedAtNanos} (epoch nanoseconds when hashing started) or its path cannot be stored on one
   * line.
   */
  void put(String absolutePath, long size, long mtimeNanos, String sha256, long hashedAtNanos) {
    if (file == null
        || absolutePath.indexOf('\n') >= 0
        || absolutePath.indexOf('\r') >= 0
        || mtimeNanos > hashedAtNanos - RACY_NANOS) {
      return;
    }
    Entry e = new Entry(size, mtimeNanos, sha256);
    if (!e.equals(entries.put(absolutePath, e))) {
      dirty = true;
    }
  }

  /** Writes the cache atomically if anything changed; a failure is logged, never thrown. */
  void saveIfChanged() {
    if (file == null || !dirty) {
      return;
    }
    StringBuilder sb = new StringBuilder(HEADER).append('\n');
    for (Map.Entry<String, Entry> e : new TreeMap<>(entries).entrySet()) {
      Entry v = e.getValue();
      sb.append(v.sha256())
          .append('\t')
          .append(v.size())
          .append('\t')
          .append(v.mtimeNanos())
          .append('\t')
          .append(e.getKey())
          .append('\n');
    }
    try {
      AtomicFiles.writeString(file, sb.toString());
      dirty = false;
    } catch (RuntimeException e) {
      LOG.warn(
          "could not save the file-hash cache {}: {}; the next run will hash the files again",
          file,
          e.getMessage());
    }
  }

  /** Number of entries (for tests and logs). */
  int size() {
    return entries.size();
  }
}
