package dev.sonus.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attention beam search on a decoder whose probabilities are fixed: the best hypothesis, the
 * step limit, and shallow fusion with a token-level ARPA model that overturns the decoder's choice.
 */
class S2SBeamSearchTest {
  // tokens: 0 blank/unk, 1 bos, 2 eos, 3 "x", 4 "y"
  private static final int V = 5;

  /** After bos: x 0.5, y 0.4; after one token: eos 0.9. */
  private static final S2SBeamSearch.DecoderStep STEP =
      (prefixes, enc, lens) -> {
        int n = (int) prefixes.size(0);
        int u = (int) prefixes.size(1);
        float[] lp = new float[n * V];
        for (int i = 0; i < n; i++) {
          double[] p =
              u == 1
                  ? new double[] {0.02, 0.01, 0.07, 0.5, 0.4}
                  : new double[] {0.02, 0.01, 0.9, 0.04, 0.03};
          for (int v = 0; v < V; v++) {
            lp[i * V + v] = (float) Math.log(p[v]);
          }
        }
        return Tensors.fromFloats(lp, n, V);
      };

  private static List<List<S2SBeamSearch.Hypothesis>> run(PrefixLm lm, double weight) {
    try (PointerScope scope = new PointerScope()) {
      Tensor enc = Tensors.fromFloats(new float[2 * 6 * 3], 2, 6, 3);
      Tensor lens = Tensors.fromFloats(new float[] {1f, 1f}, 2);
      S2SBeamSearch search =
          new S2SBeamSearch(
              new S2SBeamSearch.Options(1, 2, 0, 3, 0.0, 1.0, 0.0, false, 1.5, true, 2));
      return search.search(STEP, enc, lens, null, lm, weight);
    }
  }

  @Test
  void theDecodersBestTokenWinsWithoutALanguageModel() {
    List<List<S2SBeamSearch.Hypothesis>> found = run(null, 0);
    for (List<S2SBeamSearch.Hypothesis> h : found) {
      assertArrayEquals(new long[] {3}, h.get(0).tokens(), h.toString());
      assertArrayEquals(new long[] {4}, h.get(1).tokens(), h.toString());
      assertTrue(h.get(0).score() > h.get(1).score());
    }
  }

  @Test
  void aTokenArpaModelFusedWithWeightOneOverturnsIt(@TempDir Path tmp) throws IOException {
    Path arpa = tmp.resolve("pieces.arpa");
    Files.writeString(
        arpa,
        """
        \\data\\
        ngram 1=5

        \\1-grams:
        -1.0 <s> 0
        -3.0 x 0
        -0.1 y 0
        -0.5 </s> 0
        -5.0 <unk> 0

        \\end\\
        """);
    String[] pieces = {"<unk>", "<s>", "</s>", "x", "y"};
    PrefixLm lm = new ArpaTokenLm(ArpaLm.read(arpa), id -> pieces[(int) id], 2, 1, 0);
    for (List<S2SBeamSearch.Hypothesis> h : run(lm, 1.0)) {
      assertArrayEquals(new long[] {4}, h.get(0).tokens(), h.toString());
    }
    // a weight of 0 leaves the decoder alone
    for (List<S2SBeamSearch.Hypothesis> h : run(lm, 0.0)) {
      assertArrayEquals(new long[] {3}, h.get(0).tokens(), h.toString());
    }
    assertThrows(IllegalArgumentException.class, () -> run(lm, Double.NaN));
  }
}
