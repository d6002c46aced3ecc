package dev.sonus.data;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.AudioFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dataset's audio step reads with the strict defaults: a float WAV holding NaN fails the item,
 * naming the file, instead of putting NaN into the features and the loss.
 */
class TrainingAudioIsReadStrictlyTest {
  @TempDir Path tmp;

  @Test
  void readAudioRefusesNanSamples() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(44 + 8).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + 8);
    b.put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16);
    b.putShort((short) 3).putShort((short) 1).putInt(16_000).putInt(64_000);
    b.putShort((short) 4).putShort((short) 32);
    b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(8).putFloat(0.5f).putFloat(Float.NaN);
    Path wav = Files.write(tmp.resolve("nan.wav"), b.array());

    Pipeline step = AudioPipelines.readAudio("wav", "sig", 16_000);
    AudioFormatException e =
        assertThrows(
            AudioFormatException.class,
            () -> step.step().apply(new Object[] {wav.toString()}, null));
    assertTrue(
        e.getMessage().startsWith(wav + ": ") && e.getMessage().contains("is NaN"), e.getMessage());
  }
}
