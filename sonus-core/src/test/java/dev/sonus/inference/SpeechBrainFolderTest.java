package dev.sonus.inference;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading SpeechBrain pretrained folders made here; SpeechBrain's own folder and what it computes is
 * {@link SpeechBrainFolderParityTest}.
 */
class SpeechBrainFolderTest {
  @Test
  void unsupportedClassesAreNamed(@TempDir Path tmp) throws Exception {
    Files.writeString(tmp.resolve("hyperparams.yaml"), """
        compute_features: !new:speechbrain.lobes.features.Fbank
            n_mels: 40
        embedding_model: !new:speechbrain.lobes.models.Xvector.Xvector
            in_channels: 40
        """);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpeakerVerifier.load(tmp));
    assertTrue(e.getMessage().contains("speechbrain.lobes.models.Xvector.Xvector"), e.getMessage());
  }
}
