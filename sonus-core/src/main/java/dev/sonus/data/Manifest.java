package dev.sonus.data;

import dev.sonus.tensor.AtomicFiles;
import dev.sonus.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A data manifest: one row per utterance, in SpeechBrain's CSV or JSON format.
 *
 * <p>CSV: a header with an {@code ID} column; {@code $name} in any value is replaced from the
 * replacements (as {@code speechbrain.dataio.dataio.load_data_csv}); spaces after commas are
 * skipped; a {@code duration} column becomes a number. JSON: an object of {@code id -> {fields}};
 * {@code {name}} in any string value, at any depth, is replaced (as {@code load_data_json}). Rows
 * keep their line number for error messages.
 *
 * <p>Loading is lenient about duplicate IDs so that {@link DataCheck} can report them all; datasets
 * built from a manifest call {@link #requireUniqueIds()}.
 *
 * @param source the file it was read from
 * @param rows rows in file order
 */
public record Manifest(Path source, List<Row> rows) {
  private static final Pattern CSV_VARIABLE = Pattern.compile("\\$([\\w.]+)");
  private static final Pattern JSON_VARIABLE = Pattern.compile("\\{([\\w.]+)\\}");

  /**
   * One utterance.
   *
   * @param id the {@code ID} value (CSV) or the object key (JSON)
   * @param fields other columns: strings, numbers ({@code duration}), or nested maps and lists
   *     (JSON)
   * @param line 1-based line of the row in its file
   */
  public record Row(String id, Map<String, Object> fields, int line) {
    /** The field, or {@code null} when absent. */
    public Object get(String key) {
      return key.equals("id") || key.equals("ID") ? id : fields.get(key);
    }
  }

  /** Copies the rows into an unmodifiable list. */
  public Manifest {
    rows = List.copyOf(rows);
  }

  /**
   * Reads a manifest; the format is chosen by the extension ({@code .csv} or {@code .json}).
   *
   * @param replacements values for {@code $name} (CSV) and {@code {name}} (JSON) placeholders
   * @throws UncheckedIOException naming the path for a missing or unreadable file
   * @throws IllegalArgumentException naming the file and line for malformed content or a
   *     placeholder without a replacement
   */
  public static Manifest load(Path path, Map<String, String> replacements) {
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException(path + ": no such manifest file", e);
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": cannot read the manifest: " + e.getMessage(), e);
    }
    if (name.endsWith(".csv")) {
      return new Manifest(path, parseCsv(path, text, replacements));
    }
    if (name.endsWith(".json")) {
      return new Manifest(path, parseJson(path, text, replacements));
    }
    throw new IllegalArgumentException(
        path + ": unknown manifest format; expected a .csv or .json file");
  }

  /** Number of rows. */
  public int size() {
    return rows.size();
  }

  /** Column names seen in the rows (CSV: the header without ID), in first-seen order. */
  public Set<String> keys() {
    Set<String> keys = new LinkedHashSet<>();
    for (Row r : rows) {
      keys.addAll(r.fields().keySet());
    }
    return keys;
  }

  /**
   * Checks that IDs are unique.
   *
   * @throws IllegalArgumentException naming the duplicated ID and both lines
   */
  public void requireUniqueIds() {
    Map<String, Integer> seen = new HashMap<>();
    for (Row r : rows) {
      Integer first = seen.putIfAbsent(r.id(), r.line());
      if (first != null) {
        throw new IllegalArgumentException(
            String.format(
                "%s:%d: duplicate ID '%s' (first on line %d); IDs must "
                    + "be unique within a manifest",
                source, r.line(), r.id(), first));
      }
    }
  }

  /**
   * Writes rows as a SpeechBrain CSV: {@code ID} then the given columns, values quoted when needed.
   * Atomic.
   */
  public static void writeCsv(Path path, List<String> columns, List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append("ID");
    for (String c : columns) {
      sb.append(',').append(csvQuote(c));
    }
    sb.append('\n');
    for (Row r : rows) {
      sb.append(csvQuote(r.id()));
      for (String c : columns) {
        Object v = r.fields().get(c);
        sb.append(',').append(csvQuote(v == null ? "" : String.valueOf(v)));
      }
      sb.append('\n');
    }
    AtomicFiles.writeString(path, sb.toString());
  }

  private static String csvQuote(String s) {
    if (s.indexOf(',') < 0
        && s.indexOf('"') < 0
        && s.indexOf('\n') < 0
        && s.indexOf('\r') < 0
        && (s.isEmpty() || s.charAt(0) != ' ')) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  private static List<Row> parseCsv(Path path, String text, Map<String, String> replacements) {
    List<List<String>> records = new ArrayList<>();
    List<Integer> lines = new ArrayList<>();
    Csv.parse(path, text, records, lines);
    if (records.isEmpty()) {
      throw new IllegalArgumentException(
          path + ":1: the CSV manifest is empty; expected a header with an ID column");
    }
    List<String> header = records.get(0);
    int idCol = header.indexOf("ID");
    if (idCol < 0) {
      throw new IllegalArgumentException(
          path
              + ":1: the CSV header has no 'ID' column (columns: "
              + header
              + "); SpeechBrain manifests need unique IDs in a column named ID");
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 1; i < records.size(); i++) {
      List<String> rec = records.get(i);
      int line = lines.get(i);
      if (rec.size() == 1 && rec.get(0).isEmpty()) {
        continue; // blank line
      }
      if (rec.size() != header.size()) {
        throw new IllegalArgumentException(
            String.format(
                "%s:%d: row has %d fields but the header has %d (%s)",
                path, line, rec.size(), header.size(), header));
      }
      Map<String, Object> fields = new LinkedHashMap<>();
      for (int c = 0; c < header.size(); c++) {
        if (c == idCol) {
          continue;
        }
        String key = header.get(c);
        String value = substitute(path, line, key, rec.get(c), CSV_VARIABLE, replacements, "$");
        if (key.equals("duration")) {
          try {
            fields.put(key, Double.parseDouble(value.trim()));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                String.format("%s:%d: duration '%s' is not a number of seconds", path, line, value),
                e);
          }
        } else {
          fields.put(key, value);
        }
      }
      rows.add(new Row(rec.get(idCol), Collections.unmodifiableMap(fields), line));
    }
    return rows;
  }

  @SuppressWarnings("unchecked")
  private static List<Row> parseJson(Path path, String text, Map<String, String> replacements) {
    Object parsed;
    try {
      parsed = Json.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
    }
    if (!(parsed instanceof Map<?, ?> top)) {
      throw new IllegalArgumentException(
          path + ": a JSON manifest must be an object of id -> {fields}");
    }
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<?, ?> e : top.entrySet()) {
      String id = (String) e.getKey();
      int line = lineOf(text, "\"" + id + "\"");
      if (!(e.getValue() instanceof Map<?, ?> value)) {
        throw new IllegalArgumentException(
            String.format("%s:%d: entry '%s' is not an object of fields", path, line, id));
      }
      Map<String, Object> fields =
          (Map<String, Object>) formatJson(path, line, id, value, replacements);
      rows.add(new Row(id, Collections.unmodifiableMap(fields), line));
    }
    return rows;
  }

  private static Object formatJson(
      Path path, int line, String key, Object v, Map<String, String> replacements) {
    if (v instanceof String s) {
      return substitute(path, line, key, s, JSON_VARIABLE, replacements, "{");
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.put(
            (String) e.getKey(),
            formatJson(path, line, (String) e.getKey(), e.getValue(), replacements));
      }
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object o : l) {
        out.add(formatJson(path, line, key, o, replacements));
      }
      return out;
    }
    return v;
  }

  private static String substitute(
      Path path,
      int line,
      String key,
      String value,
      Pattern p,
      Map<String, String> replacements,
      String marker) {
    if (value.indexOf(marker.charAt(0)) < 0) {
      return value;
    }
    Matcher m = p.matcher(value);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String replacement = replacements.get(m.group(1));
      if (replacement == null) {
        throw new IllegalArgumentException(
            String.format(
                "%s:%d: field '%s' = '%s' needs a value for '%s' "
                    + "(e.g. --%s=/path/to/data); given: %s",
                path, line, key, value, m.group(1), m.group(1), replacements.keySet()));
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static int lineOf(String text, String needle) {
    int at = text.indexOf(needle);
    if (at < 0) {
      return 1;
    }
    int line = 1;
    for (int i = 0; i < at; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  @Override
  public String toString() {
    return "Manifest(" + source + ", " + rows.size() + " rows)";
  }
}
