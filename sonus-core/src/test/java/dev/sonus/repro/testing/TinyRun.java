package dev.sonus.repro.testing;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import dev.sonus.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A tiny recipe on synthetic audio for tests that drive whole runs: 24 training, 8 validation and 8
 * test recordings of 0.25 s at 8 kHz, a {@link TinyAudioExperiment}, 4 epochs of 6 batches.
 */
public final class TinyRun {
  /** Log fields that depend on timing, not on what was computed. */
  public static final Set<String> TIMING =
      Set.of("seconds", "loader_wait_seconds", "mean_step_seconds", "peak_native_bytes");

  private TinyRun() {}

  /**
   * Writes the data under {@code dir/data} and the recipe to {@code dir/recipe.yaml}, with {@code
   * extraLines} appended to it (e.g. {@code "ckpt_interval_minutes: 0.0000001"}); its {@code
   * output_folder} is a placeholder.
   */
  public static Path recipe(Path dir, String... extraLines) {
    try {
      Path data = Files.createDirectories(dir.resolve("data"));
      SplittableRandom rng = new SplittableRandom(1);
      String[] names = {"train", "valid", "test"};
      int[] counts = {24, 8, 8};
      for (int split = 0; split < 3; split++) {
        StringBuilder csv = new StringBuilder("ID,duration,wav,spk_id,y\n");
        for (int i = 0; i < counts[split]; i++) {
          double amp = 0.05 + 0.4 * rng.nextDouble();
          float[] x = new float[2000];
          for (int t = 0; t < x.length; t++) {
            x[t] = (float) (amp * Math.sin(t * 0.3 + i) * (0.8 + 0.2 * rng.nextDouble()));
          }
          String id = names[split] + i;
          AudioIO.writeWav(data.resolve(id + ".wav"), Audio.mono(x, 8000), WavEncoding.PCM_S16);
          csv.append(
              String.format(
                  Locale.ROOT,
                  "%s,0.25,$data_root/%s.wav,%s,%.5f%n",
                  id,
                  id,
                  split == 2 ? "s2" : "s1", // held-out speakers for the test set
                  3 * amp));
        }
        Files.writeString(data.resolve(names[split] + ".csv"), csv.toString());
      }
      List<String> lines =
          new ArrayList<>(
              List.of(
                  "seed: 3",
                  "output_folder: !PLACEHOLDER",
                  "data_folder: " + data,
                  "train_data: !ref <data_folder>/train.csv",
                  "valid_data: !ref <data_folder>/valid.csv",
                  "test_data: !ref <data_folder>/test.csv",
                  "experiment: !new:dev.sonus.repro.testing.TinyAudioExperiment",
                  "number_of_epochs: 4",
                  "batch_size: 4",
                  "num_workers: 2",
                  "sample_rate: 8000",
                  "optimizer: !name:train.Optimizers.adam {lr: 0.05}"));
      lines.addAll(List.of(extraLines));
      Path recipe = dir.resolve("recipe.yaml");
      Files.writeString(recipe, String.join("\n", lines) + "\n");
      return recipe;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A run folder's {@code train_log.jsonl} entries without their timing fields. */
  @SuppressWarnings("unchecked")
  public static List<Map<String, Object>> logWithoutTiming(Path runFolder) {
    try {
      List<Map<String, Object>> out = new ArrayList<>();
      for (String line : Files.readAllLines(runFolder.resolve("train_log.jsonl"))) {
        Map<String, Object> entry = new LinkedHashMap<>((Map<String, Object>) Json.parse(line));
        entry.keySet().removeAll(TIMING);
        out.add(entry);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A run folder's {@code train_log.txt} lines without their timing part. */
  public static List<String> textLogWithoutTiming(Path runFolder) {
    try {
      return Files.readAllLines(runFolder.resolve("train_log.txt")).stream()
          .map(l -> l.replaceAll(", time: .*$", ""))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
