package dev.sonus.tokenize;

import dev.sonus.tensor.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Maps labels (characters, words, speakers) to consecutive indices and back, as SpeechBrain's
 * {@code CategoricalEncoder}/{@code CTCTextEncoder}; saved and loaded in SpeechBrain's {@code
 * label_encoder.txt} format ({@code 'label' => index} lines), so SpeechBrain's files load and ours
 * load in SpeechBrain.
 *
 * <p>For CTC, {@link #forCtc} reserves index 0 for the blank. Unknown labels map to the unknown
 * label when one is set, else raise an error naming the label.
 */
public final class LabelEncoder {
  /** SpeechBrain's blank label. */
  public static final String BLANK = "<blank>";

  /** SpeechBrain's unknown label. */
  public static final String UNK = "<unk>";

  private final Map<String, Integer> index = new LinkedHashMap<>();
  private final List<String> labels = new ArrayList<>();
  private String unknown;

  /** An empty encoder. */
  public LabelEncoder() {}

  /** An encoder of the given labels in order, starting at 0. */
  public static LabelEncoder of(Collection<String> labels) {
    LabelEncoder e = new LabelEncoder();
    labels.forEach(e::add);
    return e;
  }

  /**
   * A character encoder for CTC: blank at 0, then the sorted characters of {@code texts} (space
   * included).
   *
   * @param withUnknown add {@code <unk>} for characters not seen in {@code texts}
   */
  public static LabelEncoder forCtc(Collection<String> texts, boolean withUnknown) {
    TreeSet<String> chars = new TreeSet<>();
    for (String t : texts) {
      t.codePoints().forEach(c -> chars.add(new String(Character.toChars(c))));
    }
    LabelEncoder e = new LabelEncoder();
    e.add(BLANK);
    chars.forEach(e::add);
    if (withUnknown) {
      e.add(UNK);
      e.unknown = UNK;
    }
    return e;
  }

  /** Adds a label at the next index (no effect if present); returns its index. */
  public int add(String label) {
    Integer i = index.get(label);
    if (i != null) {
      return i;
    }
    index.put(label, labels.size());
    labels.add(label);
    return labels.size() - 1;
  }

  /**
   * Whether {@code label} has an index of its own (the unknown label does not count for others).
   */
  public boolean contains(String label) {
    return index.containsKey(label);
  }

  /** Number of labels. */
  public int size() {
    return labels.size();
  }

  /** Index of the blank, or -1. */
  public int blankIndex() {
    return index.getOrDefault(BLANK, -1);
  }

  /** Index of a label. */
  public int encode(String label) {
    Integer i = index.get(label);
    if (i == null) {
      if (unknown != null) {
        return index.get(unknown);
      }
      throw new IllegalArgumentException(
          "label '"
              + label
              + "' is not in the encoder ("
              + size()
              + " labels); add it when building the encoder, or build it with an <unk> label");
    }
    return i;
  }

  /** Indices of the characters of {@code text}. */
  public long[] encodeChars(String text) {
    return text.codePoints().mapToLong(c -> encode(new String(Character.toChars(c)))).toArray();
  }

  /** The label of an index. */
  public String decode(int i) {
    if (i < 0 || i >= labels.size()) {
      throw new IllegalArgumentException(
          "index " + i + " is outside the encoder's 0.." + (labels.size() - 1));
    }
    return labels.get(i);
  }

  /** Concatenates the labels of the indices (characters → text), skipping the blank. */
  public String decodeChars(long[] ids) {
    StringBuilder sb = new StringBuilder();
    int blank = blankIndex();
    for (long id : ids) {
      if (id != blank) {
        sb.append(decode((int) id));
      }
    }
    return sb.toString();
  }

  /** All labels in index order. */
  public List<String> labels() {
    return List.copyOf(labels);
  }

  /** Writes SpeechBrain's {@code label_encoder.txt} format. Atomic. */
  public void save(Path path) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < labels.size(); i++) {
      sb.append(quote(labels.get(i))).append(" => ").append(i).append('\n');
    }
    sb.append("================\n");
    sb.append("'starting_index' => 0\n");
    if (unknown != null) {
      sb.append("'unk_label' => ").append(quote(unknown)).append('\n');
    }
    AtomicFiles.writeString(path, sb.toString());
  }

  /** Reads SpeechBrain's {@code label_encoder.txt} format. */
  public static LabelEncoder load(Path path) {
    List<String> lines;
    try {
      lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException(path + ": no such label encoder file", e);
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": " + e.getMessage(), e);
    }
    LabelEncoder enc = new LabelEncoder();
    Map<Integer, String> byIndex = new java.util.TreeMap<>();
    boolean extras = false;
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n);
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("=====")) {
        extras = true;
        continue;
      }
      int arrow = line.lastIndexOf(" => ");
      if (arrow < 0) {
        throw new IllegalArgumentException(
            path + ":" + (n + 1) + ": expected 'label' => value, got: " + line);
      }
      String key = unquote(line.substring(0, arrow), path, n + 1);
      String value = line.substring(arrow + 4).trim();
      if (extras) {
        if (key.equals("unk_label")) {
          enc.unknown = unquote(value, path, n + 1);
        }
        continue;
      }
      try {
        byIndex.put(Integer.parseInt(value), key);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            path + ":" + (n + 1) + ": index '" + value + "' is not an integer", e);
      }
    }
    int expected = 0;
    for (Map.Entry<Integer, String> e : byIndex.entrySet()) {
      if (e.getKey() != expected++) {
        throw new IllegalArgumentException(
            path + ": indices are not consecutive from 0 (missing " + (expected - 1) + ")");
      }
      enc.add(e.getValue());
    }
    return enc;
  }

  private static String quote(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private static String unquote(String s, Path path, int line) {
    s = s.trim();
    if (s.length() < 2
        || (s.charAt(0) != '\'' && s.charAt(0) != '"')
        || s.charAt(s.length() - 1) != s.charAt(0)) {
      throw new IllegalArgumentException(path + ":" + line + ": label " + s + " is not quoted");
    }
    return s.substring(1, s.length() - 1).replace("\\'", "'").replace("\\\\", "\\");
  }

  @Override
  public String toString() {
    return "LabelEncoder(" + labels.size() + " labels)";
  }
}
