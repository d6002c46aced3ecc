package dev.sonus.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.decode.CtcPrefixBeamSearch;
import dev.sonus.experiments.testing.FrameMlpEncoder;
import dev.sonus.inference.Decoding;
import dev.sonus.inference.Transcriber;
import dev.sonus.run.RunFolder;
import dev.sonus.run.Runner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new encoder plugs into {@link CtcAsr} by YAML alone: the recipe names a class of the test
 * sources and fills every slot (features with SpeechBrain's option names, normalisation, encoder,
 * beam-search decoder), and the run trains, tests and transcribes through {@link Runner} with no
 * task code of its own.
 */
class PluggedEncoderTest {
  private static final String RECIPE =
      """
      seed: 5
      output_folder: !PLACEHOLDER
      data_folder: !PLACEHOLDER
      train_data: !ref <data_folder>/all.csv
      valid_data: !ref <data_folder>/valid.csv
      test_data: !ref <data_folder>/test.csv
      data_sample_rate: 8000
      n_mels: 40
      experiment: !new:experiments.CtcAsr
        features: !new:features.Fbank
          sample_rate: 16000
          n_mels: !ref <n_mels>
          win_length: 25               # SpeechBrain's name for win_length_ms
          hop_length: 10
        normalize: !new:features.InputNormalization {norm_type: sentence, std_norm: false}
        encoder: !new:dev.sonus.experiments.testing.FrameMlpEncoder
          input_size: !ref <n_mels>
          hidden: 48
        decoder: !new:decode.CtcPrefixBeamSearch {beam_size: 4}
        output_neurons: 5
      number_of_epochs: 120
      batch_size: 6
      num_workers: 1
      optimizer: !name:train.Optimizers.adam
        lr: 0.01
      ckpt_metric: WER
      keep_checkpoints: 1
      check_data: false             # train = valid = test on purpose: the test overfits
      """;

  @Test
  void aRecipeTrainsAnEncoderOfItsOwnThroughTheRunner(@TempDir Path tmp) throws IOException {
    Path data = Files.createDirectories(tmp.resolve("data"));
    CtcAsrTest.makeCorpus(data);
    Path recipe = tmp.resolve("hparams.yaml");
    Files.writeString(recipe, RECIPE);
    Path out = tmp.resolve("run");
    Runner.Result r =
        Runner.train(
            recipe, Map.of("data_folder", data.toString(), "output_folder", out.toString()), null);
    assertEquals(
        0.0, ((Number) r.metrics().get("test_WER")).doubleValue(), "metrics " + r.metrics());

    RunFolder.Loaded loaded = RunFolder.load(out);
    CtcAsr asr = loaded.experimentAs(CtcAsr.class, "transcribe");
    assertInstanceOf(
        FrameMlpEncoder.class,
        asr.encoder(),
        "the recipe's own encoder is rebuilt from the folder");
    assertInstanceOf(
        CtcPrefixBeamSearch.class, asr.decoder(), "the recipe's decoder is used after reloading");
    assertEquals(4, ((CtcPrefixBeamSearch) asr.decoder()).settings().beamSize());

    List<Path> files = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      files.add(data.resolve("utt" + i + ".wav"));
    }
    List<String> beam = Transcriber.load(out).transcribeAll(files);
    List<String> greedyLike =
        Transcriber.load(out, new Decoding.Change(1, null, null)).transcribeAll(files);
    assertEquals(beam, greedyLike, "a confident model spells the same with beam 4 and beam 1");
    assertTrue(beam.contains("cab"), beam.toString());
  }
}
