package dev.sonus.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.cli.MainTest.Result;
import dev.sonus.tensor.Npy;
import dev.sonus.testing.Shared;
import dev.sonus.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sonus embed}, {@code verify} and {@code score} with SpeechBrain's pretrained speaker
 * folder ({@code <sonus.fixtures>/speechbrain-model-folder}). The model folder, the recordings, the
 * embedding size and the expected embeddings come from its manifest ({@code model_folder}, {@code
 * cases}).
 */
class SpeakerCommandsParityTest {
  private static final double TOLERANCE =
      1e-3; // SpeechBrainFolderParityTest's, for the 8 kHz recordings

  @TempDir Path dir;

  @Test
  @SuppressWarnings("unchecked")
  void embedVerifyAndScoreWithTheSpeechBrainModelFolder() throws Exception {
    Path fixtures = Shared.fixture("speechbrain-model-folder");
    Path manifestFile = Shared.fixture("speechbrain-model-folder/manifest.json");
    Map<String, Object> manifest = (Map<String, Object>) Json.parse(Files.readString(manifestFile));
    String model =
        Shared.fixture("speechbrain-model-folder/" + manifest.get("model_folder")).toString();
    List<Map<String, Object>> cases = (List<Map<String, Object>>) manifest.get("cases");
    assertTrue(cases.size() >= 2, manifestFile + ": need two cases, has " + cases.size());
    String first = (String) cases.get(0).get("wav8k");
    String second = (String) cases.get(1).get("wav8k");
    List<?> shape = (List<?>) cases.get(0).get("shape");
    long dim = ((Number) shape.get(shape.size() - 1)).longValue();

    Path emb = dir.resolve("e.npy");
    Result e =
        MainTest.run(
            "embed",
            "--model",
            model,
            Shared.fixture("speechbrain-model-folder/" + first).toString(),
            Shared.fixture("speechbrain-model-folder/" + second).toString(),
            "--out",
            emb.toString());
    assertEquals(0, e.status(), e.err());
    Npy.Array got = Npy.read(emb);
    assertArrayEquals(new long[] {2, dim}, got.shape());
    float[] rows = got.floats();
    double worst = -1;
    String where = "";
    for (int r = 0; r < 2; r++) {
      String reference = (String) cases.get(r).get("embedding");
      float[] expected = Npy.read(Shared.fixture("speechbrain-model-folder/" + reference)).floats();
      assertEquals(dim, expected.length, reference);
      for (int i = 0; i < dim; i++) {
        double d = Math.abs(expected[i] - rows[(int) (r * dim + i)]);
        if (d > worst) {
          worst = d;
          where = reference + " [" + i + "]";
        }
      }
    }
    System.out.printf(
        "sonus embed vs SpeechBrain: max |diff| %.3g at %s (tolerance %.0e)%n",
        worst, where, TOLERANCE);
    assertTrue(
        worst < TOLERANCE,
        "max |diff| " + worst + " at " + where + " exceeds the tolerance " + TOLERANCE);

    Result v =
        MainTest.run(
            "verify",
            "--model",
            model,
            Shared.fixture("speechbrain-model-folder/" + first).toString(),
            Shared.fixture("speechbrain-model-folder/" + second).toString());
    assertEquals(0, v.status(), v.err());
    assertTrue(v.out().matches("(?s)-?\\d\\.\\d{4}\t(same|different)\\R"), v.out());

    // One trial of a recording with itself, then each recording against the next.
    StringBuilder trials = new StringBuilder("1 " + first + " " + first + "\n");
    for (int i = 0; i + 1 < cases.size(); i++) {
      trials
          .append("0 ")
          .append(cases.get(i).get("wav8k"))
          .append(' ')
          .append(cases.get(i + 1).get("wav8k"))
          .append('\n');
    }
    Path trialList = dir.resolve("trials.txt");
    Files.writeString(trialList, trials);
    Result s =
        MainTest.run(
            "score",
            "--model",
            model,
            "--trials",
            trialList.toString(),
            "--audio-root",
            fixtures.toString());
    assertEquals(0, s.status(), s.err());
    String counts = cases.size() + " trials (1 target, " + (cases.size() - 1) + " non-target)";
    assertTrue(s.out().contains(counts) && s.out().contains("EER"), s.out());
    assertTrue(
        Files.readString(dir.resolve("scores.txt"))
            .startsWith(first + " " + first + " 1.000000 1"));
  }
}
