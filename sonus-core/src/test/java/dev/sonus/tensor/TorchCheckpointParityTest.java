package dev.sonus.tensor;

import static dev.sonus.tensor.TorchCheckpointTest.assertProblem;
import static dev.sonus.tensor.TorchCheckpointTest.closeAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sonus.testing.FixtureManifest;
import dev.sonus.testing.FixtureManifest.Node;
import dev.sonus.testing.SpeechBrainYaml;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TorchCheckpoint} on SpeechBrain checkpoints saved by torch 1.13.1, in {@code
 * <sonus.fixtures>}:
 *
 * <ul>
 *   <li>{@code speechbrain}: the {@code .ckpt} its manifest lists under {@code ecapa/}, compared
 *       byte for byte with the numpy dumps its description names ("same tensors as
 *       ecapa/params/*.npy"), in the order of {@code ecapa.state_dict_keys_in_order}, with the
 *       listed shapes and dtypes;
 *   <li>{@code speechbrain-model-folder}: the checkpoints of its {@code model_folder}, found
 *       through the folder's {@code hyperparams.yaml} ({@code pretrainer.paths}), whose shapes
 *       follow from the sizes given there.
 * </ul>
 */
class TorchCheckpointParityTest {
  private static final Pattern SAME_TENSORS_AS =
      Pattern.compile("same tensors as (\\S+?)/?\\*\\.npy");

  @TempDir Path tmp;

  /** The one {@code .ckpt} the {@code speechbrain} manifest lists under {@code ecapa/}. */
  private static String ecapaCheckpoint(FixtureManifest m) {
    List<String> found =
        m.files().stream()
            .map(f -> f.get("file").string())
            .filter(f -> f.startsWith("ecapa/") && f.endsWith(".ckpt"))
            .toList();
    if (found.size() != 1) {
      fail(m + ": expected one .ckpt under ecapa/, found " + found);
    }
    return found.get(0);
  }

  @Test
  void ecapaSmallEqualsItsNumpyParametersExactlyInManifestOrder() throws IOException {
    FixtureManifest m = FixtureManifest.of("speechbrain");
    String ckpt = ecapaCheckpoint(m);
    Node entry = m.file(ckpt);
    Matcher same = SAME_TENSORS_AS.matcher(entry.get("description").string());
    if (!same.find()) {
      fail(entry.get("description") + " does not say which .npy files hold the same tensors");
    }
    String paramsFolder = same.group(1) + "/";
    List<String> expectedKeys = m.get("ecapa", "state_dict_keys_in_order").strings();
    Map<String, Tensor> sd = TorchCheckpoint.read(m.path(ckpt));
    try {
      assertEquals(expectedKeys, new ArrayList<>(sd.keySet()), "keys in the file's order");
      for (Map.Entry<String, Tensor> e : sd.entrySet()) {
        String key = e.getKey();
        Tensor t = e.getValue();
        String file =
            m.files().stream()
                .filter(
                    f ->
                        f.has("param_name")
                            && f.get("param_name").string().equals(key)
                            && f.get("file").string().startsWith(paramsFolder))
                .map(f -> f.get("file").string())
                .findFirst()
                .orElseGet(
                    () -> fail(m + ": no file under " + paramsFolder + " has param_name " + key));
        Npy.Array ref = m.npy(file);
        assertEquals(npyType(ref.dtype()), Tensors.dtype(t), key + " dtype");
        assertArrayEquals(ref.shape(), Tensors.shape(t), key + " shape");
        byte[] want = new byte[ref.data().remaining()];
        ref.data().duplicate().get(want);
        assertArrayEquals(want, bytesOf(t), key + " values");
        if (key.endsWith("num_batches_tracked")) {
          assertEquals(0, Tensors.shape(t).length, key + " is a 0-dim tensor");
        }
      }
    } finally {
      closeAll(sd);
    }
  }

  @Test
  void modelFolderCheckpointsLoad() throws IOException {
    FixtureManifest m = FixtureManifest.of("speechbrain-model-folder");
    String folder = m.get("model_folder").string().replaceAll("/?$", "/");
    Path yaml = m.path(folder + "hyperparams.yaml");
    Map<String, Object> hp = SpeechBrainYaml.load(yaml);
    long nMels = number(hp, yaml, "embedding_model", "input_size");
    List<Long> channels = numbers(hp, yaml, "embedding_model", "channels");
    List<Long> kernels = numbers(hp, yaml, "embedding_model", "kernel_sizes");
    long linNeurons = number(hp, yaml, "embedding_model", "lin_neurons");

    Map<String, Tensor> emb =
        TorchCheckpoint.read(checkpoint(m, folder, hp, yaml, "embedding_model"));
    try {
      assertEquals("blocks.0.conv.conv.weight", emb.keySet().iterator().next());
      assertArrayEquals(
          new long[] {channels.get(0), nMels, kernels.get(0)},
          Tensors.shape(emb.get("blocks.0.conv.conv.weight")),
          "first TDNN [channels[0], input_size, kernel]");
      // The final 1x1 convolution maps the pooled mean and std (2 x the last channels) to the
      // embedding.
      assertTrue(emb.containsKey("fc.conv.weight"), () -> "keys: " + emb.keySet());
      assertArrayEquals(
          new long[] {linNeurons, 2 * channels.get(channels.size() - 1), 1},
          Tensors.shape(emb.get("fc.conv.weight")),
          "fc [lin_neurons, 2 * channels[-1], 1]");
    } finally {
      closeAll(emb);
    }

    Path classifier = checkpoint(m, folder, hp, yaml, "classifier");
    Map<String, Tensor> cls = TorchCheckpoint.read(classifier);
    try {
      assertEquals(List.of("weight"), new ArrayList<>(cls.keySet()));
      assertArrayEquals(
          new long[] {
            number(hp, yaml, "classifier", "out_neurons"),
            number(hp, yaml, "classifier", "input_size")
          },
          Tensors.shape(cls.get("weight")),
          "classifier [out_neurons, input_size]");
      assertArrayEquals(floatsOfStorage(classifier, "0"), Tensors.toFloats(cls.get("weight")));
    } finally {
      closeAll(cls);
    }

    // InputNormalization's statistics: a plain dict {count, glob_mean: [lin_neurons], glob_std:
    // [1], spk_dict_*: {}}.
    Path mvn = checkpoint(m, folder, hp, yaml, "mean_var_norm_emb");
    Map<String, Tensor> norm = TorchCheckpoint.read(mvn);
    try {
      assertEquals(
          List.of("count", "glob_mean", "glob_std"),
          new ArrayList<>(norm.keySet()),
          "empty speaker dicts give no keys");
      assertEquals(ScalarType.Long, Tensors.dtype(norm.get("count")));
      assertEquals(0, norm.get("count").dim());
      // The number of updates is not recorded anywhere else; it is a pickled int, at least one.
      assertTrue(
          Tensors.toLongs(norm.get("count"))[0] >= 1,
          "count " + Arrays.toString(Tensors.toLongs(norm.get("count"))));
      assertArrayEquals(
          new long[] {linNeurons}, Tensors.shape(norm.get("glob_mean")), "glob_mean [lin_neurons]");
      assertArrayEquals(floatsOfStorage(mvn, "0"), Tensors.toFloats(norm.get("glob_mean")));
      assertArrayEquals(floatsOfStorage(mvn, "1"), Tensors.toFloats(norm.get("glob_std")));
      Object stdNorm = SpeechBrainYaml.at(hp, yaml, "mean_var_norm_emb", "std_norm");
      if (Boolean.FALSE.equals(stdNorm)) {
        float[] ones = new float[(int) norm.get("glob_std").numel()];
        Arrays.fill(ones, 1f);
        assertArrayEquals(
            ones, Tensors.toFloats(norm.get("glob_std")), "std_norm: False keeps glob_std at 1");
      }
    } finally {
      closeAll(norm);
    }
  }

  @Test
  void truncatedRealCheckpointIsReported() throws IOException {
    FixtureManifest m = FixtureManifest.of("speechbrain");
    byte[] all = Files.readAllBytes(m.path(ecapaCheckpoint(m)));
    Path cut = tmp.resolve("cut.ckpt");
    Files.write(cut, Arrays.copyOf(all, all.length / 2));
    assertProblem(cut, "truncated or corrupt");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Helpers

  /**
   * The checkpoint of {@code loadable} named by {@code pretrainer.paths} in the model folder's
   * hyperparams.yaml.
   */
  private static Path checkpoint(
      FixtureManifest m, String folder, Map<String, Object> hp, Path yaml, String loadable) {
    String path = String.valueOf(SpeechBrainYaml.at(hp, yaml, "pretrainer", "paths", loadable));
    return m.path(folder + path);
  }

  private static long number(Map<String, Object> hp, Path yaml, String... keys) {
    Object v = SpeechBrainYaml.at(hp, yaml, keys);
    if (!(v instanceof Number n)) {
      return fail(yaml + ": " + String.join(".", keys) + " is " + v + ", expected a number");
    }
    return n.longValue();
  }

  private static List<Long> numbers(Map<String, Object> hp, Path yaml, String... keys) {
    Object v = SpeechBrainYaml.at(hp, yaml, keys);
    if (!(v instanceof List<?> l) || l.isEmpty()) {
      return fail(
          yaml + ": " + String.join(".", keys) + " is " + v + ", expected a list of numbers");
    }
    List<Long> out = new ArrayList<>();
    for (Object o : l) {
      out.add(((Number) o).longValue());
    }
    return Collections.unmodifiableList(out);
  }

  private static ScalarType npyType(String descr) {
    return switch (descr) {
      case "<f4" -> ScalarType.Float;
      case "<f8" -> ScalarType.Double;
      case "<i8" -> ScalarType.Long;
      case "<i4" -> ScalarType.Int;
      default -> throw new AssertionError("unexpected npy dtype " + descr);
    };
  }

  private static byte[] bytesOf(Tensor t) {
    try (PointerScope scope = new PointerScope()) {
      Tensor c = t.contiguous();
      long n = c.nbytes();
      byte[] out = new byte[Math.toIntExact(n)];
      if (n > 0) {
        new BytePointer(c.data_ptr()).capacity(n).get(out);
      }
      return out;
    }
  }

  /** The little-endian floats of storage {@code key}: the archive's {@code <prefix>/data/<key>}. */
  private static float[] floatsOfStorage(Path zipFile, String key) throws IOException {
    try (ZipFile z = new ZipFile(zipFile.toFile())) {
      ZipEntry entry =
          z.stream()
              .filter(e -> e.getName().endsWith("/data/" + key))
              .findFirst()
              .orElseGet(() -> fail(zipFile + " has no storage data/" + key));
      byte[] raw = z.getInputStream(entry).readAllBytes();
      float[] out = new float[raw.length / 4];
      ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
      return out;
    }
  }
}
