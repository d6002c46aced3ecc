package dev.sonus.augment;

import dev.sonus.audio.AudioIO;
import dev.sonus.data.AudioPipelines;
import dev.sonus.data.Manifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The recordings an augmentation draws from (noises, room impulse responses): the rows of a CSV or
 * JSON manifest (SpeechBrain's noise and RIR CSVs: {@code ID, duration, wav, ...}) or every audio
 * file under a folder. Each recording is read once per sample rate, downmixed to mono and resampled
 * to the rate of the signal it is applied to, then kept in memory.
 */
final class AudioSource {
  /** File extensions taken from a folder. */
  static final Set<String> AUDIO_EXTENSIONS = Set.copyOf(AudioIO.EXTENSIONS);

  private final String description;
  private final List<Path> files;
  private final Map<Long, float[]> cache = new ConcurrentHashMap<>();

  private AudioSource(String description, List<Path> files) {
    this.description = description;
    this.files = List.copyOf(files);
  }

  /**
   * The recordings of a manifest or folder.
   *
   * @param location a manifest file or a folder
   * @param column the manifest column naming the audio file (null: {@code wav}, else the first
   *     column whose values look like audio paths)
   * @param sorting SpeechBrain's {@code sorting}: random | original | ascending | descending (by
   *     the manifest's {@code duration}); it orders the list, the draw is per item
   * @param replacements values of the manifest's {@code $placeholders}
   * @param option the recipe key, for errors
   * @throws IllegalArgumentException naming the option, the path and the fix
   */
  static AudioSource of(
      String location,
      String column,
      String sorting,
      Map<String, String> replacements,
      String option) {
    if (location == null || location.isBlank()) {
      throw new IllegalArgumentException(
          option + " is empty; give a manifest (.csv/.json) or a folder");
    }
    Path path = Path.of(location);
    if (!Files.exists(path)) {
      throw new IllegalArgumentException(
          option
              + " is '"
              + location
              + "', which does not exist; give a manifest (.csv/.json) of recordings or a folder"
              + " of audio files, e.g. ../shared/data/speech-commands/_silence_");
    }
    String order = sorting == null ? "random" : sorting.toLowerCase(Locale.ROOT);
    if (!Set.of("random", "original", "ascending", "descending").contains(order)) {
      throw new IllegalArgumentException(
          "sorting is '" + sorting + "'; expected one of random, original, ascending, descending");
    }
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(path)) {
      try (Stream<Path> walk = Files.walk(path)) {
        walk.filter(Files::isRegularFile)
            .filter(p -> AUDIO_EXTENSIONS.contains(extension(p)))
            .sorted()
            .forEach(files::add);
      } catch (IOException e) {
        throw new UncheckedIOException(option + ": cannot list " + path + ": " + e.getMessage(), e);
      }
      if (files.isEmpty()) {
        throw new IllegalArgumentException(
            option
                + " is the folder "
                + path
                + ", which holds no audio files ("
                + String.join(", ", new java.util.TreeSet<>(AUDIO_EXTENSIONS))
                + "); point it at a folder of recordings or at a manifest");
      }
    } else {
      Manifest m = Manifest.load(path, replacements == null ? Map.of() : replacements);
      if (m.size() == 0) {
        throw new IllegalArgumentException(option + ": the manifest " + path + " has no rows");
      }
      String key = column != null ? column : m.keys().contains("wav") ? "wav" : null;
      if (key == null || !m.keys().contains(key)) {
        throw new IllegalArgumentException(
            option
                + ": the manifest "
                + path
                + " has no column "
                + (key == null ? "wav" : key)
                + " (it has "
                + m.keys()
                + "); name the audio column with csv_keys: [column]");
      }
      List<Manifest.Row> rows = new ArrayList<>(m.rows());
      if (order.equals("ascending") || order.equals("descending")) {
        Comparator<Manifest.Row> byDuration = Comparator.comparingDouble(r -> duration(r, path));
        rows.sort(order.equals("ascending") ? byDuration : byDuration.reversed());
      }
      Path base = path.toAbsolutePath().getParent();
      for (Manifest.Row r : rows) {
        Path f = AudioPipelines.audioPath(r.get(key));
        if (!f.isAbsolute() && !Files.exists(f) && base != null && Files.exists(base.resolve(f))) {
          f = base.resolve(f);
        }
        files.add(f);
      }
    }
    return new AudioSource(option + " (" + path + ", " + files.size() + " recordings)", files);
  }

  private static double duration(Manifest.Row r, Path path) {
    Object d = r.get("duration");
    if (d == null) {
      throw new IllegalArgumentException(
          path + ": sorting by duration needs a duration column; use sorting: random or original");
    }
    return Double.parseDouble(String.valueOf(d).trim());
  }

  private static String extension(Path p) {
    String n = p.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  /** Number of recordings. */
  int size() {
    return files.size();
  }

  /** The recordings' paths, in list order. */
  List<Path> files() {
    return files;
  }

  /** A recording drawn uniformly by {@code random}. */
  int draw(SplittableRandom random) {
    return files.size() == 1 ? 0 : random.nextInt(files.size());
  }

  /** Recording {@code index}, mono at {@code sampleRate}; read on first use, then cached. */
  float[] get(int index, int sampleRate) {
    long key = ((long) index << 32) | (sampleRate & 0xffffffffL);
    return cache.computeIfAbsent(
        key, k -> AudioIO.readMono(files.get(index), sampleRate).channel(0));
  }

  @Override
  public String toString() {
    return description;
  }
}
