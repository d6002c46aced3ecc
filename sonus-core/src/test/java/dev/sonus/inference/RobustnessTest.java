package dev.sonus.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import dev.sonus.config.LoadOptions;
import dev.sonus.repro.testing.TinyRun;
import dev.sonus.run.Runner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evaluating a run folder on its test set corrupted by noise at several SNRs and by reverberation.
 */
class RobustnessTest {
  @Test
  void everyConditionIsEvaluatedAndTheCorruptionIsTheSameEachTime(@TempDir Path dir)
      throws Exception {
    Path recipe = TinyRun.recipe(dir);
    Path run = dir.resolve("run");
    Runner.train(recipe, Map.of("output_folder", run.toString()), null);
    Path noises = Files.createDirectories(dir.resolve("noise"));
    SplittableRandom g = new SplittableRandom(4);
    float[] n = new float[6000];
    for (int i = 0; i < n.length; i++) {
      n[i] = (float) (0.3 * g.nextGaussian());
    }
    AudioIO.writeWav(noises.resolve("n.wav"), Audio.mono(n, 16000), WavEncoding.PCM_S16);
    Path rirs = Files.createDirectories(dir.resolve("rirs"));
    float[] h = new float[800];
    h[5] = 1;
    for (int i = 6; i < h.length; i++) {
      h[i] = (float) (0.5 * g.nextGaussian() * Math.exp(-i / 100.0));
    }
    AudioIO.writeWav(rirs.resolve("r.wav"), Audio.mono(h, 8000), WavEncoding.FLOAT32);

    List<Robustness.Condition> conditions =
        Robustness.conditions(noises.toString(), List.of(10.0, 0.0), rirs.toString());
    assertEquals(
        List.of("clean", "noise_10dB", "noise_0dB", "reverb"),
        conditions.stream().map(Robustness.Condition::name).toList());
    Robustness.Result a =
        Robustness.run(run, null, null, null, LoadOptions.runFolder(), conditions, null);
    Robustness.Result b =
        Robustness.run(run, null, null, null, LoadOptions.runFolder(), conditions, null);
    assertEquals(a.metrics(), b.metrics(), "the corrupted test set is the same every time");
    // the conditions share one load of the run; each still scores as a fresh evaluation would
    assertEquals(Evaluation.run(run, null, null, null).metrics(), a.metrics().get(0));
    Path noisySet = run.resolve("corrupted").resolve("noise_0dB").resolve("noise_0dB.csv");
    assertEquals(Evaluation.run(run, noisySet, null, null).metrics(), a.metrics().get(2));
    double clean = a.metrics().get(0).get("loss");
    double noisy = a.metrics().get(2).get("loss");
    assertNotEquals(clean, noisy, "noise at 0 dB changes what the model sees");
    assertTrue(Files.isRegularFile(a.table()));
    String json = Files.readString(a.table());
    assertTrue(json.contains("\"noise_0dB\"") && json.contains("\"snr_db\": 0.0"), json);
    assertTrue(Files.isRegularFile(run.resolve("eval_noise_0db.json")));
    try (var files = Files.list(run.resolve("corrupted").resolve("noise_0dB"))) {
      assertEquals(8, files.filter(p -> p.toString().endsWith(".wav")).count());
    }
  }

  @Test
  void snrsAreRequiredWithNoise() {
    assertThrows(
        IllegalArgumentException.class, () -> Robustness.conditions("noise", List.of(), null));
  }
}
