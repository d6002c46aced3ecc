package dev.sonus.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.models.ClassifierHead;
import dev.sonus.tensor.Npy;
import dev.sonus.tensor.Tensors;
import dev.sonus.testing.Shared;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SpeechBrain pretrained speaker folder ({@code ../shared/fixtures/speechbrain-model-folder}, see its
 * manifest.json) loaded through one call gives SpeechBrain's embeddings, normalised embeddings and class scores.
 */
class SpeechBrainFolderTest {
  private static final String[] CASES = {"0_jackson_0", "7_theo_12", "3_nicolas_25"};
  private static final double[] SCORES = {0.2653792202472687, 0.1855643093585968, 0.1684996783733368};

  private static double maxDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst;
  }

  @Test
  void embeddingsOfTheEightKilohertzFilesMatchSpeechBrain() {
    Path dir = Shared.require("fixtures/speechbrain-model-folder");
    SpeakerVerifier sv = SpeakerVerifier.load(dir.resolve("model"));
    assertEquals(16000, sv.sampleRate());
    double worst = 0;
    for (String c : CASES) {
      float[] expected = Npy.read(dir.resolve(c + ".embedding.npy")).floats();
      worst = Math.max(worst, maxDiff(expected, sv.embed(dir.resolve(c + ".wav"))));
    }
    System.out.printf("SpeechBrain model folder: embeddings from the 8 kHz files, max |diff| %.3g%n", worst);
    assertTrue(worst < 1e-3, "max |diff| " + worst);
  }

  @Test
  void fromSpeechBrainsResampledSamplesEmbeddingsNormalisationAndScoresMatchClosely() {
    Path dir = Shared.require("fixtures/speechbrain-model-folder");
    SpeechBrainFolder folder = SpeechBrainFolder.load(dir.resolve("model"));
    double worstEmb = 0;
    double worstNorm = 0;
    for (int i = 0; i < CASES.length; i++) {
      float[] wav = Npy.read(dir.resolve(CASES[i] + ".wav16k.npy")).floats();
      float[] emb = folder.embed(List.of(wav))[0];
      worstEmb = Math.max(worstEmb, maxDiff(Npy.read(dir.resolve(CASES[i] + ".embedding.npy")).floats(), emb));
      float[] norm = folder.embed(List.of(wav), true)[0];
      worstNorm = Math.max(worstNorm, maxDiff(
          Npy.read(dir.resolve(CASES[i] + ".embedding_normalized.npy")).floats(), norm));
      ClassifierHead classifier = folder.classifier();
      try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
        Tensor cos = classifier.forward(Tensors.fromFloats(emb, 1, 1, emb.length));
        float[] scores = Tensors.toFloats(cos);
        int best = 0;
        for (int k = 1; k < scores.length; k++) {
          best = scores[k] > scores[best] ? k : best;
        }
        assertEquals(0, best);
        assertEquals(SCORES[i], scores[best], 1e-4);
      }
    }
    assertEquals("george", folder.labels().decode(0));
    System.out.printf("SpeechBrain model folder from 16 kHz samples: embeddings %.3g, normalised %.3g%n", worstEmb,
        worstNorm);
    assertTrue(worstEmb < 1e-4, "embeddings max |diff| " + worstEmb);
    assertTrue(worstNorm < 1e-4, "normalised embeddings max |diff| " + worstNorm);
  }

  @Test
  void unsupportedClassesAreNamed(@TempDir Path tmp) throws Exception {
    Files.writeString(tmp.resolve("hyperparams.yaml"), """
        compute_features: !new:speechbrain.lobes.features.Fbank
            n_mels: 40
        embedding_model: !new:speechbrain.lobes.models.ResNet.ResNet
            input_size: 40
        """);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpeakerVerifier.load(tmp));
    assertTrue(e.getMessage().contains("speechbrain.lobes.models.ResNet.ResNet"), e.getMessage());
    assertTrue(e.getMessage().contains("speechbrain.lobes.models.Xvector.Xvector"), "lists the supported ones: "
        + e.getMessage());
  }
}
