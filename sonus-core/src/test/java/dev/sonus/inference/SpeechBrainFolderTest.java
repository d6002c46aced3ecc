package dev.sonus.inference;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading SpeechBrain pretrained folders made here; SpeechBrain's own folder and what it computes
 * is {@link SpeechBrainFolderParityTest}.
 */
class SpeechBrainFolderTest {
  @Test
  void unsupportedClassesAreNamed(@TempDir Path tmp) throws Exception {
    Files.writeString(
        tmp.resolve("hyperparams.yaml"),
        """
        compute_features: !new:speechbrain.lobes.features.Fbank
            n_mels: 40
        embedding_model: !new:speechbrain.lobes.models.ResNet.ResNet
            input_size: 40
        """);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SpeakerVerifier.load(tmp));
    assertTrue(e.getMessage().contains("speechbrain.lobes.models.ResNet.ResNet"), e.getMessage());
    assertTrue(
        e.getMessage().contains("speechbrain.lobes.models.Xvector.Xvector"),
        "lists the supported ones: " + e.getMessage());
  }

  @Test
  void anArgumentTheSonusClassLacksIsNamedWithTheKnownOnes(@TempDir Path tmp) throws Exception {
    Files.writeString(
        tmp.resolve("hyperparams.yaml"),
        """
        compute_features: !new:speechbrain.lobes.features.Fbank
            n_mels: 40
            param_rand_factor: 0.1
        embedding_model: !new:speechbrain.lobes.models.Xvector.Xvector
            in_channels: 40
        """);
    dev.sonus.config.ConfigException e =
        assertThrows(dev.sonus.config.ConfigException.class, () -> SpeakerVerifier.load(tmp));
    assertTrue(
        e.getMessage().contains("param_rand_factor") && e.getMessage().contains("n_mels"),
        e.getMessage());
  }

  @Test
  void anUnknownClassInsideAnArgumentIsRefusedToo(@TempDir Path tmp) throws Exception {
    Files.writeString(
        tmp.resolve("hyperparams.yaml"),
        """
        compute_features: !new:speechbrain.lobes.features.Fbank
            n_mels: 40
        embedding_model: !new:speechbrain.lobes.models.Xvector.Xvector
            in_channels: 40
            activation: !name:os.system
        """);
    dev.sonus.config.ConfigException e =
        assertThrows(dev.sonus.config.ConfigException.class, () -> SpeakerVerifier.load(tmp));
    assertTrue(e.getMessage().contains("'os.system' has no Sonus counterpart"), e.getMessage());
  }

  @Test
  void aMissingCheckpointIsNamed(@TempDir Path tmp) throws Exception {
    Files.writeString(
        tmp.resolve("hyperparams.yaml"),
        """
        compute_features: !new:speechbrain.lobes.features.Fbank
            n_mels: 24
        embedding_model: !new:speechbrain.lobes.models.Xvector.Xvector
            in_channels: 24
            tdnn_blocks: 2
            tdnn_channels: [8, 8]
            tdnn_kernel_sizes: [3, 1]
            tdnn_dilations: [1, 1]
            lin_neurons: 4
        """);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SpeakerVerifier.load(tmp));
    assertTrue(e.getMessage().contains("embedding_model.ckpt"), e.getMessage());
  }
}
