package dev.sonus.datasets;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tiny corpora laid out like the real ones, made in a test's temporary folder: short tones as WAV.
 */
final class TinyCorpora {
  private TinyCorpora() {}

  /** Encoded tones by rate and length: each is encoded once, then copied (an atomic write syncs to disk). */
  private static final Map<String, byte[]> TONES = new ConcurrentHashMap<>();

  /** Writes a mono 16-bit WAV tone of {@code seconds} at {@code rate} Hz. */
  static Path tone(Path file, int rate, double seconds) {
    int n = (int) Math.round(rate * seconds);
    try {
      Files.createDirectories(file.getParent());
      byte[] bytes = TONES.get(rate + "/" + n);
      if (bytes == null) {
        float[] x = new float[n];
        for (int i = 0; i < x.length; i++) {
          x[i] = (float) (0.1 * Math.sin(2 * Math.PI * 440 * i / rate));
        }
        AudioIO.writeWav(file, Audio.mono(x, rate), WavEncoding.PCM_S16);
        TONES.put(rate + "/" + n, Files.readAllBytes(file));
      } else {
        Files.write(file, bytes);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** FSDD: speakers jackson and theo, digits 0-1, takes 0-2; 0.05 s tones at 8 kHz. */
  static Path fsdd(Path root) {
    for (String spk : List.of("jackson", "theo")) {
      for (int digit = 0; digit < 2; digit++) {
        for (int take = 0; take < 3; take++) {
          tone(root.resolve(digit + "_" + spk + "_" + take + ".wav"), 8000, 0.05);
        }
      }
    }
    return root;
  }
}
