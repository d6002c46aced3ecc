package dev.sonus.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import dev.sonus.data.BatchSampler;
import dev.sonus.data.DataLoader;
import dev.sonus.data.DynamicItemDataset;
import dev.sonus.data.Manifest;
import dev.sonus.inference.Evaluation;
import dev.sonus.inference.Transcriber;
import dev.sonus.models.CRDNN;
import dev.sonus.nn.Activation;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CTC recipe end to end on utterances the test makes itself: each "letter" is a tone of its own
 * pitch, a word is a sequence of tones, so a small CRDNN can learn to spell them within seconds.
 */
class CtcAsrTest {
  private static final String[] WORDS = {"ab", "ba", "cab", "dc", "bad", "cd"};
  private static final Map<Character, Double> PITCH =
      Map.of('a', 350.0, 'b', 700.0, 'c', 1200.0, 'd', 2100.0);

  /** Writes the tone words as 8 kHz WAVs and a manifest (ID, duration, wav, spk_id, wrd). */
  static Path makeCorpus(Path dir) throws IOException {
    Random rng = new Random(7);
    StringBuilder csv = new StringBuilder("ID,duration,wav,spk_id,wrd\n");
    int rate = 8000;
    for (int i = 0; i < WORDS.length; i++) {
      List<Float> samples = new ArrayList<>();
      silence(samples, 0.06, rate, rng);
      for (char c : WORDS[i].toCharArray()) {
        double f = PITCH.get(c);
        int n = (int) (0.14 * rate);
        for (int t = 0; t < n; t++) {
          double env = Math.sin(Math.PI * t / n);
          samples.add(
              (float)
                  (0.5 * env * Math.sin(2 * Math.PI * f * t / rate) + 0.003 * rng.nextGaussian()));
        }
        silence(samples, 0.04, rate, rng);
      }
      silence(samples, 0.04, rate, rng);
      float[] x = new float[samples.size()];
      for (int t = 0; t < x.length; t++) {
        x[t] = samples.get(t);
      }
      String id = "utt" + i;
      AudioIO.writeWav(dir.resolve(id + ".wav"), Audio.mono(x, rate), WavEncoding.PCM_S16);
      csv.append(
          String.format(
              java.util.Locale.ROOT,
              "%s,%.4f,$data_root/%s.wav,spk%d,%s%n",
              id,
              x.length / (double) rate,
              id,
              i % 2,
              WORDS[i]));
    }
    Path manifest = dir.resolve("all.csv");
    Files.writeString(manifest, csv);
    // The same utterances under other IDs validate and test: the point is to overfit them.
    for (String split : List.of("valid", "test")) {
      Files.writeString(
          dir.resolve(split + ".csv"), csv.toString().replaceAll("(?m)^utt", split + "_utt"));
    }
    return manifest;
  }

  private static void silence(List<Float> out, double seconds, int rate, Random rng) {
    for (int t = 0; t < (int) (seconds * rate); t++) {
      out.add((float) (0.003 * rng.nextGaussian()));
    }
  }

  static String recipe(int epochs) {
    return """
        seed: 3
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
        experiment: !new:experiments.CtcAsr
          sample_rate: !ref <sample_rate>
          n_mels: !ref <n_mels>
          encoder: !ref <enc>
          output_neurons: 5
        number_of_epochs: %d
        batch_size: 6
        num_workers: 1
        optimizer: !name:train.Optimizers.adam
          lr: 0.01
        ckpt_metric: WER
        keep_checkpoints: 1
        check_data: false             # train = valid = test on purpose: the test overfits
        """
        .formatted(epochs);
  }

