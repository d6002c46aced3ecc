package dev.sonus.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sonus.nn.Activation;
import dev.sonus.tensor.StateDict;
import dev.sonus.tensor.Tensors;
import dev.sonus.testing.Close;
import dev.sonus.testing.FixtureManifest;
import dev.sonus.testing.FixtureManifest.Node;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity with SpeechBrain v1.0.0's ECAPA_TDNN on {@code <sonus.fixtures>/speechbrain/ecapa}:
 * SpeechBrain's weights, a fixed batch of feature sequences with relative lengths, eval mode. From
 * the manifest ({@code speechbrain}): the model's arguments ({@code ecapa.constructor_args}), its
 * state-dict keys ({@code ecapa.state_dict_keys_in_order}), the parameter files (the {@code files}
 * entries with a {@code param_name}: the folder that holds every key is the model, each other
 * folder a variant that replaces some of them), and the shapes of the input and of the expected
 * embeddings ({@code ecapa/input_x.npy}, {@code ecapa/input_lengths.npy}, {@code
 * output_embeddings.npy} in the model's and in each variant's folder). Skipped without the fixtures
 * (a failure under {@code -Dsonus.requireFixtures=true}).
 */
class EcapaTdnnParityTest {
  private static final String FOLDER = "speechbrain";
  private static final String ECAPA = "ecapa";
  private static final String INPUT = ECAPA + "/input_x.npy";
  private static final String LENGTHS = ECAPA + "/input_lengths.npy";
  private static final String OUTPUT = "output_embeddings.npy";
  private static final double TOLERANCE = 1e-4;

  private static FixtureManifest manifest() {
    return FixtureManifest.of(FOLDER);
  }

  private static Activation activation(Node n) {
    return switch (n.string()) {
      case "torch.nn.ReLU" -> Activation.RELU;
      case "torch.nn.LeakyReLU" -> Activation.LEAKY_RELU;
      case "torch.nn.Tanh" -> Activation.TANH;
      case "torch.nn.GELU" -> Activation.GELU;
      case "torch.nn.Identity" -> Activation.IDENTITY;
      default -> fail(n + " is " + n.string() + ", which has no Sonus Activation");
    };
  }

  /** The model SpeechBrain built, from {@code ecapa.constructor_args}. */
  static EcapaTdnn.Options options(FixtureManifest m) {
    Node a = m.get(ECAPA, "constructor_args");
    a.opt("device").ifPresent(d -> assertEquals("cpu", d.string(), d.toString()));
    return new EcapaTdnn.Options(
        a.get("input_size").longValue(),
        a.get("lin_neurons").longValue(),
        activation(a.get("activation")),
        a.get("channels").longList(),
        a.get("kernel_sizes").longList(),
        a.get("dilations").longList(),
        a.get("attention_channels").longValue(),
        a.get("res2net_scale").longValue(),
        a.get("se_channels").longValue(),
        a.get("global_context").bool(),
        a.get("groups").longList());
  }

  private static String folderOf(String file) {
    return file.substring(0, file.lastIndexOf('/') + 1);
  }

  /**
   * Parameter files by folder, then by state-dict key, from the manifest's entries with a {@code
   * param_name}.
   */
  private static Map<String, Map<String, String>> parameterFolders(FixtureManifest m) {
    Map<String, Map<String, String>> out = new TreeMap<>();
    for (Node f : m.files()) {
      String file = f.get("file").string();
      if (f.has("param_name") && file.startsWith(ECAPA + "/")) {
        out.computeIfAbsent(folderOf(file), k -> new LinkedHashMap<>())
            .put(f.get("param_name").string(), file);
      }
    }
    return out;
  }

  /** The folder whose parameters are the whole state dict. */
  private static String modelFolder(FixtureManifest m) {
    List<String> keys = m.get(ECAPA, "state_dict_keys_in_order").strings();
    List<String> found =
        parameterFolders(m).entrySet().stream()
            .filter(e -> e.getValue().keySet().containsAll(keys))
            .map(Map.Entry::getKey)
            .toList();
    if (found.size() != 1) {
      fail(
          m
              + ": expected one folder of parameter files with all "
              + keys.size()
              + " state-dict keys, found "
              + found);
    }
    return found.get(0);
  }

  static Stream<String> variants() {
    return FixtureManifest.cases(
        FOLDER,
        m -> {
          String model = modelFolder(m);
          return parameterFolders(m).keySet().stream().filter(f -> !f.equals(model));
        });
  }

  /** The reference parameters, those of {@code variant} (if not null) replacing the model's. */
  private static Map<String, Tensor> params(FixtureManifest m, String variant) {
    Map<String, String> files = new LinkedHashMap<>(parameterFolders(m).get(modelFolder(m)));
    if (variant != null) {
      files.putAll(parameterFolders(m).get(variant));
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    files.forEach(
        (key, file) -> {
          Tensor t = m.npy(file).toTensor();
          // numpy stored the 0-d batch counters as [1]
          out.put(key, key.endsWith("num_batches_tracked") ? t.reshape() : t);
        });
    return out;
  }

  private static float[] embed(FixtureManifest m, String variant, String expectedFile) {
    EcapaTdnn model = new EcapaTdnn(options(m));
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard()) {
      StateDict.load(
          model,
          params(m, variant),
          true,
          m.dir().resolve(variant == null ? modelFolder(m) : variant).toString());
      model.eval();
      Tensor x = m.npy(INPUT).toTensor();
      Tensor lengths = m.npy(LENGTHS).toTensor();
      Tensor out = model.forward(x, lengths);
      assertArrayEquals(
          m.file(expectedFile).get("shape").longs(), Tensors.shape(out), expectedFile + " shape");
      return Tensors.toFloats(out);
    }
  }

  private static void assertEmbeddingsMatch(FixtureManifest m, String variant) {
    String expectedFile = (variant == null ? ECAPA + "/" : variant) + OUTPUT;
    float[] expected = m.npy(expectedFile).floats();
    Close.Diff d = Close.diff(expected, embed(m, variant, expectedFile));
    System.out.printf(
        "ECAPA embeddings vs SpeechBrain's %s: %s (tolerance %.0e)%n", expectedFile, d, TOLERANCE);
    assertTrue(
        d.maxAbs() < TOLERANCE,
        () -> expectedFile + ": " + d + " exceeds the tolerance " + TOLERANCE);
  }

  @Test
  void stateDictKeysAreSpeechBrains() {
    FixtureManifest m = manifest();
    List<String> expected = m.get(ECAPA, "state_dict_keys_in_order").strings();
    EcapaTdnn model = new EcapaTdnn(options(m));
    List<String> keys = new ArrayList<>(StateDict.of(model).keySet());
    assertEquals(expected, keys);
  }

  @Test
  void embeddingsEqualSpeechBrains() {
    assertEmbeddingsMatch(manifest(), null);
  }

  @ParameterizedTest
  @MethodSource("variants")
  void embeddingsWithOtherBatchNormStatisticsEqualSpeechBrains(String variant) {
    assertEmbeddingsMatch(manifest(), variant);
  }
}
