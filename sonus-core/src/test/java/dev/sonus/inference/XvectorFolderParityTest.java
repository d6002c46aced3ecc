package dev.sonus.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.models.ClassifierHead;
import dev.sonus.models.Xvector;
import dev.sonus.tensor.Npy;
import dev.sonus.tensor.Tensors;
import dev.sonus.testing.Shared;
import dev.sonus.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.junit.jupiter.api.Test;

/**
 * A SpeechBrain x-vector model folder ({@code speechbrain-xvector-folder}, the layout of {@code
 * speechbrain/spkrec-xvect-voxceleb}) loaded through the class table gives SpeechBrain's
 * embeddings, normalised embeddings and classifier outputs. Every case, file name, shape and
 * expected score comes from the fixture's manifest.json. Tolerances: 1e-4 from SpeechBrain's 16 kHz
 * samples, 1e-3 from the 8 kHz files (resampled here), 1e-4 on the classifier's log-probabilities.
 */
class XvectorFolderParityTest {

  @SuppressWarnings("unchecked")
  private static Map<String, Object> manifest(Path dir) throws IOException {
    return (Map<String, Object>) Json.parse(Files.readString(dir.resolve("manifest.json")));
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> cases(Map<String, Object> manifest) {
    return (List<Map<String, Object>>) manifest.get("cases");
  }

  private static String file(Map<String, Object> c, String key) {
    return String.valueOf(c.get(key)).split(" ")[0]; // "x.npy (how it was made)" -> "x.npy"
  }

  private static double maxDiff(float[] expected, float[] got) {
    assertEquals(expected.length, got.length, "embedding size");
    double worst = 0;
    for (int i = 0; i < got.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - got[i]));
    }
    return worst;
  }

  @Test
  void embeddingsFromTheSixteenKilohertzSamplesMatch() throws IOException {
    Path dir = Shared.require("fixtures/speechbrain-xvector-folder");
    Map<String, Object> manifest = manifest(dir);
    SpeechBrainFolder folder =
        SpeechBrainFolder.load(dir.resolve(String.valueOf(manifest.get("model_folder"))));
    assertTrue(
        folder.embeddingModel() instanceof Xvector, "the folder's embedding model is an x-vector");
    assertEquals(((Number) manifest.get("sample_rate_of_wavs")).intValue(), folder.sampleRate());
    double worstEmb = 0;
    double worstNorm = 0;
    double worstScore = 0;
    for (Map<String, Object> c : cases(manifest)) {
      float[] wav = Npy.read(dir.resolve(file(c, "wav16k"))).floats();
      Npy.Array expected = Npy.read(dir.resolve(file(c, "embedding")));
      List<?> shape = (List<?>) c.get("shape");
      assertEquals(
          ((Number) shape.get(shape.size() - 1)).longValue(),
          folder.embeddingModel().embeddingSize());
      float[] emb = folder.embed(List.of(wav))[0];
      worstEmb = Math.max(worstEmb, maxDiff(expected.floats(), emb));
      float[] norm = folder.embed(List.of(wav), true)[0];
      worstNorm =
          Math.max(
              worstNorm,
              maxDiff(Npy.read(dir.resolve(file(c, "embedding_normalized"))).floats(), norm));
      ClassifierHead head = folder.classifier();
      try (PointerScope scope = new PointerScope();
          NoGradGuard noGrad = new NoGradGuard()) {
        float[] scores = Tensors.toFloats(head.forward(Tensors.fromFloats(emb, 1, 1, emb.length)));
        int best = 0;
        for (int k = 1; k < scores.length; k++) {
          best = scores[k] > scores[best] ? k : best;
        }
        assertEquals(
            ((Number) ((List<?>) c.get("classify_batch_index")).get(0)).intValue(),
            best,
            "predicted class of " + c.get("wav8k"));
        double want = ((Number) ((List<?>) c.get("classify_batch_scores")).get(0)).doubleValue();
        worstScore = Math.max(worstScore, Math.abs(want - scores[best]));
      }
    }
    System.out.printf(
        "x-vector folder from 16 kHz samples: embeddings %.3g, normalised %.3g, scores %.3g%n",
        worstEmb, worstNorm, worstScore);
    assertTrue(worstEmb <= 1e-4, "embeddings max |diff| " + worstEmb + " > 1e-4");
    assertTrue(worstNorm <= 1e-4, "normalised embeddings max |diff| " + worstNorm + " > 1e-4");
    assertTrue(worstScore <= 1e-4, "classifier scores max |diff| " + worstScore + " > 1e-4");
  }

  @Test
  void embeddingsOfTheEightKilohertzFilesMatchThroughSpeakerVerifier() throws IOException {
    Path dir = Shared.require("fixtures/speechbrain-xvector-folder");
    Map<String, Object> manifest = manifest(dir);
    SpeakerVerifier sv =
        SpeakerVerifier.load(dir.resolve(String.valueOf(manifest.get("model_folder"))));
    double worst = 0;
    for (Map<String, Object> c : cases(manifest)) {
      float[] expected = Npy.read(dir.resolve(file(c, "embedding"))).floats();
      worst = Math.max(worst, maxDiff(expected, sv.embed(dir.resolve(file(c, "wav8k")))));
    }
    System.out.printf("x-vector folder from the 8 kHz files: embeddings max |diff| %.3g%n", worst);
    assertTrue(worst <= 1e-3, "max |diff| " + worst + " > 1e-3");
  }
}