  @Test
  void recipeOverfitsToneWordsAndTheTrainedFolderTranscribesThem(@TempDir Path tmp)
      throws IOException {
    Path data = Files.createDirectories(tmp.resolve("data"));
    makeCorpus(data);
    Path recipe = tmp.resolve("hparams.yaml");
    Files.writeString(recipe, recipe(60));
    Path out = tmp.resolve("run");
    Runner.Result r =
        Runner.train(
            recipe, Map.of("data_folder", data.toString(), "output_folder", out.toString()), null);

    assertEquals(
        0.0, ((Number) r.metrics().get("test_WER")).doubleValue(), "metrics " + r.metrics());
    assertEquals(0.0, ((Number) r.metrics().get("test_CER")).doubleValue());
    assertTrue(Files.isRegularFile(out.resolve("label_encoder.txt")));
    assertTrue(
        Files.readString(out.resolve("wer_test.txt")).startsWith("%WER 0.00 [ 0 / 6"),
        Files.readString(out.resolve("wer_test.txt")));

    // The trained folder, loaded again from disk, transcribes a file and samples at another rate
    // alike.
    Transcriber asr = Transcriber.load(out);
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < WORDS.length; i++) {
      files.add(data.resolve("utt" + i + ".wav"));
    }
    assertEquals(List.of(WORDS), asr.transcribeAll(files));
    assertEquals(WORDS[2], asr.transcribe(files.get(2)));
    float[] at8k = AudioIO.readMono(files.get(4), 8000).channel(0);
    assertEquals(WORDS[4], asr.transcribe(at8k, 8000));

    // Evaluation of the folder reproduces the test figures and writes its report.
    Evaluation.Result e = Evaluation.run(out, null, null, null);
    assertEquals(0.0, e.metrics().get("WER"));
    assertTrue(Files.isRegularFile(out.resolve("eval_test.json")));
  }

  @Test
  void trainingStepsLeaveNoNativeObjectsForTheGarbageCollector(@TempDir Path tmp)
      throws IOException {
    Path data = Files.createDirectories(tmp.resolve("data"));
    Manifest m = Manifest.load(makeCorpus(data), Map.of("data_root", data.toString()));
    CtcAsr asr = new CtcAsr(16000, 40, smallEncoder(), 5);
    DynamicItemDataset ds = asr.dataset(m, Stage.TRAIN);
    try (DataLoader loader =
            new DataLoader(
                ds,
                BatchSampler.fixed(ds.size(), 3, BatchSampler.Order.RANDOM, null, 1, false),
                1,
                2,
                1);
        Optimizer opt = Optimizers.adam(ParamGroups.single(asr.model(), 0), 0.01)) {
      Brain<CtcAsr.Output> brain = new Brain<>(asr, opt, null, Brain.Options.defaults());
      brain.fit(new EpochCounter(2), loader, loader);
      // No collection on purpose: a tensor a step forgot to free stays counted until the collector
      // finds it.
      long before = Pointer.totalCount();
      brain.fit(new EpochCounter(8), loader, loader);
      long after = Pointer.totalCount();
      assertTrue(
          after <= before + 2,
          "native objects grew from " + before + " to " + after + " over 6 epochs");
    }
  }

  @Test
  void outputNeuronsMustCoverTheTranscriptCharacters(@TempDir Path tmp) throws IOException {
    Path data = Files.createDirectories(tmp.resolve("data"));
    Manifest m = Manifest.load(makeCorpus(data), Map.of("data_root", data.toString()));
    CtcAsr asr = new CtcAsr(16000, 40, smallEncoder(), 4);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> asr.dataset(m, Stage.TRAIN));
    assertTrue(
        e.getMessage().contains("output_neurons is 4; set output_neurons: 5"), e.getMessage());
  }

  @Test
  void encoderInputMustMatchTheFeatures() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new CtcAsr(16000, 80, smallEncoder(), 5));
    assertTrue(
        e.getMessage().contains("give 80 values per frame but the encoder's input_size is 40"),
        e.getMessage());
  }

  static CRDNN smallEncoder() {
    return new CRDNN(
        new CRDNN.Options(
            40,
            Activation.LEAKY_RELU,
            0.0,
            1,
            List.of(8L),
            List.of(3L, 3L),
            false,
            2,
            false,
            List.of(2L),
            1,
            32,
            true,
            1,
            32));
  }
}
