package dev.sonus.audio;

import dev.sonus.util.ReadLimits;
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
 *
 * <p>Files are untrusted. What a file declares (channels, length, chunk sizes) is checked against
 * the file's size and against {@link ReadOptions#maxDecodedBytes()} before anything is allocated,
 * and what reference decoders reject is rejected: FLAC samples beyond the bit depth, and by default
 * float samples that are NaN or infinite. Every refusal is an {@link AudioFormatException} naming
 * the file, what was found and the fix.
 */
public final class AudioIO {
  private AudioIO() {}

  /**
   * How {@link AudioIO#read(Path, ReadOptions)} treats a file: how much it may decode, and whether
   * non-finite samples are an error.
   *
   * <p>{@link #defaults()} gives the documented defaults, with {@code maxDecodedBytes} taken from
   * the system property {@code sonus.limits.audio.maxDecodedBytes} when set (sizes accept a binary
   * suffix: {@code 8g}); training data is always read with the defaults, so a corrupt recording
   * fails the run instead of putting NaN into its features.
   *
   * @param maxDecodedBytes the most a file may decode to, counted as 4-byte floats over all
   *     channels (channels × samples × 4). The default, 2 GiB, is 9.3 hours of 16 kHz mono, 2.3
   *     hours of 16 kHz 4-channel or 1.5 hours of 48 kHz stereo; the decoded samples live on the
   *     Java heap, so a larger limit needs a larger {@code -Xmx}
   * @param allowNonFinite whether NaN and infinite float samples (float WAV) are kept, with a
   *     warning naming the file logged, instead of being an error (default false)
   */
  public record ReadOptions(long maxDecodedBytes, boolean allowNonFinite) {
    /** Default of {@link #maxDecodedBytes()}: 2 GiB. */
    public static final long DEFAULT_MAX_DECODED_BYTES = 2L << 30;

    /** The system property that overrides {@link #DEFAULT_MAX_DECODED_BYTES}. */
    public static final String MAX_DECODED_BYTES_PROPERTY =
        ReadLimits.PROPERTY_PREFIX + "audio.maxDecodedBytes";

    /**
     * The system property that, set to {@code true}, keeps non-finite samples by default (each file
     * that has them is named in a warning): {@code
     * SONUS_JAVA_OPTS=-Dsonus.audio.allowNonFinite=true ./sonus ...}.
     */
    public static final String ALLOW_NON_FINITE_PROPERTY = "sonus.audio.allowNonFinite";

    /**
     * Checks that the limit is positive.
     *
     * @throws IllegalArgumentException naming the value
     */
    public ReadOptions {
      ReadLimits.positive(maxDecodedBytes, "maxDecodedBytes");
    }

    /**
     * The defaults: {@value #DEFAULT_MAX_DECODED_BYTES} bytes (or {@value
     * #MAX_DECODED_BYTES_PROPERTY} when set) and non-finite samples refused (kept with a warning
     * when {@value #ALLOW_NON_FINITE_PROPERTY} is {@code true}).
     *
     * @throws IllegalArgumentException naming the system property when its value is not a positive
     *     size
     */
    public static ReadOptions defaults() {
      return new ReadOptions(
          ReadLimits.longProperty(MAX_DECODED_BYTES_PROPERTY, DEFAULT_MAX_DECODED_BYTES),
          Boolean.getBoolean(ALLOW_NON_FINITE_PROPERTY));
    }

    /** The same options with another {@link #maxDecodedBytes()}. */
    public ReadOptions withMaxDecodedBytes(long bytes) {
      return new ReadOptions(bytes, allowNonFinite);
    }

    /** The same options with another {@link #allowNonFinite()}. */
    public ReadOptions withAllowNonFinite(boolean allow) {
      return new ReadOptions(maxDecodedBytes, allow);
    }

    /**
     * Checks that {@code channels × frames} samples fit {@link #maxDecodedBytes()}.
     *
     * @param what how the count was found, e.g. "the data chunk declares"
     * @throws AudioFormatException naming the file, the size and the limit
     */
    void checkDecodedSize(Path path, String what, int channels, long frames) {
      long bytes = decodedBytes(channels, frames);
      if (bytes > maxDecodedBytes) {
        throw new AudioFormatException(
            path,
            what
                + " "
                + channels
                + " channel(s) of "
                + frames
                + " samples, "
                + ReadLimits.bytes(bytes)
                + " of decoded floats: too large to decode at once under the limit maxDecodedBytes = "
                + ReadLimits.bytes(maxDecodedBytes)
                + "; split the file, or if it is genuine and the heap (-Xmx) can hold it, raise the"
                + " limit: AudioIO.read(path, AudioIO.ReadOptions.defaults().withMaxDecodedBytes("
                + bytes
                + ")) or -D"
                + MAX_DECODED_BYTES_PROPERTY
                + "="
                + bytes);
      }
    }

    static long decodedBytes(int channels, long frames) {
      return frames > Long.MAX_VALUE / 4 / Math.max(channels, 1)
          ? Long.MAX_VALUE
          : frames * channels * 4;
    }
  }

  /**
   * Decodes a whole file with {@link ReadOptions#defaults()}.
   *
   * @throws AudioFormatException naming the path if the file is missing, a directory, empty,
   *     truncated, corrupt or in an unsupported format, decodes to more than {@link
   *     ReadOptions#maxDecodedBytes()}, or holds NaN or infinite float samples
   */
  public static Audio read(Path path) {
    return read(path, ReadOptions.defaults());
  }

  /**
   * Decodes a whole file with the given options.
   *
   * @throws AudioFormatException as {@link #read(Path)}, under {@code options}
   */
  public static Audio read(Path path, ReadOptions options) {
    return switch (detect(path)) {
      case WAV -> withChannel(path, ch -> Wav.read(path, ch, options));
      case FLAC -> FlacReader.read(path, options);
    };
  }

  /**
   * Decodes a file, downmixes it to mono and resamples it to {@code sampleRate} Hz (no resampling
   * when the rates already agree).
   */
  public static Audio readMono(Path path, int sampleRate) {
    return readMono(path, sampleRate, ReadOptions.defaults());
  }

  /** Like {@link #readMono(Path, int)}, with the given options. */
  public static Audio readMono(Path path, int sampleRate, ReadOptions options) {
    Audio audio = read(path, options).toMono();
    return Resample.resample(audio, sampleRate);
  }

  /**
   * Reads rate, channels, length and encoding from the header without decoding the samples. The
   * declared sizes are checked against the file (a WAV data chunk cannot outrun the file, a FLAC
   * stream cannot hold more samples than its frames can code); the decoded-size limit is not
   * applied, since nothing is decoded, except to a FLAC stream of unknown length, which is counted
   * by decoding it without keeping the samples.
   *
   * @throws AudioFormatException as {@link #read(Path)}
   */
  public static AudioInfo info(Path path) {
    return info(path, ReadOptions.defaults());
  }

  /** Like {@link #info(Path)}, with the given options. */
  public static AudioInfo info(Path path, ReadOptions options) {
    return switch (detect(path)) {
      case WAV -> withChannel(path, ch -> Wav.info(path, ch));
      case FLAC -> FlacReader.info(path, options);
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
