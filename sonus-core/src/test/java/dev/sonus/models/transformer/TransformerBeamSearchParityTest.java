package dev.sonus.models.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.decode.S2SBeamSearch;
import dev.sonus.nn.Linear;
import dev.sonus.testing.FixtureManifest;
import dev.sonus.testing.FixtureManifest.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity of {@link S2SBeamSearch} with SpeechBrain v1.0.0's {@code S2STransformerBeamSearcher} on
 * the models of {@code <sonus.fixtures>/speechbrain-transformer}: every case's searches (the
 * entries of a model case that name a {@code searcher}), with that searcher's settings, over the
 * encoder states the manifest names, must return SpeechBrain's best hypotheses exactly and their
 * scores to 1e-4.
 */
class TransformerBeamSearchParityTest {
  private static final double TOLERANCE = 1e-4;

  /** "model/search" for every search of every TransformerASR case. */
  static Stream<String> searches() {
    return FixtureManifest.cases(
        TransformerAsrParityTest.FOLDER,
        m -> {
          List<String> out = new ArrayList<>();
          for (Node c : m.get("cases").list()) {
            if (!c.get("class").string().endsWith(".TransformerASR")) {
              continue;
            }
            for (String k : c.keys()) {
              if (c.get(k).raw() instanceof java.util.Map && c.get(k).has("searcher")) {
                out.add(c.get("name").string() + "/" + k);
              }
            }
          }
          return out.stream();
        });
  }

  static S2SBeamSearch.Options options(Node s) {
    assertEquals("S2STransformerBeamSearcher", s.get("class").string(), s.toString());
    return new S2SBeamSearch.Options(
        s.get("bos").intValue(),
        s.get("eos").intValue(),
        s.get("blank").intValue(),
        s.get("beam_size").intValue(),
        s.get("min_decode_ratio").doubleValue(),
        s.get("max_decode_ratio").doubleValue(),
        s.get("ctc_weight").doubleValue(),
        s.get("using_eos_threshold").bool(),
        s.opt("eos_threshold").map(Node::doubleValue).orElse(1.5),
        s.get("length_normalization").bool(),
        s.opt("topk").map(Node::intValue).orElse(1));
  }

  @ParameterizedTest
  @MethodSource("searches")
  void bestHypothesesAndScoresEqualSpeechBrains(String search) {
    FixtureManifest m = TransformerAsrParityTest.manifest();
    String name = search.substring(0, search.indexOf('/'));
    String key = search.substring(search.indexOf('/') + 1);
    Node c = TransformerAsrParityTest.caseNamed(m, name);
    Node spec = c.get(key);
    Node s = spec.get("searcher");
    double temperature = s.opt("temperature").map(Node::doubleValue).orElse(1.0);
    TransformerAsr model = TransformerAsrParityTest.loadModel(m, name);
    long vocab = model.options().tgtVocab();
    long d = model.options().dModel();
    Linear ctcLin = TransformerAsrParityTest.loadHead(m, name, "ctc_lin", d, vocab);
    Linear seqLin = TransformerAsrParityTest.loadHead(m, name, "seq_lin", d, vocab);
    S2SBeamSearch.DecoderStep step =
        (prefixes, enc, encLens) -> {
          Tensor pred = model.decode(prefixes, enc, encLens);
          Tensor logits = seqLin.forward(pred).div(new Scalar(temperature));
          return torch.log_softmax(logits, -1).select(1, pred.size(1) - 1);
        };
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard()) {
      Tensor enc = m.npy(spec.get("encoder_states").string()).toTensor();
      Tensor wavLen = m.npy(c.get("wav_len").string()).toTensor();
      Tensor ctcLogProbs = torch.log_softmax(ctcLin.forward(enc), -1);
      List<List<S2SBeamSearch.Hypothesis>> found =
          new S2SBeamSearch(options(s)).search(step, enc, wavLen, ctcLogProbs);
      List<Node> expected = spec.get("hyps").list();
      float[] expectedScores = m.npy(name + "/" + key + "_scores.npy").floats();
      assertEquals(expected.size(), found.size());
      for (int b = 0; b < expected.size(); b++) {
        S2SBeamSearch.Hypothesis best = found.get(b).get(0);
        System.out.printf(
            "%s utterance %d: %s, SpeechBrain's score %.6f%n", search, b, best, expectedScores[b]);
        assertArrayEquals(expected.get(b).longs(), best.tokens(), search + " utterance " + b);
        assertTrue(
            Math.abs(best.score() - expectedScores[b]) <= TOLERANCE,
            search + " utterance " + b + ": score " + best.score() + " vs " + expectedScores[b]);
      }
    }
  }
}
