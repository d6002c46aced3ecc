package dev.sonus.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.tensor.Npy;
import dev.sonus.tensor.Tensors;
import dev.sonus.testing.FixtureManifest;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity with SpeechBrain v1.0.0's CTC decoders on {@code <sonus.fixtures>/speechbrain}: the cases,
 * their inputs, relative lengths, blank index, searcher arguments and expected hypotheses are the
 * manifest's {@code ctc_decoding}.
 */
class CtcSpeechBrainParityTest {
  private static final double SCORE_TOLERANCE = 1e-3;

  private static final String FOLDER = "speechbrain";

  @SuppressWarnings("unchecked")
  private static Map<String, Object> caseNamed(Map<String, Object> ctc, String name) {
    for (Object c : (List<Object>) ctc.get("cases")) {
      Map<String, Object> m = (Map<String, Object>) c;
      if (name.equals(m.get("name"))) {
        return m;
      }
    }
    throw new IllegalStateException("manifest has no ctc_decoding case " + name);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> manifest() {
    return (Map<String, Object>) FixtureManifest.of(FOLDER).get("ctc_decoding").raw();
  }

  /** The names of the manifest's {@code ctc_decoding.cases}. */
  static Stream<String> cases() {
    return FixtureManifest.cases(
        FOLDER,
        m -> m.get("ctc_decoding", "cases").list().stream().map(c -> c.get("name").string()));
  }

  private static Tensor relLengths(Map<String, Object> ctc) {
    List<?> rel = (List<?>) ctc.get("relative_lengths");
    float[] out = new float[rel.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) rel.get(i)).floatValue();
    }
    return Tensors.fromFloats(out, out.length);
  }

  @ParameterizedTest
  @MethodSource("cases")
  @SuppressWarnings("unchecked")
  void greedyTokenIdsEqualSpeechBrain(String name) {
    Map<String, Object> ctc = manifest();
    Map<String, Object> c = caseNamed(ctc, name);
    Npy.Array input = FixtureManifest.of(FOLDER).npy((String) c.get("input"));
    List<List<Number>> expected =
        (List<List<Number>>) ((Map<String, Object>) c.get("greedy")).get("token_ids");
    try (PointerScope scope = new PointerScope()) {
      Tensor logProbs = Tensors.fromFloats(input.floats(), input.shape());
      List<int[]> got =
          new CtcGreedy(((Number) ctc.get("blank_index")).intValue())
              .decodeBatch(logProbs, relLengths(ctc));
      assertEquals(expected.size(), got.size());
      for (int b = 0; b < got.size(); b++) {
        int[] want = expected.get(b).stream().mapToInt(Number::intValue).toArray();
        assertArrayEquals(want, got.get(b), "utterance " + b + " of case " + name);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  @SuppressWarnings("unchecked")
  void prefixBeamSearchMatchesSpeechBrainTopK(String name) {
    Map<String, Object> ctc = manifest();
    Map<String, Object> c = caseNamed(ctc, name);
    Map<String, Object> ref = (Map<String, Object>) c.get("CTCPrefixBeamSearcher");
    Map<String, Object> args = (Map<String, Object>) ref.get("constructor_args");
    List<List<Map<String, Object>>> hyps = (List<List<Map<String, Object>>>) ref.get("hyps");
    assertNull(
        args.get("kenlm_model_path"),
        "this case decodes with a KenLM model; the test compares without one");
    // The manifest records the searcher's stored log threshold (log(1.0) = 0.0): no frame is
    // skipped.
    CtcPrefixBeamSearch.Options options =
        CtcPrefixBeamSearch.Options.defaults()
            .withBeamSize(((Number) args.get("beam_size")).intValue())
            .withTopk(((Number) args.get("topk")).intValue())
            .withPruning(
                ((Number) args.get("beam_prune_logp")).doubleValue(),
                ((Number) args.get("token_prune_min_logp")).doubleValue(),
                (Boolean) args.get("prune_history"))
            .withBlankSkipThreshold(
                Math.exp(((Number) args.get("blank_skip_threshold")).doubleValue()));
    CtcPrefixBeamSearch search =
        new CtcPrefixBeamSearch(
            (List<String>) args.get("vocab_list"),
            ((Number) args.get("blank_index")).intValue(),
            (String) args.get("space_token"),
            options,
            null,
            null);
    Npy.Array input = FixtureManifest.of(FOLDER).npy((String) c.get("input"));
    try (PointerScope scope = new PointerScope()) {
      Tensor logProbs = Tensors.fromFloats(input.floats(), input.shape());
      List<List<CtcHypothesis>> got = search.decodeBatch(logProbs, relLengths(ctc));
      assertEquals(hyps.size(), got.size());
      double maxDiff = -1;
      String where = "";
      for (int b = 0; b < got.size(); b++) {
        List<Map<String, Object>> want = hyps.get(b);
        assertEquals(
            want.get(0).get("text"), got.get(b).get(0).text(), "top hypothesis, utterance " + b);
        assertEquals(want.size(), got.get(b).size(), "number of hypotheses, utterance " + b);
        for (int k = 0; k < want.size(); k++) {
          assertEquals(
              want.get(k).get("text"),
              got.get(b).get(k).text(),
              "hypothesis " + k + ", utterance " + b);
          double diff =
              Math.abs(
                  ((Number) want.get(k).get("score")).doubleValue() - got.get(b).get(k).score());
          if (diff > maxDiff) {
            maxDiff = diff;
            where = "utterance " + b + " hypothesis " + k;
          }
        }
      }
      System.out.printf(
          "CTC prefix beam parity (%s): max |score diff| %.3e at %s (tolerance %.0e)%n",
          name,
          maxDiff,
          where + String.format(" (ours %.9f)", got.get(0).get(0).score()),
          SCORE_TOLERANCE);
      assertTrue(
          maxDiff <= SCORE_TOLERANCE,
          "max |score diff| "
              + maxDiff
              + " at "
              + where
              + " exceeds the tolerance "
              + SCORE_TOLERANCE);
    }
  }
}
