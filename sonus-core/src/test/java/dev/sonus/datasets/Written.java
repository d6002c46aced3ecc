package dev.sonus.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.data.Manifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.function.Executable;

/** Test helpers: read back what a preparer wrote, and check error messages. */
final class Written {
  private Written() {}

  /** The manifests by split, loaded with {@code data_root = dataFolder}. */
  static Map<String, Manifest> load(List<PreparedManifest> written, Path dataFolder) {
    Map<String, Manifest> out = new LinkedHashMap<>();
    for (PreparedManifest m : written) {
      out.put(m.split(), Manifest.load(m.path(), Map.of("data_root", dataFolder.toString())));
    }
    return out;
  }

  /** The distinct values of {@code column} in a manifest, blanks left out. */
  static Set<String> values(Manifest m, String column) {
    return m.rows().stream()
        .map(r -> String.valueOf(r.get(column)))
        .filter(v -> !v.isBlank())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** The first line of a CSV file. */
  static String header(Path csv) {
    try (Stream<String> lines = Files.lines(csv)) {
      return lines.findFirst().orElse("");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every file's name and bytes in a folder, for byte-for-byte comparisons of two runs. */
  static Map<String, String> contents(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      Map<String, String> out = new java.util.TreeMap<>();
      for (Path p : s.toList()) {
        out.put(p.getFileName().toString(), Files.readString(p));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Asserts that no two of the manifests share a value of {@code column}. */
  static void assertDisjoint(Map<String, Manifest> splits, String column) {
    Set<String> seen = new TreeSet<>();
    for (Map.Entry<String, Manifest> e : splits.entrySet()) {
      for (String v : values(e.getValue(), column)) {
        assertTrue(
            seen.add(v),
            () -> column + " '" + v + "' of " + e.getKey() + " is also in another split");
      }
    }
  }

  /**
   * Asserts that {@code code} throws an {@link IllegalArgumentException} whose message holds every
   * fragment.
   */
  static IllegalArgumentException fails(Executable code, Object... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, code);
    for (Object f : fragments) {
      assertTrue(
          e.getMessage().contains(String.valueOf(f)),
          () -> "message lacks '" + f + "': " + e.getMessage());
    }
    return e;
  }

  /** Asserts the rows of each split, in train, valid, test order. */
  static void assertRows(List<PreparedManifest> written, int train, int valid, int test) {
    assertEquals(
        List.of("train", "valid", "test"), written.stream().map(PreparedManifest::split).toList());
    assertEquals(
        List.of(train, valid, test), written.stream().map(PreparedManifest::rows).toList());
  }
}
