package dev.sonus.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import dev.sonus.inference.SpeakerVerifier;
import dev.sonus.models.EcapaTdnn;
import dev.sonus.nn.Activation;
import dev.sonus.run.Runner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The speaker recipe end to end on "speakers" the test synthesises: each speaker is a voice of its
 * own pitch and timbre saying noise-excited syllables, so a small ECAPA separates them within
 * seconds.
 */
class SpeakerClassifierTest {
  private static final double[] PITCH = {110, 180, 260};

  /**
   * Writes 8 kHz WAVs, eight takes per speaker: trials (takes 0-1), valid (take 2), train (takes
   * 3-7).
   */
  static void makeCorpus(Path dir) throws IOException {
    Random rng = new Random(11);
    StringBuilder[] csv = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
    for (StringBuilder b : csv) {
      b.append("ID,duration,wav,spk_id\n");
    }
    int rate = 8000;
    for (int s = 0; s < PITCH.length; s++) {
      for (int take = 0; take < 8; take++) {
        int n = (int) ((0.5 + 0.1 * rng.nextDouble()) * rate);
        float[] x = new float[n];
        double phase = 0;
        for (int t = 0; t < n; t++) {
          double f0 = PITCH[s] * (1 + 0.03 * Math.sin(2 * Math.PI * 3 * t / rate + take));
          phase += 2 * Math.PI * f0 / rate;
          double v = 0;
          for (int h = 1; h <= 6; h++) {
            v += Math.sin(h * phase) / Math.pow(h, 0.6 + 0.5 * s);
          }
          x[t] = (float) (0.2 * v * Math.sin(Math.PI * t / n) + 0.002 * rng.nextGaussian());
        }
        String id = "s" + s + "_t" + take;
        AudioIO.writeWav(dir.resolve(id + ".wav"), Audio.mono(x, rate), WavEncoding.PCM_S16);
        int split = take < 2 ? 2 : take == 2 ? 1 : 0;
        csv[split].append(
            String.format(
                Locale.ROOT, "%s,%.4f,$data_root/%s.wav,spk%d%n", id, n / (double) rate, id, s));
      }
    }
    Files.writeString(dir.resolve("train.csv"), csv[0]);
    Files.writeString(dir.resolve("valid.csv"), csv[1]);
    Files.writeString(dir.resolve("trials.csv"), csv[2]);
  }

  @Test
  void recipeLearnsTheSpeakersAndStoresAVerificationThreshold(@TempDir Path tmp)
      throws IOException {
    Path data = Files.createDirectories(tmp.resolve("data"));
    makeCorpus(data);
    Path recipe = tmp.resolve("hparams.yaml");
    Files.writeString(
        recipe,
        """
        seed: 5
        output_folder: !PLACEHOLDER
        data_folder: !PLACEHOLDER
        train_data: !ref <data_folder>/train.csv
        valid_data: !ref <data_folder>/valid.csv
        test_data: !ref <data_folder>/trials.csv
        sample_rate: 16000
        data_sample_rate: 8000
        n_mels: 40
        embedding_model: !new:models.EcapaTdnn
          input_size: !ref <n_mels>
          lin_neurons: 16
          channels: [32, 32, 32, 32, 96]
          attention_channels: 16
          se_channels: 16
        experiment: !new:experiments.SpeakerClassifier
          sample_rate: !ref <sample_rate>
          n_mels: !ref <n_mels>
          embedding_model: !ref <embedding_model>
          out_neurons: 3
          label_column: spk_id
          margin: 0.2
          scale: 30
        number_of_epochs: 12
        batch_size: 4
        num_workers: 1
        optimizer: !name:train.Optimizers.adam
          lr: 0.003
        ckpt_metric: error_rate
        keep_checkpoints: 1
        """);
    Path out = tmp.resolve("run");
    Runner.Result r =
        Runner.train(
            recipe, Map.of("data_folder", data.toString(), "output_folder", out.toString()), null);
    assertEquals(
        0.0, ((Number) r.metrics().get("test_error_rate")).doubleValue(), "metrics " + r.metrics());
    assertEquals(
        0.0, ((Number) r.metrics().get("test_EER")).doubleValue(), "metrics " + r.metrics());
    assertTrue(Files.isRegularFile(out.resolve("verification.json")));

    SpeakerVerifier sv = SpeakerVerifier.load(out);
    SpeakerVerifier.Decision same = sv.verify(data.resolve("s1_t0.wav"), data.resolve("s1_t1.wav"));
    SpeakerVerifier.Decision different =
        sv.verify(data.resolve("s1_t0.wav"), data.resolve("s2_t0.wav"));
    assertTrue(same.sameSpeaker(), "same speaker scored " + same);
    assertFalse(different.sameSpeaker(), "different speakers scored " + different);
    assertEquals(16, sv.embed(data.resolve("s0_t0.wav")).length);
  }

