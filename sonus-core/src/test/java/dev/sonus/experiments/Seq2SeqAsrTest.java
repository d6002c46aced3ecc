package dev.sonus.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.data.BatchSampler;
import dev.sonus.data.DataLoader;
import dev.sonus.data.DynamicItemDataset;
import dev.sonus.data.Manifest;
import dev.sonus.decode.S2SBeamSearch;
import dev.sonus.features.Fbank;
import dev.sonus.models.ConvolutionFrontEnd;
import dev.sonus.models.transformer.AttentionType;
import dev.sonus.models.transformer.EncoderModule;
import dev.sonus.models.transformer.TransformerAsr;
import dev.sonus.nn.Activation;
import dev.sonus.tokenize.TextTokenizer;
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
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Joint CTC/attention training of a small Conformer on the tone words of {@link CtcAsrTest}: it
 * learns them (test WER 0 with the joint beam search), and its steps leave no native objects
 * behind.
 */
class Seq2SeqAsrTest {
  /** Characters a-d at 3..6 after unk 0, bos 1, eos 2. */
  static final class Chars implements TextTokenizer {
    @Override
    public int size() {
      return 7;
    }

    @Override
    public long[] encodeIds(String text) {
      return text.chars().mapToLong(c -> c >= 'a' && c <= 'd' ? c - 'a' + 3 : 0).toArray();
    }

    @Override
    public String piece(long id) {
      return id >= 3 ? String.valueOf((char) ('a' + id - 3)) : "<unk>";
    }

    @Override
    public String decodeIds(long[] ids) {
      StringBuilder sb = new StringBuilder();
      for (long id : ids) {
        if (id < 0 || id >= size()) {
          throw new IllegalArgumentException("id " + id + " is outside the vocabulary");
        }
        if (id >= 3) {
          sb.append((char) ('a' + id - 3));
        }
      }
      return sb.toString();
    }
  }

  static Seq2SeqAsr task(double ctcWeight) {
    ConvolutionFrontEnd fe =
        new ConvolutionFrontEnd(
            new ConvolutionFrontEnd.Options(
                40,
                1,
                1,
                List.of(8L),
                List.of(3L),
                List.of(2L),
                List.of(false),
                Activation.LEAKY_RELU,
                0.0));
    TransformerAsr.Options d = TransformerAsr.Options.defaults();
    TransformerAsr model =
        new TransformerAsr(
            new TransformerAsr.Options(
                7,
                fe.outputSize(),
                32,
                4,
                1,
                1,
                64,
                0.0,
                Activation.GELU,
                "fixed_abs_sine",
                true,
                7,
                true,
                EncoderModule.CONFORMER,
                Activation.SWISH,
                Activation.GELU,
                AttentionType.REL_POS_MHA_XL,
                200,
                false,
                d.csguLinearUnits(),
                Activation.IDENTITY,
                false));
    Seq2SeqAsr.Options o = Seq2SeqAsr.Options.defaults();
    return new Seq2SeqAsr(
        new Seq2SeqAsr.Options(
            new Fbank(16000, 40),
            null,
            fe,
            model,
            new Chars(),
            ctcWeight,
            0.1,
            1,
            2,
            0,
            0,
            1,
            o.validSearch(),
            new S2SBeamSearch.Options(1, 2, 0, 4, 0.0, 1.0, 0.4, false, 1.5, true, 1),
            null,
            0.0,
            null,
            null));
  }

  private static DataLoader loader(DynamicItemDataset ds) {
    return new DataLoader(
        ds, BatchSampler.fixed(ds.size(), 3, BatchSampler.Order.RANDOM, null, 1, false), 1, 2, 1);
  }

  @Test
  void aSmallConformerLearnsTheToneWordsWithJointCtcAttention(@TempDir Path tmp)
      throws IOException {
    torch.manual_seed(5);
    Path data = Files.createDirectories(tmp.resolve("data"));
    Manifest m = Manifest.load(CtcAsrTest.makeCorpus(data), Map.of("data_root", data.toString()));
    Seq2SeqAsr asr = task(0.3);
    DynamicItemDataset ds = asr.dataset(m, Stage.TRAIN);
    try (DataLoader train = loader(ds);
        DataLoader test = loader(asr.dataset(m, Stage.TEST));
        Optimizer opt = Optimizers.adam(ParamGroups.single(asr.model(), 0), 0.003)) {
      Brain<Seq2SeqAsr.Output> brain = new Brain<>(asr, opt, null, Brain.Options.defaults());
      List<Brain.StageResult> log = brain.fit(new EpochCounter(60), train, null);
      double first = log.get(0).metrics().get("loss");
      double last = log.get(log.size() - 1).metrics().get("loss");
      assertTrue(last < first / 4, "training loss went from " + first + " to " + last);
      Brain.StageResult r = brain.evaluate(test);
      assertEquals(0.0, r.metrics().get("WER"), "test metrics " + r.metrics());
      assertEquals(100.0, r.metrics().get("ACC"), 1e-9, "test metrics " + r.metrics());
    }
  }

  @Test
  void trainingStepsLeaveNoNativeObjectsForTheGarbageCollector(@TempDir Path tmp)
      throws IOException {
    Path data = Files.createDirectories(tmp.resolve("data"));
    Manifest m = Manifest.load(CtcAsrTest.makeCorpus(data), Map.of("data_root", data.toString()));
    Seq2SeqAsr asr = task(0.3);
    DynamicItemDataset ds = asr.dataset(m, Stage.TRAIN);
    try (DataLoader loader = loader(ds);
        Optimizer opt = Optimizers.adam(ParamGroups.single(asr.model(), 0), 0.003)) {
      Brain<Seq2SeqAsr.Output> brain = new Brain<>(asr, opt, null, Brain.Options.defaults());
      brain.fit(new EpochCounter(2), loader, loader);
      long before = Pointer.totalCount();
      brain.fit(new EpochCounter(6), loader, loader);
      long after = Pointer.totalCount();
      assertTrue(
          after <= before + 2,
          "native objects grew from " + before + " to " + after + " over 4 epochs");
    }
  }

  @Test
  void aTokenizerOfAnotherSizeThanTheModelIsRefusedWithTheFix() {
    Seq2SeqAsr ok = task(0.3);
    TransformerAsr.Options d = TransformerAsr.Options.defaults();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new Seq2SeqAsr(
                    new Seq2SeqAsr.Options(
                        new Fbank(16000, 80),
                        null,
                        null,
                        new TransformerAsr(
                            new TransformerAsr.Options(
                                9,
                                80,
                                16,
                                2,
                                1,
                                1,
                                32,
                                0.0,
                                Activation.RELU,
                                "fixed_abs_sine",
                                true,
                                3,
                                true,
                                EncoderModule.TRANSFORMER,
                                Activation.SWISH,
                                Activation.GELU,
                                AttentionType.REGULAR_MHA,
                                100,
                                false,
                                d.csguLinearUnits(),
                                Activation.IDENTITY,
                                false)),
                        new Chars(),
                        0.3,
                        0.1,
                        1,
                        2,
                        0,
                        0,
                        1,
                        Seq2SeqAsr.Options.defaults().validSearch(),
                        Seq2SeqAsr.Options.defaults().testSearch(),
                        null,
                        0.0,
                        null,
                        null)));
    assertTrue(
        e.getMessage().contains("the tokenizer has 7 tokens but the model's tgt_vocab is 9"),
        e.getMessage());
    assertTrue(ok.toString().contains("conformer"));
  }
}
