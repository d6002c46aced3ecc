package dev.sonus.data;

import dev.sonus.tensor.AtomicFiles;
import dev.sonus.util.Json;
import dev.sonus.util.ReadLimits;
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
 * built from a manifest call {@link #requireUniqueIds()}. It is strict about the rest: a {@code
 * duration} must be a finite number, and the file is bounded by {@link Limits} (its size, a CSV's
 * columns, a JSON manifest's nesting) so that a damaged or hostile file is refused with its name
 * instead of exhausting memory. Every row is kept in memory: a manifest takes some 3 to 5 times its
 * size in heap (more when its fields are very short).
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
   * Bounds on loading one manifest. {@link #defaults()} takes each from the system property {@code
   * sonus.limits.manifest.<name>} when it is set.
   *
   * @param maxFileBytes the largest file read (default 1 GiB, some 5 million rows)
   * @param maxColumns the most columns a CSV header may name (default {@value
   *     #DEFAULT_MAX_COLUMNS}); every row holds one field per column
   * @param maxDepth how deeply a JSON manifest's values may nest (default {@value
   *     #DEFAULT_MAX_DEPTH}); a row's fields are one level below the IDs
   */
  public record Limits(long maxFileBytes, int maxColumns, int maxDepth) {
    /** Default of {@link #maxFileBytes()}: 1 GiB. */
    public static final long DEFAULT_MAX_FILE_BYTES = 1L << 30;

    /** Default of {@link #maxColumns()}. */
    public static final int DEFAULT_MAX_COLUMNS = 1000;

    /** Default of {@link #maxDepth()}. */
    public static final int DEFAULT_MAX_DEPTH = 64;

    private static final String PROPERTY = ReadLimits.PROPERTY_PREFIX + "manifest.";

    /**
     * Checks that every limit is positive.
     *
     * @throws IllegalArgumentException naming the limit that is not
     */
    public Limits {
      ReadLimits.positive(maxFileBytes, "maxFileBytes");
      ReadLimits.positive(maxColumns, "maxColumns");
      ReadLimits.positive(maxDepth, "maxDepth");
    }

    /**
     * The documented defaults, each replaced by its system property when set.
     *
     * @throws IllegalArgumentException naming a property whose value is not a positive number
     */
    public static Limits defaults() {
      return new Limits(
          ReadLimits.longProperty(PROPERTY + "maxFileBytes", DEFAULT_MAX_FILE_BYTES),
          intProperty("maxColumns", DEFAULT_MAX_COLUMNS),
          intProperty("maxDepth", DEFAULT_MAX_DEPTH));
    }

    private static int intProperty(String name, int fallback) {
      return (int) Math.min(Integer.MAX_VALUE, ReadLimits.longProperty(PROPERTY + name, fallback));
    }

    /** The same limits with another {@link #maxFileBytes()}. */
    public Limits withMaxFileBytes(long bytes) {
      return new Limits(bytes, maxColumns, maxDepth);
    }

    /** The same limits with another {@link #maxColumns()}. */
    public Limits withMaxColumns(int columns) {
      return new Limits(maxFileBytes, columns, maxDepth);
    }

    /** The same limits with another {@link #maxDepth()}. */
    public Limits withMaxDepth(int depth) {
      return new Limits(maxFileBytes, maxColumns, depth);
    }

    String howToRaise(String name, long suggested) {
      return "if the manifest is genuine, raise the limit: Manifest.load(path, replacements,"
          + " Manifest.Limits.defaults().with"
          + Character.toUpperCase(name.charAt(0))
          + name.substring(1)
          + "("
          + suggested
          + ")) or -D"
          + PROPERTY
          + name
          + "="
          + suggested;
    }
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
    return load(path, replacements, Limits.defaults());
  }

  /**
   * Like {@link #load(Path, Map)}, within {@code limits}.
   *
   * @throws IllegalArgumentException as {@link #load(Path, Map)}, and naming the file, the limit
   *     and the value found when a limit is exceeded
   */
  public static Manifest load(Path path, Map<String, String> replacements, Limits limits) {
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    String text;
    try {
      long size = Files.size(path);
      if (size > limits.maxFileBytes() || size > Integer.MAX_VALUE - 16) {
        throw new IllegalArgumentException(
            path
                + ": the manifest is "
                + ReadLimits.bytes(size)
                + ", larger than the limit maxFileBytes = "
                + ReadLimits.bytes(Math.min(limits.maxFileBytes(), Integer.MAX_VALUE - 16))
                + (size > Integer.MAX_VALUE - 16
                    ? "; a manifest this large cannot be read at once: split it"
                    : "; split it, or " + limits.howToRaise("maxFileBytes", size)));
      }
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException(path + ": no such manifest file", e);
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": cannot read the manifest: " + e.getMessage(), e);
    }
    if (name.endsWith(".csv")) {
      return new Manifest(path, parseCsv(path, text, replacements, limits));
    }
    if (name.endsWith(".json")) {
      return new Manifest(path, parseJson(path, text, replacements, limits));
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

  private static List<Row> parseCsv(
      Path path, String text, Map<String, String> replacements, Limits limits) {
    List<List<String>> records = new ArrayList<>();
    List<Integer> lines = new ArrayList<>();
    Csv.parse(path, text, records, lines, limits.maxColumns());
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
          double seconds;
          try {
            seconds = Double.parseDouble(value.trim());
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                String.format(
                    "%s:%d: duration '%s' is not a number of seconds", path, line, clip(value)),
                e);
          }
          if (!Double.isFinite(seconds)) {
            throw new IllegalArgumentException(
                String.format(
                    "%s:%d: duration '%s' is not a finite number of seconds; regenerate the"
                        + " manifest (a NaN duration would pass every length check and break"
                        + " sorting by duration)",
                    path, line, clip(value)));
          }
          fields.put(key, seconds);
        } else {
          fields.put(key, value);
        }
      }
      rows.add(new Row(rec.get(idCol), Collections.unmodifiableMap(fields), line));
    }
    return rows;
  }

  @SuppressWarnings("unchecked")
  private static List<Row> parseJson(
      Path path, String text, Map<String, String> replacements, Limits limits) {
    Object parsed;
    try {
      parsed = Json.parse(text, Json.Limits.defaults().withMaxDepth(limits.maxDepth()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          path
              + ": "
              + e.getMessage()
              + (e.getMessage().contains("maxDepth")
                  ? "; " + limits.howToRaise("maxDepth", 2L * limits.maxDepth())
                  : ""),
          e);
    }
    if (!(parsed instanceof Map<?, ?> top)) {
      throw new IllegalArgumentException(
          path + ": a JSON manifest must be an object of id -> {fields}");
    }
    int[] keyLines = topLevelKeyLines(text, top.size());
    List<Row> rows = new ArrayList<>();
    int index = 0;
    for (Map.Entry<?, ?> e : top.entrySet()) {
      String id = (String) e.getKey();
      int line = keyLines[index++];
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

  /**
   * The line of each key of the top-level object, in order, found in one pass (the document is
   * valid JSON, already parsed): a key is a string at depth 1 after '{' or ','.
   */
  private static int[] topLevelKeyLines(String text, int keys) {
    int[] lines = new int[keys];
    java.util.Arrays.fill(lines, 1);
    int line = 1;
    int depth = 0;
    int found = 0;
    char previous = 0;
    for (int i = 0; i < text.length() && found < keys; i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        line++;
      } else if (c == '"') {
        if (depth == 1 && (previous == '{' || previous == ',')) {
          lines[found++] = line;
        }
        for (i++; i < text.length() && text.charAt(i) != '"'; i++) {
          if (text.charAt(i) == '\\') {
            i++;
          }
        }
        previous = '"';
      } else if (c == '{' || c == '[') {
        depth++;
        previous = c;
      } else if (c == '}' || c == ']') {
        depth--;
        previous = c;
      } else if (c == ',' || c == ':') {
        previous = c;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        previous = c;
      }
    }
    return lines;
  }

  private static String clip(String value) {
    return value.length() <= 100 ? value : value.substring(0, 100) + "...";
  }

  @Override
  public String toString() {
    return "Manifest(" + source + ", " + rows.size() + " rows)";
  }
}
