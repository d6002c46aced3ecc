package dev.sonus.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import dev.sonus.util.JsonFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task's every audio column is checked before training and hashed into the run's data
 * fingerprint.
 */
class AudioColumnsTest {

  private static Path corpus(Path dir, boolean dropOneCleanFile) throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    StringBuilder csv = new StringBuilder("ID,duration,noisy_wav,clean_wav,y\n");
    for (int i = 0; i < 6; i++) {
      float[] clean = new float[2000];
      float[] noisy = new float[2000];
      for (int t = 0; t < clean.length; t++) {
        clean[t] = (float) (0.1 * (i + 1) * Math.sin(t * 0.2));
        noisy[t] = clean[t] + (float) (0.01 * Math.cos(t * 1.7 + i));
      }
      AudioIO.writeWav(
          data.resolve("n" + i + ".wav"), Audio.mono(noisy, 8000), WavEncoding.PCM_S16);
      if (!(dropOneCleanFile && i == 4)) {
        AudioIO.writeWav(
            data.resolve("c" + i + ".wav"), Audio.mono(clean, 8000), WavEncoding.PCM_S16);
      }
      csv.append("u")
          .append(i)
          .append(",0.25,$data_root/n")
          .append(i)
          .append(".wav,$data_root/c")
          .append(i)
          .append(".wav,")
          .append(0.3 * (i + 1))
          .append('\n');
    }
    Files.writeString(data.resolve("train.csv"), csv.toString());
    Path recipe = dir.resolve("recipe.yaml");
    Files.writeString(
        recipe,
        String.join(
            "\n",
            "seed: 3",
            "output_folder: !PLACEHOLDER",
            "data_folder: " + data,
            "train_data: !ref <data_folder>/train.csv",
            "experiment: !new:dev.sonus.repro.testing.TinyAudioExperiment",
            "  audio_columns: [noisy_wav, clean_wav]",
            "number_of_epochs: 1",
            "batch_size: 3",
            "num_workers: 1",
            "optimizer: !name:train.Optimizers.adam {lr: 0.01}",
            ""));
    return recipe;
  }

  @Test
  void aMissingFileInTheSecondAudioColumnStopsTheRunBeforeTraining(@TempDir Path tmp)
      throws IOException {
    Path recipe = corpus(tmp, true);
    Path out = tmp.resolve("run");
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> Runner.train(recipe, Map.of("output_folder", out.toString()), null));
    assertTrue(
        e.getMessage().contains("c4.wav") && e.getMessage().contains("does not exist"),
        e.getMessage());
    if (Files.exists(out.resolve("checkpoints"))) {
      try (var listing = Files.list(out.resolve("checkpoints"))) {
        assertTrue(listing.findAny().isEmpty(), "nothing was trained");
      }
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void theFingerprintHashesEveryAudioColumn(@TempDir Path tmp) throws IOException {
    Path recipe = corpus(tmp, false);
    Runner.Result r =
        Runner.train(recipe, Map.of("output_folder", tmp.resolve("run").toString()), null);
    Map<String, Object> data = JsonFile.read(r.folder().resolve("data.json")).map();
    List<Map<String, Object>> manifests = (List<Map<String, Object>>) data.get("manifests");
    List<Map<String, Object>> files = (List<Map<String, Object>>) manifests.get(0).get("files");
    assertEquals(12, files.size(), "6 noisy and 6 clean files: " + files);
    assertTrue(
        files.stream()
            .anyMatch(
                f ->
                    "u3/clean_wav".equals(f.get("id"))
                        && String.valueOf(f.get("path")).endsWith("c3.wav")
                        && f.get("sha256") != null),
        files.toString());
  }
}
