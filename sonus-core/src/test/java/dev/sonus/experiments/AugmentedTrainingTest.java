package dev.sonus.experiments;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import dev.sonus.augment.AddNoise;
import dev.sonus.augment.AddReverb;
import dev.sonus.augment.Augmenter;
import dev.sonus.augment.SpectrogramDrop;
import dev.sonus.augment.SpeedPerturb;
import dev.sonus.augment.Warping;
import dev.sonus.data.Batch;
import dev.sonus.data.BatchSampler;
import dev.sonus.data.DataLoader;
import dev.sonus.data.DynamicItemDataset;
import dev.sonus.data.Manifest;
import dev.sonus.features.Fbank;
import dev.sonus.run.Runner;
import dev.sonus.train.Brain;
import dev.sonus.train.EpochCounter;
import dev.sonus.train.Optimizer;
import dev.sonus.train.Optimizers;
import dev.sonus.train.ParamGroups;
import dev.sonus.train.Stage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training with the whole augmentation chain on (speed, real-file noise, reverberation, chunk and
 * frequency drop in the loader; time and frequency masking and warping on the batch): the same seed
 * gives bit-identical checkpoints with 1 and with 4 loader threads, and the augmented batches
 * really differ from the clean ones.
 */
class AugmentedTrainingTest {

  static String recipe(Path noises, Path rirs) {
    return """
        seed: 5
        output_folder: !PLACEHOLDER
        data_folder: !PLACEHOLDER
        train_data: !ref <data_folder>/all.csv
        valid_data: !ref <data_folder>/valid.csv
        test_data: !ref <data_folder>/test.csv
        sample_rate: 16000
        data_sample_rate: 8000
        n_mels: 40
        enc: !new:models.CRDNN
          input_size: !ref <n_mels>
          dropout: 0.0
          cnn_channels: [8]
          rnn_layers: 1
          rnn_neurons: 32
          dnn_neurons: 32
        wav_augment: !new:augment.Augmenter
          concat_original: true
          shuffle_augmentations: true
          min_augmentations: 2
          max_augmentations: 5
          augmentations:
            - !new:augment.SpeedPerturb {orig_freq: !ref <sample_rate>, speeds: [90, 100, 110]}
            - !new:augment.AddNoise {csv_file: %s, snr_low: 0, snr_high: 15}
            - !new:augment.AddReverb {csv_file: %s}
            - !new:augment.DropChunk {drop_length_low: 100, drop_length_high: 800}
            - !new:augment.DropFreq {}
        fea_augment: !new:augment.Augmenter
          augmentations:
            - !new:augment.SpectrogramDrop {drop_length_low: 2, drop_length_high: 6, dim: 1}
            - !new:augment.SpectrogramDrop {drop_length_low: 2, drop_length_high: 6, dim: 2, replace: mean}
            - !new:augment.Warping {}
        experiment: !new:experiments.CtcAsr
          features: !new:features.Fbank {sample_rate: !ref <sample_rate>, n_mels: !ref <n_mels>}
          encoder: !ref <enc>
          output_neurons: 5
          wav_augment: !ref <wav_augment>
          fea_augment: !ref <fea_augment>
        number_of_epochs: 2
        batch_size: 3
        num_workers: 1
        optimizer: !name:train.Optimizers.adam
          lr: 0.01
        ckpt_metric: WER
        keep_checkpoints: 1
        check_data: false
        """
        .formatted(noises, rirs);
  }

  static void writeNoisesAndRirs(Path noises, Path rirs) throws IOException {
    Files.createDirectories(noises);
    Files.createDirectories(rirs);
    Random rng = new Random(11);
    for (int n = 0; n < 3; n++) {
      float[] x = new float[8000 + 3000 * n];
      float low = 0;
      for (int t = 0; t < x.length; t++) {
        low = 0.95f * low + 0.05f * (float) rng.nextGaussian();
        x[t] = 0.3f * low + 0.02f * (float) rng.nextGaussian();
      }
      AudioIO.writeWav(
          noises.resolve("noise" + n + ".wav"), Audio.mono(x, 16000), WavEncoding.PCM_S16);
    }
    for (int n = 0; n < 2; n++) {
      float[] h = new float[1600 + 800 * n];
      h[40 + 10 * n] = 1f;
      for (int t = 41 + 10 * n; t < h.length; t++) {
        h[t] = (float) (0.4 * rng.nextGaussian() * Math.exp(-t / (200.0 + 100 * n)));
      }
      AudioIO.writeWav(rirs.resolve("rir" + n + ".wav"), Audio.mono(h, 16000), WavEncoding.FLOAT32);
    }
  }

