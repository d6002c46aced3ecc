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
 * headers, any channel count) and FLAC by decoders of this project, and, read only, compressed
 * audio through FFmpeg: MP3, Ogg Vorbis, Ogg Opus, AAC (M4A/MP4 or ADTS), WebM/Matroska and
 * whatever else FFmpeg decodes (AIFF, CAF, WMA, AMR, ...). The format is recognised from the file's
 * first bytes, not its name; FFmpeg's native libraries are loaded only when the first compressed
 * file is read.
 *
 * <p>Counterpart of {@code torchaudio.load} / {@code speechbrain.dataio.dataio.read_audio}: integer
 * PCM is scaled by {@code 1 / 2^(bits-1)}, so 16-bit samples decode to exactly {@code x / 32768}.
 *
 * <p>Files are untrusted. What a file declares (channels, length, chunk sizes) is checked against
 * the file's size and against {@link ReadOptions#maxDecodedBytes()} before anything is allocated,
 * and what reference decoders reject is rejected: FLAC samples beyond the bit depth, and by default
 * float samples that are NaN or infinite. Every refusal is an {@link AudioFormatException} naming
 * the file, what was found and the fix. Compressed files are decoded as strictly (see {@code
 * FfmpegReader}): a damaged frame, a stream that ends well before the length its container declares
 * and a last frame or Ogg page cut by the end of the file are errors, with FFmpeg's own words and
 * the byte offset.
 */
public final class AudioIO {
  private AudioIO() {}

