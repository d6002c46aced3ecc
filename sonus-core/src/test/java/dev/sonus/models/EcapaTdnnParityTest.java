package dev.sonus.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.nn.Activation;
import dev.sonus.tensor.Npy;
import dev.sonus.tensor.StateDict;
import dev.sonus.tensor.Tensors;
import dev.sonus.testing.Shared;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Parity with SpeechBrain v1.0.0's ECAPA_TDNN on {@code ../shared/fixtures/speechbrain/ecapa} (see that folder's
 * manifest entry "ecapa"): a small ECAPA (channels [64, 64, 64, 64, 192], 32-d embeddings) with SpeechBrain's
 * weights, a fixed batch of two feature sequences with relative lengths, eval mode. Skipped without the fixtures.
 */
class EcapaTdnnParityTest {
  static EcapaTdnn.Options small() {
    return new EcapaTdnn.Options(40, 32, Activation.RELU, List.of(64L, 64L, 64L, 64L, 192L),
        List.of(5L, 3L, 3L, 3L, 1L), List.of(1L, 2L, 3L, 4L, 1L), 128, 8, 128, true, List.of(1L, 1L, 1L, 1L, 1L));
  }

  /** The reference parameters, one .npy per state-dict key. */
  static Map<String, Tensor> params(Path dir, Path overrides) throws java.io.IOException {
    Map<String, Tensor> out = new LinkedHashMap<>();
    try (var files = Files.list(dir.resolve("params"))) {
      for (Path f : files.sorted().toList()) {
        String key = f.getFileName().toString().replaceAll("\\.npy$", "");
        Path chosen = overrides != null && Files.exists(overrides.resolve(key + ".npy"))
            ? overrides.resolve(key + ".npy") : f;
        Tensor t = Npy.read(chosen).toTensor();
        // numpy stored the 0-d batch counters as [1]
        out.put(key, key.endsWith("num_batches_tracked") ? t.reshape() : t);
      }
    }
    return out;
  }

  private static double maxDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst;
  }

  private static float[] embed(Path dir, Path statsVariant) throws java.io.IOException {
    EcapaTdnn model = new EcapaTdnn(small());
    try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
      StateDict.load(model, params(dir, statsVariant), true, dir.resolve("params").toString());
      model.eval();
      Tensor x = Npy.read(dir.resolve("input_x.npy")).toTensor();
      Tensor lengths = Npy.read(dir.resolve("input_lengths.npy")).toTensor();
      Tensor out = model.forward(x, lengths);
      assertArrayEquals(new long[] {x.size(0), 1, 32}, Tensors.shape(out));
      return Tensors.toFloats(out);
    }
  }

  @Test
  void stateDictKeysAreSpeechBrains() throws java.io.IOException {
    Path dir = Shared.require("fixtures/speechbrain/ecapa");
    String manifest = Files.readString(dir.resolve("../manifest.json"));
    @SuppressWarnings("unchecked")
    List<String> expected = (List<String>) ((Map<String, Object>) ((Map<String, Object>) dev.sonus.util.Json
        .parse(manifest)).get("ecapa")).get("state_dict_keys_in_order");
    EcapaTdnn model = new EcapaTdnn(small());
    List<String> keys = new ArrayList<>(StateDict.of(model).keySet());
    assertEquals(expected, keys);
  }

  @Test
  void embeddingsEqualSpeechBrains() throws java.io.IOException {
    Path dir = Shared.require("fixtures/speechbrain/ecapa");
    float[] expected = Npy.read(dir.resolve("output_embeddings.npy")).floats();
    double worst = maxDiff(expected, embed(dir, null));
    System.out.printf("ECAPA embeddings vs SpeechBrain: max |diff| %.3g%n", worst);
    assertTrue(worst < 1e-4, "max |diff| " + worst);
  }

  @Test
  void embeddingsWithOtherBatchNormStatisticsEqualSpeechBrains() throws java.io.IOException {
    Path dir = Shared.require("fixtures/speechbrain/ecapa");
    Path variant = dir.resolve("bnstats_variant");
    float[] expected = Npy.read(variant.resolve("output_embeddings.npy")).floats();
    double worst = maxDiff(expected, embed(dir, variant));
    System.out.printf("ECAPA embeddings (other batch-norm statistics) vs SpeechBrain: max |diff| %.3g%n", worst);
    assertTrue(worst < 1e-4, "max |diff| " + worst);
  }

  @Test
  void independentModeGivesEachUtteranceItsEmbeddingAlone() {
    org.bytedeco.pytorch.global.torch.manual_seed(3);
    EcapaTdnn model = new EcapaTdnn(small());
    model.eval();
    try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
      Tensor shortOne = org.bytedeco.pytorch.global.torch.randn(1, 41, 40);
      Tensor longOne = org.bytedeco.pytorch.global.torch.randn(1, 77, 40);
      Tensor padded = org.bytedeco.pytorch.global.torch.cat(new org.bytedeco.pytorch.TensorVector(
          org.bytedeco.pytorch.global.torch.constant_pad_nd(shortOne, new long[] {0, 0, 0, 36}), longOne), 0);
      Tensor rel = Tensors.fromFloats(new float[] {41f / 77f, 1f}, 2);
      float[] alone = Tensors.toFloats(model.forward(shortOne, Tensors.fromFloats(new float[] {1f}, 1)));
      float[] batch = Tensors.toFloats(model.forwardIndependent(padded, rel).select(0, 0));
      double worst = maxDiff(alone, batch);
      assertTrue(worst < 1e-4, "independent mode differs from the utterance alone by " + worst);
      // SpeechBrain's behaviour: the padding reaches the embedding through the convolutions.
      float[] speechBrain = Tensors.toFloats(model.forward(padded, rel).select(0, 0));
      assertTrue(maxDiff(alone, speechBrain) > 1e-3, "expected SpeechBrain's mode to depend on the padding");
    }
  }
}
