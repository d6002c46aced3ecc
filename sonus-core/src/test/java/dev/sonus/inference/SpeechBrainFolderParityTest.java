package dev.sonus.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sonus.models.ClassifierHead;
import dev.sonus.tensor.Tensors;
import dev.sonus.testing.Close;
import dev.sonus.testing.FixtureManifest;
import dev.sonus.testing.FixtureManifest.Node;
import dev.sonus.testing.SpeechBrainYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A SpeechBrain pretrained speaker folder ({@code <sonus.fixtures>/speechbrain-model-folder})
 * loaded through one call gives SpeechBrain's embeddings, normalised embeddings and class scores.
 * From its manifest: the model folder ({@code model_folder}), the sample rate ({@code
 * sample_rate_of_wavs}) and per case ({@code cases}) the recordings, the expected embeddings and
 * their shape, and the best class with its score; the class names are those of the label encoder
 * file that the folder's {@code hyperparams.yaml} names.
 */
class SpeechBrainFolderParityTest {
  private static final String FOLDER = "speechbrain-model-folder";
  private static final Pattern LABEL_LINE = Pattern.compile("^'(.*)' => (\\d+)$");

  private static FixtureManifest manifest() {
    return FixtureManifest.of(FOLDER);
  }

  private static String modelFolder(FixtureManifest m) {
    return m.get("model_folder").string().replaceAll("/?$", "/");
  }

  /**
   * The labels by index, read from SpeechBrain's label_encoder.txt here rather than by the code
   * under test.
   */
  private static Map<Long, String> labels(FixtureManifest m) throws IOException {
    Path yaml = m.path(modelFolder(m) + "hyperparams.yaml");
    Object file =
        SpeechBrainYaml.at(
            SpeechBrainYaml.load(yaml), yaml, "pretrainer", "paths", "label_encoder");
    Map<Long, String> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(m.path(modelFolder(m) + file))) {
      if (line.startsWith("=")) {
        break;
      }
      Matcher l = LABEL_LINE.matcher(line.strip());
      if (l.matches()) {
        out.put(Long.parseLong(l.group(2)), l.group(1));
      }
    }
    return out;
  }

  private static long numel(long[] shape) {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    return n;
  }

  /** Keeps the worst difference over several comparisons and where it was. */
  private static final class Worst {
    double max = -1;
    String where = "(nothing compared)";

    void add(String what, float[] expected, float[] actual) {
      Close.Diff d = Close.diff(expected, actual);
      if (d.maxAbs() > max) {
        max = d.maxAbs();
        where = what + ", " + d;
      }
    }

    @Override
    public String toString() {
      return "worst in " + where;
    }
  }

  @Test
  void embeddingsOfTheEightKilohertzFilesMatchSpeechBrain() {
    FixtureManifest m = manifest();
    SpeakerVerifier sv = SpeakerVerifier.load(m.path(modelFolder(m)));
    assertEquals(m.get("sample_rate_of_wavs").intValue(), sv.sampleRate());
    Worst worst = new Worst();
    for (Node c : m.get("cases").list()) {
      String embedding = c.get("embedding").string();
      float[] expected = m.npy(embedding).floats();
      assertEquals(
          numel(c.get("shape").longs()),
          expected.length,
          () -> c.get("shape") + " vs " + embedding);
      worst.add(embedding, expected, sv.embed(m.path(c.get("wav8k").string())));
    }
    System.out.println(
        "SpeechBrain model folder: embeddings from the recordings, " + worst + " (tolerance 1e-3)");
    assertTrue(worst.max < 1e-3, () -> worst + " exceeds the tolerance 1e-3");
  }

  @Test
  void fromSpeechBrainsResampledSamplesEmbeddingsNormalisationAndScoresMatchClosely()
      throws IOException {
    FixtureManifest m = manifest();
    SpeechBrainFolder folder = SpeechBrainFolder.load(m.path(modelFolder(m)));
    Map<Long, String> labels = labels(m);
    Worst worstEmb = new Worst();
    Worst worstNorm = new Worst();
    for (Node c : m.get("cases").list()) {
      float[] wav = m.npy(c.get("wav16k").string()).floats();
      float[] emb = folder.embed(List.of(wav))[0];
      worstEmb.add(c.get("embedding").string(), m.npy(c.get("embedding").string()).floats(), emb);
      float[] norm = folder.embed(List.of(wav), true)[0];
      worstNorm.add(
          c.get("embedding_normalized").string(),
          m.npy(c.get("embedding_normalized").string()).floats(),
          norm);
      long index = c.get("classify_batch_index").get(0).longValue();
      double score = c.get("classify_batch_scores").get(0).doubleValue();
      ClassifierHead classifier = folder.classifier();
      try (PointerScope scope = new PointerScope();
          NoGradGuard noGrad = new NoGradGuard()) {
        Tensor cos = classifier.forward(Tensors.fromFloats(emb, 1, 1, emb.length));
        float[] scores = Tensors.toFloats(cos);
        int best = 0;
        for (int k = 1; k < scores.length; k++) {
          best = scores[k] > scores[best] ? k : best;
        }
        assertEquals(index, best, c.get("classify_batch_index") + " (best class)");
        assertEquals(
            score, scores[best], 1e-4, c.get("classify_batch_scores") + " (tolerance 1e-4)");
      }
      String label = labels.get(index);
      if (label == null) {
        fail("the label encoder file has no index " + index + ": " + labels);
      }
      assertEquals(label, folder.labels().decode((int) index), "label of class " + index);
    }
    System.out.printf(
        "SpeechBrain model folder from 16 kHz samples: embeddings %s, normalised %s (tolerance 1e-4)%n",
        worstEmb, worstNorm);
    assertTrue(worstEmb.max < 1e-4, () -> "embeddings " + worstEmb + " exceed the tolerance 1e-4");
    assertTrue(
        worstNorm.max < 1e-4,
        () -> "normalised embeddings " + worstNorm + " exceed the tolerance 1e-4");
  }
}
