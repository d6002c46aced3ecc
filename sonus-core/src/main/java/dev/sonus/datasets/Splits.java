package dev.sonus.datasets;

import dev.sonus.data.Manifest;
import dev.sonus.util.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the preparers share about splits: a seeded, platform-independent assignment of whole groups
 * (speakers, sentences) to splits, manifest rows, and writing the manifests through {@link
 * Manifest#writeCsv} with a summary of each.
 */
final class Splits {
  static final String TRAIN = "train";
  static final String VALID = "valid";
  static final String TEST = "test";

  private Splits() {}

  /**
   * One manifest to write.
   *
   * @param split its split name ({@code train})
   * @param fileName its file name in the output folder ({@code train.csv})
   * @param columns columns after {@code ID}, in order
   * @param rows its rows
   */
  record Split(String split, String fileName, List<String> columns, List<Manifest.Row> rows) {}

  /**
   * Assigns each group to {@code test}, {@code valid} or {@code train}: the groups are ranked by
   * the SHA-256 of {@code "<seed>:<group>"}; the first {@code test} go to test, the next {@code
   * valid} to valid, the rest to train. The rank of a group depends only on its own name and the
   * seed, so the assignment is the same on every machine and for any listing order, and adding a
   * group moves no other group to another split unless the counts change.
   *
   * @return the split of each group, by group
   */
  static Map<String, String> assign(Collection<String> groups, long seed, int valid, int test) {
    Set<String> unique = new TreeSet<>(groups);
    if (valid < 0 || test < 0 || valid + test > unique.size()) {
      throw new IllegalArgumentException(
          String.format(
              "cannot take %d valid and %d test groups from %d", valid, test, unique.size()));
    }
    List<String> ranked = new ArrayList<>(unique);
    Map<String, byte[]> keys = new LinkedHashMap<>();
    for (String g : ranked) {
      keys.put(g, sha256(seed + ":" + g));
    }
    ranked.sort(
        Comparator.<String, byte[]>comparing(keys::get, Arrays::compareUnsigned)
            .thenComparing(Comparator.naturalOrder()));
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < ranked.size(); i++) {
      out.put(ranked.get(i), i < test ? TEST : i < test + valid ? VALID : TRAIN);
    }
    return out;
  }

  private static byte[] sha256(String s) {
    return Sha256.digest().digest(s.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A manifest row whose first column is {@code duration} in seconds with five decimals (as the
   * FSDD manifests have always been written), followed by {@code fields} in order.
   */
  static Manifest.Row row(String id, double durationSeconds, Map<String, Object> fields) {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("duration", String.format(Locale.ROOT, "%.5f", durationSeconds));
    all.putAll(fields);
    return new Manifest.Row(id, all, 0);
  }

  /** Empty row lists of train, valid and test, in that order, to fill and {@link #write}. */
  static Map<String, List<Manifest.Row>> emptyRows() {
    Map<String, List<Manifest.Row>> rows = new LinkedHashMap<>();
    for (String split : List.of(TRAIN, VALID, TEST)) {
      rows.put(split, new ArrayList<>());
    }
    return rows;
  }

  /** Writes {@code rows} (split name → rows) as {@code <split>.csv} with {@code columns}. */
  static List<PreparedManifest> write(
      Path outDir, Map<String, List<Manifest.Row>> rows, List<String> columns) {
    List<Split> splits = new ArrayList<>();
    rows.forEach((split, r) -> splits.add(new Split(split, split + ".csv", columns, r)));
    return write(outDir, splits);
  }

  /**
   * Writes every manifest into {@code outDir}, each atomically, and summarises each.
   *
   * @throws IllegalStateException if an ID appears twice (a preparer bug: IDs must be unique across
   *     splits)
   */
  static List<PreparedManifest> write(Path outDir, List<Split> splits) {
    Set<String> ids = new HashSet<>();
    for (Split s : splits) {
      for (Manifest.Row r : s.rows()) {
        if (!ids.add(r.id())) {
          throw new IllegalStateException(
              "ID '"
                  + r.id()
                  + "' would be written twice (in "
                  + s.fileName()
                  + "); manifest IDs must be unique across splits");
        }
      }
    }
    List<PreparedManifest> out = new ArrayList<>();
    for (Split s : splits) {
      Path path = outDir.resolve(s.fileName());
      Manifest.writeCsv(path, s.columns(), s.rows());
      double seconds = 0;
      Set<String> speakers = new HashSet<>();
      for (Manifest.Row r : s.rows()) {
        seconds += Double.parseDouble(String.valueOf(r.fields().get("duration")));
        Object spk = r.fields().get("spk_id");
        if (spk != null && !String.valueOf(spk).isBlank()) {
          speakers.add(String.valueOf(spk));
        }
      }
      out.add(new PreparedManifest(s.split(), path, s.rows().size(), seconds, speakers.size()));
    }
    return List.copyOf(out);
  }
}
