package dev.sonus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A VAD run trained from a recipe on recordings it synthesises, then used by {@code sonus vad}. */
class VadCommandTest {
  @TempDir Path dir;

  private static void wav(Path file, float[] x) throws Exception {
    Files.createDirectories(file.getParent());
    AudioIO.writeWav(file, Audio.mono(x, 16000), WavEncoding.PCM_S16);
  }

  @Test
  void aTrainedRunPrintsAndWritesSegmentsAndBadThresholdsAreUsageErrors() throws Exception {
    SplittableRandom g = new SplittableRandom(1);
    for (int n = 0; n < 4; n++) {
      float[] x = new float[12000];
      for (int i = 1600; i < x.length - 1600; i++) {
        x[i] = (float) (0.3 * Math.sin(2 * Math.PI * (140 + 30 * n) * i / 16000.0));
      }
      wav(dir.resolve("speech").resolve("u" + n + ".wav"), x);
    }
    float[] noise = new float[16000];
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) (0.05 * g.nextGaussian());
    }
    wav(dir.resolve("noise").resolve("n.wav"), noise);
    String recipe =
        String.join(
            "\n",
            "seed: 3",
            "output_folder: " + dir.resolve("run"),
            "prepare_train: !apply:datasets.VadSynthesis.prepare ["
                + dir.resolve("speech")
                + ", "
                + dir.resolve("noise")
                + ", "
                + dir.resolve("data")
                + ", train, 6, 4.0, 10, 20, 16000, 3]",
            "prepare_valid: !apply:datasets.VadSynthesis.prepare ["
                + dir.resolve("speech")
                + ", "
                + dir.resolve("noise")
                + ", "
                + dir.resolve("data")
                + ", valid, 2, 4.0, 10, 20, 16000, 3]",
            "train_data: " + dir.resolve("data/train.csv"),
            "valid_data: " + dir.resolve("data/valid.csv"),
            "features: !new:features.Fbank {sample_rate: 16000, n_mels: 20}",
            "encoder: !new:models.CRDNN {input_size: 20, cnn_blocks: 1, cnn_channels: [8],"
                + " inter_layer_pooling_size: [2], time_pooling: false, rnn_layers: 1,"
                + " rnn_neurons: 8, rnn_bidirectional: true, dnn_blocks: 1, dnn_neurons: 8}",
            "experiment: !new:experiments.VoiceActivity {features: !ref <features>, encoder: !ref <encoder>}",
            "number_of_epochs: 2",
            "batch_size: 2",
            "num_workers: 1",
            "optimizer: !name:train.Optimizers.adam {lr: 0.01}",
            "ckpt_metric: F1",
            "ckpt_minimize: false",
            "");
    Path yaml = Files.writeString(dir.resolve("vad.yaml"), recipe);
    DataPrepareTest.Result t = DataPrepareTest.run("train", yaml.toString());
    assertEquals(0, t.status(), t.err());

    Path rec = dir.resolve("data/valid/valid_0000.wav");
    Path rttm = dir.resolve("out.rttm");
    DataPrepareTest.Result r =
        DataPrepareTest.run(
            "vad",
            "--model",
            dir.resolve("run").toString(),
            "--activation",
            "0.1",
            "--deactivation",
            "0.05",
            "--rttm",
            rttm.toString(),
            rec.toString());
    assertEquals(0, r.status(), r.err());
    for (String line : r.out().strip().split("\n")) {
      if (!line.isBlank()) {
        String[] f = line.split(" ");
        assertTrue(Double.parseDouble(f[1]) >= Double.parseDouble(f[0]), line);
      }
    }
    assertTrue(Files.isRegularFile(rttm));
    DataPrepareTest.Result bad =
        DataPrepareTest.run(
            "vad",
            "--model",
            dir.resolve("run").toString(),
            "--activation",
            "0.3",
            "--deactivation",
            "0.6",
            rec.toString());
    assertEquals(2, bad.status());
    assertTrue(bad.err().contains("--deactivation is 0.6"), bad.err());
  }
}