  /**
   * File extensions (lower case, no dot) of the recordings Sonus looks for when it lists a folder:
   * the lossless formats first, then what FFmpeg decodes. {@link #read} itself goes by the bytes,
   * not the name.
   */
  public static final java.util.List<String> EXTENSIONS =
      java.util.List.of("flac", "wav", "mp3", "ogg", "opus", "oga", "m4a", "aac", "webm", "mka");

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
    Detected d = detect(path);
    return switch (d.container()) {
      case WAV -> withChannel(path, ch -> Wav.read(path, ch, options));
      case FLAC -> FlacReader.read(path, options);
      case COMPRESSED -> FfmpegReader.read(path, options, null);
      case UNKNOWN -> FfmpegReader.read(path, options, d.head());
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
   * <p>For compressed files the length is the one the container declares (a stream duration, an MP3
   * Xing/Info header, an Ogg stream's last granule position, an MP4 edit list, a Matroska
   * duration), less the encoder delay it names, so it may differ from what {@link #read} decodes by
   * up to a codec frame of padding. Where the container declares none (an MP3 without a Xing
   * header, raw ADTS AAC, a WebM file from a browser), the packets are demuxed and their durations
   * summed, without decoding; where they carry none either, the stream is decoded and counted
   * without keeping the samples.
   *
   * @throws AudioFormatException as {@link #read(Path)}
   */
  public static AudioInfo info(Path path) {
    return info(path, ReadOptions.defaults());
  }

  /** Like {@link #info(Path)}, with the given options. */
  public static AudioInfo info(Path path, ReadOptions options) {
    Detected d = detect(path);
    return switch (d.container()) {
      case WAV -> withChannel(path, ch -> Wav.info(path, ch));
      case FLAC -> FlacReader.info(path, options);
      case COMPRESSED -> FfmpegReader.info(path, options, null);
      case UNKNOWN -> FfmpegReader.info(path, options, d.head());
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
    FLAC,
    /** A container FFmpeg demuxes, recognised from its first bytes. */
    COMPRESSED,
    /** Not recognised: FFmpeg probes it, and errors say that the format is unknown. */
    UNKNOWN
  }

  /** The container, and the file's first bytes in hex for messages. */
  private record Detected(Container container, String head) {}

  /** Size of an ID3v2 tag header; its body length is a syncsafe integer in bytes 6..9. */
  private static final int ID3V2_HEADER = 10;

  /** Tags skipped before giving up on finding what they precede (a file of tags is not audio). */
  private static final int MAX_ID3V2_TAGS = 64;

  /** Length of the ID3v2 tag (header, body, footer) in {@code tag[0..n)}, or -1 if it is broken. */
  private static long id3v2Length(byte[] tag, int n) {
    if (n < ID3V2_HEADER) {
      return -1;
    }
    long size = 0;
    for (int i = 6; i < 10; i++) {
      if ((tag[i] & 0x80) != 0) {
        return -1;
      }
      size = (size << 7) | tag[i];
    }
    return ID3V2_HEADER + size + ((tag[5] & 0x10) != 0 ? ID3V2_HEADER : 0);
  }

  private static Detected detect(Path path) {
    if (Files.isDirectory(path)) {
      throw new AudioFormatException(path, "is a directory, not an audio file");
    }
    byte[] head = new byte[12];
    // What follows the ID3v2 tags at the start, if any: "fLaC", "MP3" (anything else), or "BAD"
    // for a tag that is cut short, has an invalid size or ends past the end of the file.
    String[] afterTags = {""};
    int n =
        withChannel(
            path,
            ch -> {
              int got = readAt(ch, 0, head);
              long size = ch.size();
              // MP3 and (against its specification) FLAC may sit behind ID3v2 tags: skip them.
              long at = 0;
              byte[] tag = head;
              int tagBytes = got;
              for (int tags = 0;
                  tags < MAX_ID3V2_TAGS
                      && tagBytes >= 3
                      && tag[0] == 'I'
                      && tag[1] == 'D'
                      && tag[2] == '3';
                  tags++) {
                long length = id3v2Length(tag, tagBytes);
                if (length < 0 || at + length > size) {
                  afterTags[0] = "BAD";
                  return got;
                }
                at += length;
                tag = new byte[ID3V2_HEADER];
                tagBytes = readAt(ch, at, tag);
              }
              if (at > 0) {
                afterTags[0] =
                    tagBytes >= 4
                            && new String(tag, 0, 4, StandardCharsets.ISO_8859_1).equals("fLaC")
                        ? "fLaC"
                        : "MP3";
              }
              return got;
            });
    if (n == 0) {
      throw new AudioFormatException(path, "file is empty (0 bytes)");
    }
    String hex = hex(head, n);
    if (Wav.isWav(head)) {
      return new Detected(Container.WAV, hex);
    }
    String magic = new String(head, 0, Math.min(4, n), StandardCharsets.ISO_8859_1);
    if (magic.equals("RIFX") || magic.equals("RF64") || magic.equals("RIFF")) {
      // Wav reports precisely what is unsupported or wrong
      return new Detected(Container.WAV, hex);
    }
    if (magic.equals("fLaC")) {
      return new Detected(Container.FLAC, hex);
    }
    if (magic.startsWith("ID3")) {
      // A broken tag is reported, precisely, by the FLAC reader, which skips tags the same way.
      return new Detected(afterTags[0].equals("MP3") ? Container.COMPRESSED : Container.FLAC, hex);
    }
    int b0 = head[0] & 0xff;
    int b1 = n > 1 ? head[1] & 0xff : 0;
    boolean recognised =
        magic.equals("OggS")
            || (n >= 8 && new String(head, 4, 4, StandardCharsets.ISO_8859_1).equals("ftyp"))
            // MPEG audio frame sync (MP1/MP2/MP3), and ADTS AAC (sync 0xFFF, layer 0)
            || (b0 == 0xFF && (b1 & 0xE0) == 0xE0)
            // EBML: Matroska, WebM
            || (b0 == 0x1A
                && b1 == 0x45
                && n >= 4
                && (head[2] & 0xff) == 0xDF
                && (head[3] & 0xff) == 0xA3)
            || magic.equals("FORM") // AIFF, AIFF-C
            || magic.equals("caff") // Core Audio
            || magic.equals(".snd") // Sun/NeXT AU
            || magic.equals("wvpk") // WavPack
            || magic.equals("MAC ") // Monkey's Audio
            || magic.equals("#!AM") // AMR
            || (b0 == 0x30
                && b1 == 0x26
                && n >= 4
                && (head[2] & 0xff) == 0xB2
                && (head[3] & 0xff) == 0x75); // ASF: WMA
    return new Detected(recognised ? Container.COMPRESSED : Container.UNKNOWN, hex);
  }

  private static int readAt(FileChannel ch, long at, byte[] into) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(into);
    while (b.hasRemaining() && ch.read(b, at + b.position()) >= 0) {
      // keep reading: a channel may return fewer bytes than asked
    }
    return b.position();
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
