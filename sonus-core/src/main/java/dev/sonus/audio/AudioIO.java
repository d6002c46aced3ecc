package dev.sonus.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads and writes audio files: WAV (PCM 8/16/24/32-bit, IEEE float 32/64, plain or extensible
 * headers, any channel count) and FLAC (read only). The format is recognised from the file's first
 * bytes, not its name.
 *
 * <p>Counterpart of {@code torchaudio.load} / {@code speechbrain.dataio.dataio.read_audio}: integer
 * PCM is scaled by {@code 1 / 2^(bits-1)}, so 16-bit samples decode to exactly {@code x / 32768}.
 */
public final class AudioIO {
  private AudioIO() {}

  /**
   * Decodes a whole file.
   *
   * @throws AudioFormatException naming the path if the file is missing, a directory, empty,
   *     truncated, corrupt or in an unsupported format
   */
  public static Audio read(Path path) {
    return switch (detect(path)) {
      case WAV -> withChannel(path, ch -> Wav.read(path, ch));
      case FLAC -> FlacReader.read(path);
    };
  }

  /**
   * Decodes a file, downmixes it to mono and resamples it to {@code sampleRate} Hz (no resampling
   * when the rates already agree).
   */
  public static Audio readMono(Path path, int sampleRate) {
    Audio audio = read(path).toMono();
    return Resample.resample(audio, sampleRate);
  }

  /**
   * Reads rate, channels, length and encoding from the header without decoding the samples.
   *
   * @throws AudioFormatException as {@link #read(Path)}
   */
  public static AudioInfo info(Path path) {
    return switch (detect(path)) {
      case WAV -> withChannel(path, ch -> Wav.info(path, ch));
      case FLAC -> FlacReader.info(path);
    };
  }

  /**
   * Writes a WAV file atomically: a reader never sees a half-written file, and on failure the
   * previous file, if any, is unchanged. Integer encodings round to the nearest step and clip at
   * full scale; a write-then-read round trip of samples that came from the same encoding is
   * lossless.
   *
   * @throws IllegalArgumentException if a sample is NaN or infinite
   */
  public static void writeWav(Path path, Audio audio, WavEncoding encoding) {
    Wav.write(path, audio, encoding);
  }

  private enum Container {
    WAV,
    FLAC
  }

  private static Container detect(Path path) {
    if (Files.isDirectory(path)) {
      throw new AudioFormatException(path, "is a directory, not an audio file");
    }
    byte[] head = new byte[12];
    int n =
        withChannel(
            path,
            ch -> {
              ByteBuffer b = ByteBuffer.wrap(head);
              while (b.hasRemaining() && ch.read(b) >= 0) {
                // keep reading: a channel may return fewer bytes than asked
              }
              return b.position();
            });
    if (n == 0) {
      throw new AudioFormatException(path, "file is empty (0 bytes)");
    }
    if (Wav.isWav(head)) {
      return Container.WAV;
    }
    String magic = new String(head, 0, Math.min(4, n), StandardCharsets.ISO_8859_1);
    if (magic.equals("fLaC") || magic.startsWith("ID3")) {
      return Container.FLAC;
    }
    if (magic.equals("RIFX") || magic.equals("RF64") || magic.equals("RIFF")) {
      return Container.WAV; // Wav reports precisely what is unsupported or wrong
    }
    throw new AudioFormatException(
        path,
        "unrecognised audio format (first bytes "
            + hex(head, n)
            + "); supported: WAV (RIFF/WAVE) and FLAC. Convert other formats with e.g. sox or ffmpeg");
  }

  @FunctionalInterface
  private interface ChannelFn<T> {
    T apply(FileChannel channel) throws IOException;
  }

  private static <T> T withChannel(Path path, ChannelFn<T> fn) {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      return fn.apply(ch);
    } catch (NoSuchFileException e) {
      throw new AudioFormatException(path, "no such file", e);
    } catch (AccessDeniedException e) {
      throw new AudioFormatException(path, "permission denied", e);
    } catch (IOException e) {
      throw new AudioFormatException(path, "cannot read: " + e.getMessage(), e);
    }
  }

  private static String hex(byte[] b, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(n, 8); i++) {
      sb.append(String.format("%02x", b[i] & 0xff));
    }
    return sb.toString();
  }
}
