package dev.sonus.experiments;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.data.BatchSampler;
import dev.sonus.data.DataLoader;
import dev.sonus.data.DynamicItemDataset;
import dev.sonus.data.Manifest;
import dev.sonus.decode.PrefixLm;
import dev.sonus.models.transformer.TransformerLm;
import dev.sonus.nn.Activation;
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
 * A small Transformer LM learns a corpus in which "ab" is always followed by "c": it then ranks c
 * first after "ab", reports perplexity, and its steps leave no native objects behind.
 */
class TokenLmTest {
  private static Path corpus(Path dir) throws IOException {
    StringBuilder csv = new StringBuilder("ID,wrd\n");
    String[] lines = {"abc", "abcd", "dabc", "cabc", "abca", "babc"};
    for (int i = 0; i < 24; i++) {
      csv.append("s").append(i).append(',').append(lines[i % lines.length]).append('\n');
    }
    Path m = dir.resolve("text.csv");
    Files.writeString(m, csv);
    return m;
  }

  private static TokenLm task() {
    TransformerLm model =
        new TransformerLm(
            new TransformerLm.Options(7, 32, 4, 2, 64, 0.0, Activation.GELU, true, 100, 0));
    return new TokenLm(new TokenLm.Options(model, new Seq2SeqAsrTest.Chars(), "wrd", 1, 2));
  }

  private static DataLoader loader(DynamicItemDataset ds) {
    return new DataLoader(
        ds, BatchSampler.fixed(ds.size(), 6, BatchSampler.Order.RANDOM, null, 1, false), 1, 2, 1);
  }

  @Test
  void itLearnsThatCFollowsAbAndScoresHypothesesForFusion(@TempDir Path tmp) throws IOException {
    torch.manual_seed(3);
    Manifest m = Manifest.load(corpus(tmp), Map.of());
    TokenLm lm = task();
    try (DataLoader train = loader(lm.dataset(m, Stage.TRAIN));
        DataLoader valid = loader(lm.dataset(m, Stage.VALID));
        Optimizer opt = Optimizers.adam(ParamGroups.single(lm.model(), 0), 0.003)) {
      Brain<org.bytedeco.pytorch.Tensor> brain =
          new Brain<>(lm, opt, null, Brain.Options.defaults());
      List<Brain.StageResult> log = brain.fit(new EpochCounter(40), train, valid);
      Brain.StageResult last = log.get(log.size() - 1);
      assertEquals(Stage.VALID, last.stage());
      assertTrue(last.metrics().get("PPL") < 3.0, "perplexity " + last.metrics());
      long before = Pointer.totalCount();
      brain.fit(new EpochCounter(44), train, valid);
      assertTrue(Pointer.totalCount() <= before + 2, "native objects grew over 4 epochs");
    }
    PrefixLm scorer = lm.prefixLm(1.0);
    float[][] next = scorer.nextLogProbs(new long[][] {{3, 4}, {3, 4}}, 7); // after "ab"
    for (float[] row : next) {
      int best = 0;
      for (int v = 1; v < row.length; v++) {
        if (row[v] > row[best]) {
          best = v;
        }
      }
      assertEquals(5, best, "c (5) follows ab: " + java.util.Arrays.toString(row));
    }
    assertArrayEquals(next[0], scorer.nextLogProbs(new long[] {3, 4}, 7), 1e-5f);
  }
}
