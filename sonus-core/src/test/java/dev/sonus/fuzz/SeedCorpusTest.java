package dev.sonus.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.AudioIO;
import dev.sonus.config.HyperYaml;
import dev.sonus.data.Manifest;
import dev.sonus.tensor.SafeTensors;
import dev.sonus.tensor.TorchCheckpoint;
import dev.sonus.testing.Shared;
import dev.sonus.tokenize.SentencePiece;
import dev.sonus.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed seed corpus is what {@link SeedCorpus} generates, and stays small (each seed at
 * most 8 KiB, all of them under 100 KB).
 */
class SeedCorpusTest {
  @Test
  void committedSeedsAreTheGeneratedOnes() throws IOException {
    Path root = Shared.repoRoot().resolve(SeedCorpus.INPUTS);
    for (Map.Entry<String, Map<String, byte[]>> target : SeedCorpus.seeds().entrySet()) {
      for (Map.Entry<String, byte[]> seed : target.getValue().entrySet()) {
        Path f = root.resolve(target.getKey()).resolve(seed.getKey());
        assertTrue(
            Files.exists(f), f + " is missing; regenerate the corpus as SeedCorpus's javadoc says");
        assertArrayEquals(
            seed.getValue(),
            Files.readAllBytes(f),
            f + " differs from what SeedCorpus generates; regenerate and commit the corpus");
        assertTrue(seed.getValue().length <= 8192, f + " is larger than 8 KiB");
      }
    }
    assertTrue(SeedCorpus.totalBytes() < 100_000, "seeds take " + SeedCorpus.totalBytes());
  }

  /** Every seed is a valid file of its format, so that fuzzing starts deep inside each reader. */
  @Test
  void everySeedReads(@TempDir Path tmp) throws IOException {
    for (Map.Entry<String, Map<String, byte[]>> target : SeedCorpus.seeds().entrySet()) {
      for (Map.Entry<String, byte[]> seed : target.getValue().entrySet()) {
        Path f = Files.write(tmp.resolve(seed.getKey()), seed.getValue());
        String what = target.getKey() + "/" + seed.getKey();
        try (PointerScope scope = new PointerScope()) {
          switch (target.getKey()) {
            case "audioRead" -> assertTrue(AudioIO.read(f).numFrames() > 0, what);
            case "audioInfo" -> assertTrue(AudioIO.info(f).numFrames() > 0, what);
            case "safeTensors" -> SafeTensors.read(f).values().forEach(Tensor::close);
            case "torchCheckpoint" -> assertLoads(f, what);
            case "torchPickle" ->
                assertLoads(
                    Files.write(tmp.resolve("p.ckpt"), SeedCorpus.checkpointZip(seed.getValue())),
                    what);
            case "json" -> Json.parse(new String(seed.getValue(), StandardCharsets.UTF_8));
            case "hyperYaml" -> assertFalse(HyperYaml.resolve(f, Map.of()).isEmpty(), what);
            case "manifestCsv", "manifestJson" ->
                assertTrue(Manifest.load(f, Map.of("data_root", "/d")).size() > 0, what);
            case "sentencePieceModel" -> assertTrue(SentencePiece.load(f).size() > 0, what);
            default -> throw new AssertionError("no check for " + what);
          }
        }
      }
    }
  }

  private static void assertLoads(Path checkpoint, String what) {
    Map<String, Tensor> tensors = TorchCheckpoint.load(checkpoint).tensors();
    assertFalse(tensors.isEmpty(), what);
    tensors.values().forEach(Tensor::close);
  }
}