  @Test
  void augmentedCopiesKeepTheirUtterancesLabels(@TempDir Path tmp) throws IOException {
    Path data = Files.createDirectories(tmp.resolve("data"));
    makeCorpus(data);
    Path recipe = tmp.resolve("hparams.yaml");
    Files.writeString(
        recipe,
        """
        n_mels: 40
        experiment: !new:experiments.SpeakerClassifier
          features: !new:features.Fbank {sample_rate: 16000, n_mels: 40}
          embedding_model: !new:models.EcapaTdnn
            input_size: 40
            lin_neurons: 16
            channels: [16, 16, 48]
            kernel_sizes: [5, 3, 1]
            dilations: [1, 2, 1]
            groups: [1, 1, 1]
            attention_channels: 8
            se_channels: 8
          out_neurons: 3
          label_column: spk_id
          wav_augment: !new:augment.Augmenter
            concat_original: true
            augmentations: [!new:augment.SpeedPerturb {orig_freq: 16000, speeds: [90, 110]}]
          fea_augment: !new:augment.Augmenter
            concat_original: true
            augmentations: [!new:augment.SpectrogramDrop {}]
        """);
    SpeakerClassifier task =
        (SpeakerClassifier) dev.sonus.config.HyperYaml.load(recipe, Map.of()).get("experiment");
    dev.sonus.data.Manifest m =
        dev.sonus.data.Manifest.load(
            data.resolve("train.csv"), Map.of("data_root", data.toString()));
    dev.sonus.data.DynamicItemDataset ds = task.dataset(m, dev.sonus.train.Stage.TRAIN);
    task.model().train(true);
    try (dev.sonus.data.Batch b =
        dev.sonus.data.Batch.collate(ds.getBatch(new int[] {0, 5, 10}, 1, 1))) {
      assertEquals(6, b.size(), "3 originals and their sped-up copies: " + b.ids());
      long[] labels = dev.sonus.tensor.Tensors.toLongs(b.padded("class_index").data());
      assertEquals(labels[0], labels[3]);
      assertEquals(labels[2], labels[5]);
      SpeakerClassifier.Output out = task.computeForward(b, dev.sonus.train.Stage.TRAIN);
      assertEquals(12, out.scores().size(0), "and the spectrogram-dropped copies of all six");
      assertEquals(12, out.source().length);
      org.bytedeco.pytorch.Tensor loss =
          task.computeObjectives(out, b, dev.sonus.train.Stage.TRAIN);
      assertTrue(Double.isFinite(loss.item_double()), "loss " + loss.item_double());
    }
    dev.sonus.data.DynamicItemDataset valid = task.dataset(m, dev.sonus.train.Stage.VALID);
    try (dev.sonus.data.Batch b =
        dev.sonus.data.Batch.collate(valid.getBatch(new int[] {0, 5}, 1, 1))) {
      assertEquals(2, b.size(), "validation batches are not augmented");
    }
  }

  @Test
  void trainingStepsLeaveNoNativeObjectsForTheGarbageCollector(@TempDir Path tmp)
      throws IOException {
    Path data = Files.createDirectories(tmp.resolve("data"));
    makeCorpus(data);
    dev.sonus.data.Manifest m =
        dev.sonus.data.Manifest.load(
            data.resolve("train.csv"), Map.of("data_root", data.toString()));
    SpeakerClassifier task =
        new SpeakerClassifier(
            16000,
            40,
            new EcapaTdnn(
                new EcapaTdnn.Options(
                    40,
                    16,
                    Activation.RELU,
                    List.of(16L, 16L, 48L),
                    List.of(5L, 3L, 1L),
                    List.of(1L, 2L, 1L),
                    8,
                    8,
                    8,
                    true,
                    List.of(1L, 1L, 1L))),
            3,
            "spk_id",
            0.2,
            30);
    dev.sonus.data.DynamicItemDataset ds = task.dataset(m, dev.sonus.train.Stage.TRAIN);
    try (dev.sonus.data.DataLoader loader =
            new dev.sonus.data.DataLoader(
                ds,
                dev.sonus.data.BatchSampler.fixed(
                    ds.size(), 4, dev.sonus.data.BatchSampler.Order.RANDOM, null, 1, false),
                1,
                2,
                1);
        dev.sonus.train.Optimizer opt =
            dev.sonus.train.Optimizers.adam(
                dev.sonus.train.ParamGroups.single(task.model(), 0), 0.003)) {
      dev.sonus.train.Brain<SpeakerClassifier.Output> brain =
          new dev.sonus.train.Brain<>(task, opt, null, dev.sonus.train.Brain.Options.defaults());
      brain.fit(new dev.sonus.train.EpochCounter(2), loader, loader);
      // No collection on purpose: a tensor a step forgot to free stays counted until the collector
      // finds it.
      long before = org.bytedeco.javacpp.Pointer.totalCount();
      brain.fit(new dev.sonus.train.EpochCounter(6), loader, loader);
      long after = org.bytedeco.javacpp.Pointer.totalCount();
      assertTrue(
          after <= before + 2,
          "native objects grew from " + before + " to " + after + " over 4 epochs");
    }
  }

  @Test
  void outNeuronsMustCoverTheClasses() {
    EcapaTdnn small =
        new EcapaTdnn(
            new EcapaTdnn.Options(
                40,
                16,
                Activation.RELU,
                List.of(32L, 32L, 96L),
                List.of(5L, 3L, 1L),
                List.of(1L, 2L, 1L),
                16,
                8,
                16,
                true,
                List.of(1L, 1L, 1L)));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new SpeakerClassifier(16000, 80, small, 3, "spk_id", 0.2, 30));
    assertTrue(
        e.getMessage()
            .contains("give 80 values per frame but the embedding model's input size is 40"),
        e.getMessage());
  }
}