  @Test
  void sameSeedGivesBitIdenticalCheckpointsWithOneAndFourLoaderThreads(@TempDir Path tmp)
      throws IOException {
    Path data = Files.createDirectories(tmp.resolve("data"));
    CtcAsrTest.makeCorpus(data);
    Path noises = tmp.resolve("noises");
    Path rirs = tmp.resolve("rirs");
    writeNoisesAndRirs(noises, rirs);
    Path recipe = tmp.resolve("hparams.yaml");
    Files.writeString(recipe, recipe(noises, rirs));

    Path one = tmp.resolve("one");
    Path four = tmp.resolve("four");
    Runner.train(
        recipe,
        Map.of("data_folder", data.toString(), "output_folder", one.toString(), "num_workers", "1"),
        null);
    Runner.train(
        recipe,
        Map.of(
            "data_folder", data.toString(), "output_folder", four.toString(), "num_workers", "4"),
        null);
    for (String file : List.of("model.safetensors", "optimizer.safetensors")) {
      byte[] a = Files.readAllBytes(checkpointFile(one, file));
      byte[] b = Files.readAllBytes(checkpointFile(four, file));
      assertArrayEquals(a, b, file + " differs between 1 and 4 loader threads");
    }
  }

  @Test
  void augmentedBatchesHoldTheOriginalsAndTheirCopiesAndTrainingStaysFlatInNativeMemory(
      @TempDir Path tmp) throws IOException {
    Path data = Files.createDirectories(tmp.resolve("data"));
    Manifest m = Manifest.load(CtcAsrTest.makeCorpus(data), Map.of("data_root", data.toString()));
    Path noises = tmp.resolve("noises");
    Path rirs = tmp.resolve("rirs");
    writeNoisesAndRirs(noises, rirs);
    Augmenter wav =
        new Augmenter(
            new Augmenter.Options(
                false,
                false,
                true,
                3,
                3,
                false,
                1,
                0,
                null,
                0,
                null,
                1.0,
                List.of(
                    new SpeedPerturb(16000, List.of(90, 110)),
                    new AddNoise(
                        new AddNoise.Options(
                            noises.toString(),
                            null,
                            "random",
                            0,
                            0,
                            10,
                            false,
                            null,
                            false,
                            "white",
                            Map.of(),
                            16000,
                            16000)),
                    new AddReverb(
                        new AddReverb.Options(
                            rirs.toString(), "random", 0, 1.0, Map.of(), 16000, 16000, "avg"))),
                null));
    Augmenter fea =
        new Augmenter(
            new Augmenter.Options(
                false,
                false,
                false,
                null,
                null,
                false,
                1,
                0,
                null,
                0,
                null,
                1.0,
                List.of(new SpectrogramDrop(SpectrogramDrop.Options.defaults()), new Warping()),
                null));
    CtcAsr asr =
        new CtcAsr(
            new CtcAsr.Options(
                new Fbank(16000, 40), null, CtcAsrTest.smallEncoder(), null, 5, 0, wav, fea));
    DynamicItemDataset ds = asr.dataset(m, Stage.TRAIN);
    try (DataLoader loader =
            new DataLoader(
                ds,
                BatchSampler.fixed(ds.size(), 3, BatchSampler.Order.NONE, null, 1, false),
                2,
                2,
                1);
        Optimizer opt = Optimizers.adam(ParamGroups.single(asr.model(), 0), 0.01)) {
      try (DataLoader.Epoch e = loader.epoch(1)) {
        Batch b = e.iterator().next();
        assertEquals(6, b.size(), "3 originals then their 3 augmented copies: " + b.ids());
        assertEquals(
            List.of("utt0", "utt1", "utt2", "utt0/aug1", "utt1/aug1", "utt2/aug1"), b.ids());
        Tensor f = b.padded("feats").data();
        double diff = f.select(0, 0).sub(f.select(0, 3)).abs().max().item_double();
        assertTrue(diff > 0.1, "the copy's features equal the original's (max diff " + diff + ")");
        b.close();
      }
      Brain<CtcAsr.Output> brain = new Brain<>(asr, opt, null, Brain.Options.defaults());
      brain.fit(new EpochCounter(2), loader, loader);
      long before = Pointer.totalCount();
      brain.fit(new EpochCounter(6), loader, loader);
      long after = Pointer.totalCount();
      assertTrue(
          after <= before + 2,
          "native objects grew from " + before + " to " + after + " over 4 augmented epochs");
    }
  }

  private static Path checkpointFile(Path run, String name) throws IOException {
    try (Stream<Path> s = Files.walk(run.resolve("checkpoints"))) {
      List<Path> found = s.filter(p -> p.getFileName().toString().equals(name)).toList();
      assertEquals(1, found.size(), "checkpoints of " + run + ": " + found);
      return found.get(0);
    }
  }
}
