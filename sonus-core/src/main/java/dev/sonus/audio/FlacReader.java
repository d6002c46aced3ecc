package dev.sonus.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Decodes FLAC files into {@link Audio}, in pure Java, following the FLAC format specification (RFC
 * 9639).
 *
 * <p>Supported: an optional ID3v2 tag before the {@code fLaC} marker, any metadata blocks after
 * STREAMINFO (skipped), fixed and variable blocking strategies, CONSTANT, VERBATIM, FIXED (orders
 * 0-4) and LPC (orders 1-32) subframes, Rice residuals with 4- and 5-bit parameters including
 * escaped (raw) partitions, wasted bits, 1-8 independent channels and left/side, right/side and
 * mid/side stereo, and 4 to 32 bits per sample. Ogg-wrapped FLAC is not supported.
 *
 * <p>Samples are scaled by {@code 1 / 2^(bits-1)}, the convention of soundfile and torchaudio, so
 * 16-bit input decodes to exactly {@code x / 32768f}.
 *
 * <p>Every frame's header CRC-8 and footer CRC-16 are checked and, when STREAMINFO carries one, the
 * MD5 of the whole decoded signal. Any defect (truncation, corruption, reserved values, samples
 * beyond the bit depth's range, which libFLAC rejects too) raises {@link AudioFormatException}; a
 * damaged file never yields a silently shortened signal.
 *
 * <p>What STREAMINFO declares is checked before anything is allocated: the length against what the
 * file's frames could code (a frame takes at least {@value #MIN_FRAME_BYTES} bytes for at most
 * 65536 samples per channel) and the decoded size against {@link
 * AudioIO.ReadOptions#maxDecodedBytes()}. The output is allocated once, at its exact size: when the
 * declared length is plausible for the file's size (at most {@value #PLAUSIBLE_SAMPLES_PER_BYTE}
 * samples per byte, all channels), from STREAMINFO; otherwise, or when the length is unknown, the
 * stream is first decoded without keeping the samples, to count them (and to hit the limit early).
 */
final class FlacReader {

  private static final String ENCODING = "FLAC";
  private static final int STREAMINFO_TYPE = 0;
  private static final int STREAMINFO_LENGTH = 34;

  /**
   * Bytes from the marker to the end of STREAMINFO: "fLaC", a 4-byte block header and the 34-byte
   * block.
   */
  private static final int MARKER_AND_STREAMINFO = 4 + 4 + STREAMINFO_LENGTH;

  private static final int ID3V2_HEADER = 10;
  private static final int ID3V1_LENGTH = 128;
  private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

  /**
   * No frame is shorter: a 6-byte header (sync, codes, coded number, CRC-8), at least 12 bits of
   * subframe per channel (rounded up to 2 bytes) and the CRC-16.
   */
  private static final int MIN_FRAME_BYTES = 10;

  /** The most samples per channel one frame can hold. */
  private static final int MAX_BLOCK_SIZE = 65536;

  /**
   * A declared length above this many samples (all channels) per byte of file is decoded once to
   * count before the output is allocated: real audio compresses to about 1 sample per byte, and
   * only long silence goes far beyond 16.
   */
  private static final int PLAUSIBLE_SAMPLES_PER_BYTE = 16;

  /**
   * Sample rates of frame-header codes 1-11; code 0 defers to STREAMINFO and 12-14 are followed by
   * the rate.
   */
  private static final int[] SAMPLE_RATE_CODES = {
    0, 88_200, 176_400, 192_000, 8_000, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000, 96_000
  };

  /**
   * Bits per sample of frame-header codes; 0 defers to STREAMINFO and -1 marks the reserved code 3.
   */
  private static final int[] BITS_PER_SAMPLE_CODES = {0, 8, 12, -1, 16, 20, 24, 32};

  private static final int[] CRC8_TABLE = crcTable(0x07, 8);
  private static final int[] CRC16_TABLE = crcTable(0x8005, 16);

  private FlacReader() {}

  /**
   * Decodes the whole FLAC file at {@code path}.
   *
   * @throws AudioFormatException if the file is missing, unreadable, not FLAC, truncated or
   *     corrupt; the message names the path and, for damaged audio, the frame and byte offset
   */
  static Audio read(Path path) {
    return read(path, AudioIO.ReadOptions.defaults());
  }

  /** Like {@link #read(Path)}, under {@code options}. */
  static Audio read(Path path, AudioIO.ReadOptions options) {
    return new Decoder(path, readFile(path, options), options).decode();
  }

  /**
   * Reads sample rate, channel count, length, bit depth and encoding ({@code "FLAC"}) from
   * STREAMINFO without decoding audio.
   *
   * <p>STREAMINFO may state a length of 0, meaning "unknown" (streamed encoders write that); then
   * the file is decoded once to count its samples, which costs as much as {@link #read}.
   *
   * @throws AudioFormatException if the file is missing, unreadable, not FLAC or its header is
   *     truncated or invalid
   */
  static AudioInfo info(Path path) {
    return info(path, AudioIO.ReadOptions.defaults());
  }

  /** Like {@link #info(Path)}; {@code options} bound the count of a stream of unknown length. */
  static AudioInfo info(Path path, AudioIO.ReadOptions options) {
    StreamInfo streamInfo = readStreamInfoOnly(path);
    long frames = streamInfo.totalSamples();
    if (frames == 0) {
      frames = new Decoder(path, readFile(path, options), options).count();
    }
    return new AudioInfo(
        streamInfo.sampleRate(),
        streamInfo.channels(),
        frames,
        streamInfo.bitsPerSample(),
        ENCODING);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // File access and header parsing

  /**
   * Stream parameters from the STREAMINFO block; {@code end} is the array index just after the
   * block.
   */
  private record StreamInfo(
      int maxBlockSize,
      int sampleRate,
      int channels,
      int bitsPerSample,
      long totalSamples,
      byte[] md5,
      boolean lastMetadataBlock,
      int end) {

    boolean hasMd5() {
      for (byte b : md5) {
        if (b != 0) {
          return true;
        }
      }
      return false;
    }
  }

  private static byte[] readFile(Path path, AudioIO.ReadOptions options) {
    try {
      rejectDirectory(path);
      long size = Files.size(path);
      if (size > options.maxDecodedBytes()) {
        // FLAC is never much larger than its samples as 4-byte floats (32-bit verbatim frames
        // are), and the file is held in memory while decoding.
        throw new AudioFormatException(
            path,
            String.format(
                "file is %d bytes, more than the limit maxDecodedBytes = %d that bounds its"
                    + " decoded samples, and a FLAC file is no larger than those; too large to"
                    + " decode at once: split the file, or if it is genuine raise the limit with"
                    + " AudioIO.ReadOptions.defaults().withMaxDecodedBytes(%d) or -D%s=%d",
                size,
                options.maxDecodedBytes(),
                2 * size,
                AudioIO.ReadOptions.MAX_DECODED_BYTES_PROPERTY,
                2 * size));
      }
      if (size > MAX_ARRAY_LENGTH) {
        throw new AudioFormatException(
            path,
            String.format(
                "file is %d bytes; this reader holds the file in memory and supports at most %d bytes; split the audio "
                    + "into shorter files",
                size, MAX_ARRAY_LENGTH));
      }
      return Files.readAllBytes(path);
    } catch (IOException e) {
      throw readFailure(path, e);
    }
  }

  /**
   * Reads just the ID3v2 tag headers (if any), the marker and STREAMINFO, seeking over everything
   * else.
   */
  private static StreamInfo readStreamInfoOnly(Path path) {
    try {
      rejectDirectory(path);
      try (SeekableByteChannel channel = Files.newByteChannel(path)) {
        long size = channel.size();
        if (size == 0) {
          throw emptyFile(path);
        }
        long offset = 0;
        while (true) {
          byte[] tagHeader = readAt(channel, offset, (int) Math.min(ID3V2_HEADER, size - offset));
          int tagLength = id3v2Length(path, tagHeader, 0, tagHeader.length, offset);
          if (tagLength == 0) {
            break;
          }
          offset += tagLength;
          if (offset > size) {
            throw id3PastEnd(path, offset - tagLength, tagLength, size);
          }
        }
        byte[] header =
            readAt(channel, offset, (int) Math.min(MARKER_AND_STREAMINFO, size - offset));
        StreamInfo info = parseStreamInfo(path, header, 0, header.length, offset);
        checkLengthFits(path, info, size - offset - MARKER_AND_STREAMINFO);
        return info;
      }
    } catch (IOException e) {
      throw readFailure(path, e);
    }
  }

  private static byte[] readAt(SeekableByteChannel channel, long offset, int length)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    channel.position(offset);
    while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
      // read() may return fewer bytes than asked; loop until full or end of file.
    }
    return Arrays.copyOf(buffer.array(), buffer.position());
  }

  private static void rejectDirectory(Path path) {
    if (Files.isDirectory(path)) {
      throw new AudioFormatException(
          path, "is a directory, not a FLAC file; pass the path of a .flac file");
    }
  }

  private static AudioFormatException readFailure(Path path, IOException e) {
    if (e instanceof NoSuchFileException) {
      return new AudioFormatException(path, "no such file; check the path", e);
    }
    if (e instanceof AccessDeniedException) {
      return new AudioFormatException(
          path, "permission denied; the file cannot be read by this process", e);
    }
    return new AudioFormatException(path, "cannot read the file (" + e + ")", e);
  }

  private static AudioFormatException emptyFile(Path path) {
    return new AudioFormatException(
        path, "file is empty (0 bytes); expected a FLAC stream starting with 'fLaC'");
  }

  private static AudioFormatException id3PastEnd(
      Path path, long tagStart, long tagLength, long fileSize) {
    return new AudioFormatException(
        path,
        String.format(
            "ID3v2 tag at byte %d claims %d bytes but the file has only %d; the file is truncated",
            tagStart, tagLength, fileSize));
  }

  /**
   * Returns the total length of an ID3v2 tag starting at {@code data[start]}, or 0 if there is
   * none.
   *
   * <p>Tagging tools put ID3v2 in front of FLAC even though the format does not allow it; decoders
   * skip it.
   */
  private static int id3v2Length(Path path, byte[] data, int start, int limit, long fileOffset) {
    if (limit - start < 3
        || data[start] != 'I'
        || data[start + 1] != 'D'
        || data[start + 2] != '3') {
      return 0;
    }
    if (limit - start < ID3V2_HEADER) {
      throw new AudioFormatException(
          path,
          String.format(
              "file ends inside the ID3v2 tag header at byte %d; the file is truncated",
              fileOffset + start));
    }
    int size = 0;
    for (int i = 6; i < 10; i++) {
      int b = data[start + i] & 0xFF;
      if (b > 0x7F) {
        throw new AudioFormatException(
            path,
            String.format(
                "ID3v2 tag at byte %d has an invalid size byte 0x%02x (sizes are 7 bits per byte); the tag is corrupt",
                fileOffset + start, b));
      }
      size = (size << 7) | b;
    }
    boolean hasFooter = (data[start + 5] & 0x10) != 0;
    return ID3V2_HEADER + size + (hasFooter ? ID3V2_HEADER : 0);
  }

  /**
   * Parses the {@code fLaC} marker and the STREAMINFO block at {@code data[start]}. {@code
   * fileOffset} is the file position of {@code data[0]}, used only to report byte offsets.
   */
  private static StreamInfo parseStreamInfo(
      Path path, byte[] data, int start, int limit, long fileOffset) {
    int available = limit - start;
    if (available == 0) {
      throw new AudioFormatException(
          path,
          String.format(
              "file ends at byte %d, where the 'fLaC' marker should start; the file is truncated",
              fileOffset + limit));
    }
    if (available < 4) {
      if (startsWith(data, start, limit, "fLaC".substring(0, available))) {
        throw new AudioFormatException(
            path,
            String.format(
                "file ends after %d bytes, inside the 'fLaC' marker; the file is truncated",
                fileOffset + limit));
      }
      throw notFlac(path, data, start, limit, fileOffset);
    }
    if (!startsWith(data, start, limit, "fLaC")) {
      throw notFlac(path, data, start, limit, fileOffset);
    }
    if (available < 8) {
      throw new AudioFormatException(
          path,
          String.format(
              "file ends at byte %d, right after the 'fLaC' marker and before the STREAMINFO block; the file is truncated",
              fileOffset + limit));
    }
    int blockHeader = data[start + 4] & 0xFF;
    int type = blockHeader & 0x7F;
    long blockAt = fileOffset + start + 4;
    if (type != STREAMINFO_TYPE) {
      throw new AudioFormatException(
          path,
          String.format(
              "first metadata block (at byte %d) has type %d, not STREAMINFO (type 0); FLAC requires STREAMINFO first, "
                  + "so the file is corrupt or not FLAC",
              blockAt, type));
    }
    int length = readUint24(data, start + 5);
    if (length != STREAMINFO_LENGTH) {
      throw new AudioFormatException(
          path,
          String.format(
              "STREAMINFO block at byte %d is %d bytes long; the format fixes it at %d bytes, so the file is corrupt",
              blockAt, length, STREAMINFO_LENGTH));
    }
    if (available < MARKER_AND_STREAMINFO) {
      throw new AudioFormatException(
          path,
          String.format(
              "file ends at byte %d, inside the STREAMINFO block (which ends at byte %d); the file is truncated",
              fileOffset + limit, fileOffset + start + MARKER_AND_STREAMINFO));
    }
    BitReader bits = new BitReader(data, start + 8, start + MARKER_AND_STREAMINFO);
    bits.readBits(16); // minimum block size: not needed to decode
    int maxBlockSize = bits.readBits(16);
    bits.readBits(24); // minimum frame size
    bits.readBits(24); // maximum frame size
    int sampleRate = bits.readBits(20);
    int channels = bits.readBits(3) + 1;
    int bitsPerSample = bits.readBits(5) + 1;
    long totalSamples = bits.readBitsLong(36);
    byte[] md5 =
        Arrays.copyOfRange(data, start + MARKER_AND_STREAMINFO - 16, start + MARKER_AND_STREAMINFO);
    if (sampleRate == 0) {
      throw new AudioFormatException(
          path,
          "STREAMINFO states a sample rate of 0 Hz; such streams carry no playable audio, so there is nothing to "
              + "decode");
    }
    if (bitsPerSample < 4) {
      throw new AudioFormatException(
          path,
          String.format(
              "STREAMINFO states %d bits per sample; FLAC allows 4 to 32, so the file is corrupt",
              bitsPerSample));
    }
    if (totalSamples > MAX_ARRAY_LENGTH) {
      throw new AudioFormatException(
          path,
          String.format(
              "STREAMINFO states %d samples per channel; at most %d fit in one Java array, so split the audio into "
                  + "shorter files",
              totalSamples, MAX_ARRAY_LENGTH));
    }
    return new StreamInfo(
        maxBlockSize,
        sampleRate,
        channels,
        bitsPerSample,
        totalSamples,
        md5,
        (blockHeader & 0x80) != 0,
        start + MARKER_AND_STREAMINFO);
  }

  /**
   * Checks that STREAMINFO's length could be coded in {@code frameBytes} bytes of frames: each
   * frame takes at least {@link #MIN_FRAME_BYTES} bytes for at most {@link #MAX_BLOCK_SIZE} samples
   * per channel.
   */
  private static void checkLengthFits(Path path, StreamInfo info, long frameBytes) {
    long maxFrames = Math.max(0, frameBytes) / MIN_FRAME_BYTES;
    long most = maxFrames * MAX_BLOCK_SIZE;
    if (info.totalSamples() > most) {
      throw new AudioFormatException(
          path,
          String.format(
              "STREAMINFO declares %d samples per channel, but %d bytes of frames hold at most %d"
                  + " (a frame takes at least %d bytes for at most %d samples); the file is"
                  + " truncated or its header is corrupt",
              info.totalSamples(), frameBytes, most, MIN_FRAME_BYTES, MAX_BLOCK_SIZE));
    }
  }

  private static AudioFormatException notFlac(
      Path path, byte[] data, int start, int limit, long fileOffset) {
    String kind;
    if (startsWith(data, start, limit, "RIFF")) {
      kind = "it looks like a WAV (RIFF) file";
    } else if (startsWith(data, start, limit, "OggS")) {
      kind =
          "it is an Ogg container; Ogg FLAC, Vorbis and Opus are not supported, convert to native FLAC";
    } else if (startsWith(data, start, limit, "FORM")) {
      kind = "it looks like an AIFF file";
    } else {
      kind = "it is not a FLAC file";
    }
    byte[] found = Arrays.copyOfRange(data, start, Math.min(limit, start + 4));
    return new AudioFormatException(
        path,
        String.format(
            "expected the FLAC marker 'fLaC' at byte %d but found %s; %s",
            fileOffset + start, describeBytes(found), kind));
  }

  private static String describeBytes(byte[] bytes) {
    StringBuilder sb = new StringBuilder("bytes [");
    for (int i = 0; i < bytes.length; i++) {
      sb.append(i == 0 ? "" : " ").append(String.format("%02x", bytes[i] & 0xFF));
    }
    return sb.append(']').toString();
  }

  private static boolean startsWith(byte[] data, int start, int limit, String ascii) {
    if (limit - start < ascii.length()) {
      return false;
    }
    for (int i = 0; i < ascii.length(); i++) {
      if (data[start + i] != ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int readUint24(byte[] data, int at) {
    return (data[at] & 0xFF) << 16 | (data[at + 1] & 0xFF) << 8 | (data[at + 2] & 0xFF);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Audio decoding

  /** Decodes one file held in memory; single use. */
  private static final class Decoder {
    private final Path path;
    private final byte[] data;
    private final AudioIO.ReadOptions options;
    private StreamInfo info;
    private BitReader in;
    private int framesStart;

    /**
     * Integer samples of the current frame, per channel; long because 32-bit side channels need 33
     * bits.
     */
    private long[][] block;

    private final long[] coefficients = new long[32];

    /** The output, exactly as long as the stream; null while only counting. */
    private float[][] output;

    private int decoded;
    private MessageDigest md5;
    private byte[] md5Buffer = new byte[0];

    Decoder(Path path, byte[] data, AudioIO.ReadOptions options) {
      this.path = path;
      this.data = data;
      this.options = options;
    }

    /** Parses the headers up to the first frame and checks what STREAMINFO declares. */
    private void start() {
      if (data.length == 0) {
        throw emptyFile(path);
      }
      int start = 0;
      for (int tag; (tag = id3v2Length(path, data, start, data.length, 0)) > 0; ) {
        if ((long) start + tag > data.length) {
          throw id3PastEnd(path, start, tag, data.length);
        }
        start += tag;
      }
      info = parseStreamInfo(path, data, start, data.length, 0);
      framesStart = skipMetadata(info.end(), info.lastMetadataBlock());
      checkLengthFits(path, info, data.length - framesStart);
      block = new long[info.channels()][Math.max(info.maxBlockSize(), 16)];
    }

    /** Counts the samples per channel by decoding every frame without keeping the samples. */
    long count() {
      start();
      return run(false);
    }

    Audio decode() {
      start();
      int channels = info.channels();
      long total = info.totalSamples();
      long length;
      if (total > 0) {
        options.checkDecodedSize(path, "STREAMINFO declares", channels, total);
        boolean plausible =
            total * channels <= (long) PLAUSIBLE_SAMPLES_PER_BYTE * data.length + (1 << 20);
        // An implausible length is confirmed by decoding before it is allocated: a few bytes of
        // header must not make the reader allocate gigabytes for a stream that is not there.
        length = plausible ? total : run(false);
      } else {
        length = run(false);
      }
      output = new float[channels][(int) length];
      run(true);

      if (md5 != null) {
        byte[] computed = md5.digest();
        if (!Arrays.equals(computed, info.md5())) {
          HexFormat hex = HexFormat.of();
          throw new AudioFormatException(
              path,
              String.format(
                  "MD5 of the decoded audio (%s) differs from the MD5 stored in STREAMINFO (%s); every frame passed its "
                      + "CRC check, so the file was altered or damaged consistently; the file is corrupt",
                  hex.formatHex(computed), hex.formatHex(info.md5())));
        }
      }
      return new Audio(output, info.sampleRate());
    }

    /**
     * Decodes every frame from the first; keeps the samples (and checks the MD5) when {@code keep}
     * is set, else only counts them against the limit. Returns the samples per channel.
     */
    private long run(boolean keep) {
      decoded = 0;
      md5 = null;
      if (keep && info.hasMd5()) {
        try {
          md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
          throw new IllegalStateException(
              "the JDK has no MD5 implementation, which every Java platform must have", e);
        }
      }
      long total = info.totalSamples();
      in = new BitReader(data, framesStart, data.length);
      int frameIndex = 0;
      while (true) {
        int frameStart = in.bytePosition();
        if (total > 0) {
          if (decoded >= total) {
            break; // trailing bytes (e.g. an ID3v1 tag) after the last sample are ignored
          }
          if (frameStart >= data.length) {
            throw new AudioFormatException(
                path,
                String.format(
                    "file ends after %d frames (%d bytes) with %d of the %d samples per channel that STREAMINFO states; "
                        + "the file is truncated",
                    frameIndex, data.length, decoded, total));
          }
        } else if (frameStart >= data.length || isId3v1Trailer(frameStart)) {
          break;
        }
        decodeFrameReportingErrors(frameIndex, frameStart);
        frameIndex++;
      }
      return decoded;
    }

    /** Skips the metadata blocks after STREAMINFO and returns the index of the first frame. */
    private int skipMetadata(int at, boolean last) {
      while (!last) {
        if (data.length - at < 4) {
          throw new AudioFormatException(
              path,
              String.format(
                  "file ends at byte %d, inside a metadata block header; the file is truncated",
                  data.length));
        }
        int header = data[at] & 0xFF;
        int type = header & 0x7F;
        if (type == 127) {
          throw new AudioFormatException(
              path,
              String.format(
                  "metadata block at byte %d has the invalid type 127; the file is corrupt", at));
        }
        long end = (long) at + 4 + readUint24(data, at + 1);
        if (end > data.length) {
          throw new AudioFormatException(
              path,
              String.format(
                  "metadata block of type %d at byte %d ends at byte %d but the file has only %d bytes; the file is "
                      + "truncated",
                  type, at, end, data.length));
        }
        last = (header & 0x80) != 0;
        at = (int) end;
      }
      return at;
    }

    private boolean isId3v1Trailer(int at) {
      return data.length - at == ID3V1_LENGTH && startsWith(data, at, data.length, "TAG");
    }

    private void decodeFrameReportingErrors(int frameIndex, int frameStart) {
      try {
        decodeFrame();
      } catch (FlacException e) {
        if (e.truncated) {
          throw new AudioFormatException(
              path,
              String.format(
                  "frame %d at byte %d: file ends in the middle of the frame (file size %d bytes); the file is truncated",
                  frameIndex, frameStart, data.length));
        }
        throw new AudioFormatException(
            path, String.format("frame %d at byte %d: %s", frameIndex, frameStart, e.getMessage()));
      } catch (AudioFormatException e) {
        throw e;
      } catch (RuntimeException e) {
        // Defensive: any other failure on hostile input still has to name the file and frame.
        throw new AudioFormatException(
            path,
            String.format(
                "frame %d at byte %d: cannot decode (%s); the file is corrupt",
                frameIndex, frameStart, e),
            e);
      }
    }

    private void decodeFrame() {
      final BitReader in = this.in;
      final int frameStart = in.bytePosition();

      // Raw header fields first: the CRC-8 must be checked before a corrupt header is interpreted.
      int syncAndFlags = in.readBits(16);
      if (syncAndFlags >>> 2 != 0x3FFE) {
        throw new FlacException(
            String.format(
                "expected a frame sync code (bytes ff f8 or ff f9) but found %02x %02x; the file is corrupt",
                syncAndFlags >>> 8, syncAndFlags & 0xFF));
      }
      int blockSizeCode = in.readBits(4);
      int sampleRateCode = in.readBits(4);
      int channelCode = in.readBits(4);
      int bitsCode = in.readBits(3);
      int reservedBit = in.readBits(1);
      readCodedNumber(in);
      int blockSize;
      if (blockSizeCode == 6) {
        blockSize = in.readBits(8) + 1;
      } else if (blockSizeCode == 7) {
        blockSize = in.readBits(16) + 1;
      } else {
        blockSize = blockSizeFromCode(blockSizeCode);
      }
      int sampleRate;
      if (sampleRateCode == 12) {
        sampleRate = in.readBits(8) * 1000;
      } else if (sampleRateCode == 13) {
        sampleRate = in.readBits(16);
      } else if (sampleRateCode == 14) {
        sampleRate = in.readBits(16) * 10;
      } else if (sampleRateCode == 0 || sampleRateCode == 15) {
        sampleRate = info.sampleRate();
      } else {
        sampleRate = SAMPLE_RATE_CODES[sampleRateCode];
      }
      int headerEnd = in.bytePosition();
      int storedCrc8 = in.readBits(8);
      int computedCrc8 = crc(CRC8_TABLE, 8, data, frameStart, headerEnd);
      if (computedCrc8 != storedCrc8) {
        throw new FlacException(
            String.format(
                "header CRC-8 mismatch (computed 0x%02x, stored 0x%02x); the file is corrupt",
                computedCrc8, storedCrc8));
      }

      if ((syncAndFlags & 2) != 0 || reservedBit != 0) {
        throw reserved("a reserved header bit is 1");
      }
      if (blockSizeCode == 0) {
        throw reserved("block size code 0 is reserved");
      }
      if (sampleRateCode == 15) {
        throw reserved("sample rate code 15 is invalid");
      }
      if (channelCode > 10) {
        throw reserved("channel assignment " + channelCode + " is reserved");
      }
      int bitsPerSample = bitsCode == 0 ? info.bitsPerSample() : BITS_PER_SAMPLE_CODES[bitsCode];
      if (bitsPerSample < 0) {
        throw reserved("bits-per-sample code 3 is reserved");
      }
      int channels = channelCode < 8 ? channelCode + 1 : 2;
      if (channels != info.channels()) {
        throw new FlacException(
            String.format(
                "frame has %d channel(s) but STREAMINFO states %d; streams that change channel count are not "
                    + "supported, and this one is probably corrupt",
                channels, info.channels()));
      }
      if (bitsPerSample != info.bitsPerSample()) {
        throw new FlacException(
            String.format(
                "frame has %d bits per sample but STREAMINFO states %d; streams that change bit depth are not "
                    + "supported, and this one is probably corrupt",
                bitsPerSample, info.bitsPerSample()));
      }
      if (sampleRate != info.sampleRate()) {
        throw new FlacException(
            String.format(
                "frame has a sample rate of %d Hz but STREAMINFO states %d Hz; streams that change sample rate are not "
                    + "supported, and this one is probably corrupt",
                sampleRate, info.sampleRate()));
      }
      long total = info.totalSamples();
      if (total > 0 && decoded + (long) blockSize > total) {
        throw new FlacException(
            String.format(
                "frame holds samples %d to %d but STREAMINFO states only %d samples per channel; the file is corrupt",
                decoded, decoded + (long) blockSize - 1, total));
      }
      if (block[0].length < blockSize) {
        block = new long[channels][blockSize];
      }

      for (int c = 0; c < channels; c++) {
        boolean side =
            (channelCode == 8 && c == 1)
                || (channelCode == 9 && c == 0)
                || (channelCode == 10 && c == 1);
        // The difference of two n-bit channels needs n + 1 bits.
        decodeSubframe(block[c], blockSize, bitsPerSample + (side ? 1 : 0), c);
      }
      in.alignToByte();
      int frameEnd = in.bytePosition();
      int storedCrc16 = in.readBits(16);
      int computedCrc16 = crc(CRC16_TABLE, 16, data, frameStart, frameEnd);
      if (computedCrc16 != storedCrc16) {
        throw new FlacException(
            String.format(
                "CRC-16 mismatch (computed 0x%04x, stored 0x%04x); the file is corrupt",
                computedCrc16, storedCrc16));
      }

      decorrelate(channelCode, blockSize);
      emit(blockSize, bitsPerSample);
    }

    /**
     * Reads the UTF-8-style coded frame or sample number; only its validity matters for decoding.
     */
    private static long readCodedNumber(BitReader in) {
      int first = in.readBits(8);
      int extra;
      long value;
      if (first < 0x80) {
        return first;
      } else if ((first & 0xE0) == 0xC0) {
        extra = 1;
        value = first & 0x1F;
      } else if ((first & 0xF0) == 0xE0) {
        extra = 2;
        value = first & 0x0F;
      } else if ((first & 0xF8) == 0xF0) {
        extra = 3;
        value = first & 0x07;
      } else if ((first & 0xFC) == 0xF8) {
        extra = 4;
        value = first & 0x03;
      } else if ((first & 0xFE) == 0xFC) {
        extra = 5;
        value = first & 0x01;
      } else if (first == 0xFE) {
        extra = 6;
        value = 0;
      } else {
        throw new FlacException(
            String.format(
                "invalid first byte 0x%02x of the coded frame/sample number; the file is corrupt",
                first));
      }
      for (int i = 0; i < extra; i++) {
        int next = in.readBits(8);
        if ((next & 0xC0) != 0x80) {
          throw new FlacException(
              String.format(
                  "invalid continuation byte 0x%02x in the coded frame/sample number; the file is corrupt",
                  next));
        }
        value = (value << 6) | (next & 0x3F);
      }
      return value;
    }

    private static int blockSizeFromCode(int code) {
      if (code == 1) {
        return 192;
      }
      if (code >= 2 && code <= 5) {
        return 576 << (code - 2);
      }
      if (code >= 8) {
        return 256 << (code - 8);
      }
      return 1; // code 0 is reserved and rejected after the CRC check
    }

    private static FlacException reserved(String what) {
      return new FlacException(
          what + " in the frame header; the file is corrupt or uses a newer FLAC revision");
    }

    private void decodeSubframe(long[] samples, int blockSize, int bitsPerSample, int channel) {
      final BitReader in = this.in;
      if (in.readBits(1) != 0) {
        throw subframeError(channel, "padding bit is 1 (must be 0)");
      }
      int type = in.readBits(6);
      int wasted = 0;
      if (in.readBits(1) != 0) {
        wasted = in.readUnary() + 1;
        if (wasted >= bitsPerSample) {
          throw subframeError(
              channel,
              String.format(
                  "%d wasted bits leave nothing of a %d-bit sample", wasted, bitsPerSample));
        }
      }
      int bits = bitsPerSample - wasted;

      if (type == 0) {
        Arrays.fill(samples, 0, blockSize, in.readSigned(bits));
      } else if (type == 1) {
        for (int i = 0; i < blockSize; i++) {
          samples[i] = in.readSigned(bits);
        }
      } else if ((type & 0x38) == 0x08) {
        int order = type & 0x07;
        if (order > 4) {
          throw subframeError(
              channel, "FIXED predictor order " + order + " is reserved (0-4 are defined)");
        }
        readWarmUp(samples, order, blockSize, bits, channel);
        readResidual(samples, order, blockSize, channel);
        restoreFixed(samples, order, blockSize);
      } else if ((type & 0x20) != 0) {
        int order = (type & 0x1F) + 1;
        readWarmUp(samples, order, blockSize, bits, channel);
        int precision = in.readBits(4) + 1;
        if (precision == 16) {
          throw subframeError(channel, "LPC coefficient precision code 15 is invalid");
        }
        int shift = (int) in.readSigned(5);
        if (shift < 0) {
          throw subframeError(
              channel, "LPC shift " + shift + " is negative, which the format forbids");
        }
        long[] coefs = coefficients;
        for (int j = 0; j < order; j++) {
          coefs[j] = in.readSigned(precision);
        }
        readResidual(samples, order, blockSize, channel);
        restoreLpc(samples, coefs, order, shift, blockSize);
      } else {
        throw subframeError(channel, String.format("subframe type 0x%02x is reserved", type));
      }

      if (wasted > 0) {
        for (int i = 0; i < blockSize; i++) {
          samples[i] <<= wasted;
        }
      }
    }

    private FlacException subframeError(int channel, String problem) {
      return new FlacException(
          "subframe of channel " + channel + ": " + problem + "; the file is corrupt");
    }

    private void readWarmUp(long[] samples, int order, int blockSize, int bits, int channel) {
      if (order > blockSize) {
        throw subframeError(
            channel,
            String.format("predictor order %d exceeds the block size %d", order, blockSize));
      }
      for (int i = 0; i < order; i++) {
        samples[i] = in.readSigned(bits);
      }
    }

    /** Reads the Rice-coded residual into {@code samples[order..blockSize)}. */
    private void readResidual(long[] samples, int order, int blockSize, int channel) {
      final BitReader in = this.in;
      int method = in.readBits(2);
      if (method > 1) {
        throw subframeError(channel, "residual coding method " + method + " is reserved");
      }
      int parameterBits = method == 0 ? 4 : 5;
      int escape = (1 << parameterBits) - 1;
      int partitionOrder = in.readBits(4);
      int partitions = 1 << partitionOrder;
      int perPartition = blockSize >> partitionOrder;
      if (perPartition << partitionOrder != blockSize || perPartition < order) {
        throw subframeError(
            channel,
            String.format(
                "residual partition order %d does not fit block size %d with predictor order %d",
                partitionOrder, blockSize, order));
      }
      int at = order;
      for (int p = 0; p < partitions; p++) {
        int count = p == 0 ? perPartition - order : perPartition;
        int parameter = in.readBits(parameterBits);
        if (parameter == escape) {
          int rawBits = in.readBits(5);
          if (rawBits == 0) {
            Arrays.fill(samples, at, at + count, 0L);
          } else {
            for (int i = at; i < at + count; i++) {
              samples[i] = in.readSigned(rawBits);
            }
          }
        } else {
          in.readRice(samples, at, count, parameter);
        }
        at += count;
      }
    }

    private static void restoreFixed(long[] s, int order, int n) {
      switch (order) {
        case 0:
          break;
        case 1:
          for (int i = 1; i < n; i++) {
            s[i] += s[i - 1];
          }
          break;
        case 2:
          for (int i = 2; i < n; i++) {
            s[i] += 2 * s[i - 1] - s[i - 2];
          }
          break;
        case 3:
          for (int i = 3; i < n; i++) {
            s[i] += 3 * (s[i - 1] - s[i - 2]) + s[i - 3];
          }
          break;
        default:
          for (int i = 4; i < n; i++) {
            s[i] += 4 * (s[i - 1] + s[i - 3]) - 6 * s[i - 2] - s[i - 4];
          }
          break;
      }
    }

    private static void restoreLpc(long[] s, long[] coefs, int order, int shift, int n) {
      // 15-bit coefficients times 33-bit samples summed 32 times stay below 2^53, so long never
      // overflows.
      for (int i = order; i < n; i++) {
        long sum = 0;
        for (int j = 0, k = i - 1; j < order; j++, k--) {
          sum += coefs[j] * s[k];
        }
        s[i] += sum >> shift;
      }
    }

    private void decorrelate(int channelCode, int n) {
      if (channelCode < 8) {
        return;
      }
      long[] a = block[0];
      long[] b = block[1];
      switch (channelCode) {
        case 8: // left, side
          for (int i = 0; i < n; i++) {
            b[i] = a[i] - b[i];
          }
          break;
        case 9: // side, right
          for (int i = 0; i < n; i++) {
            a[i] += b[i];
          }
          break;
        default: // mid, side; the encoder dropped mid's lowest bit, which equals side's lowest bit
          for (int i = 0; i < n; i++) {
            long side = b[i];
            long mid = (a[i] << 1) | (side & 1);
            a[i] = (mid + side) >> 1;
            b[i] = (mid - side) >> 1;
          }
          break;
      }
    }

    /**
     * Checks the frame's samples against the bit depth, then appends them to the output as floats
     * and feeds them to the MD5 (or, while counting, only counts them against the limit).
     */
    private void emit(int n, int bitsPerSample) {
      int channels = block.length;
      checkRange(n, bitsPerSample);
      if (output == null) {
        if ((long) decoded + n > MAX_ARRAY_LENGTH) {
          throw new FlacException(
              String.format(
                  "the stream exceeds %d samples per channel, more than one Java array holds; split the audio into "
                      + "shorter files",
                  MAX_ARRAY_LENGTH));
        }
        options.checkDecodedSize(path, "decoding finds at least", channels, (long) decoded + n);
        decoded += n;
        return;
      }
      if ((long) decoded + n > output[0].length) {
        throw new IllegalStateException(
            path + ": the stream decodes to more samples than it did when counted");
      }
      float scale = 1f / (1L << (bitsPerSample - 1)); // a power of two, so scaling is exact
      for (int c = 0; c < channels; c++) {
        long[] source = block[c];
        float[] target = output[c];
        int offset = decoded;
        for (int i = 0; i < n; i++) {
          target[offset + i] = (float) source[i] * scale;
        }
      }
      if (md5 != null) {
        updateMd5(n, channels, (bitsPerSample + 7) >>> 3);
      }
      decoded += n;
    }

    /**
     * Refuses samples outside {@code [-2^(bits-1), 2^(bits-1) - 1]}: a valid encoder never makes
     * them, libFLAC reports them as errors, and they would decode beyond full scale.
     */
    private void checkRange(int n, int bitsPerSample) {
      long half = 1L << (bitsPerSample - 1);
      for (int c = 0; c < block.length; c++) {
        long[] s = block[c];
        for (int i = 0; i < n; i++) {
          if ((s[i] + half) >>> bitsPerSample != 0) {
            throw new FlacException(
                String.format(
                    "sample %d of channel %d (sample %d of the stream) is %d, outside the %d-bit"
                        + " range [%d, %d]; libFLAC rejects such frames, so the file is corrupt",
                    i, c, (long) decoded + i, s[i], bitsPerSample, -half, half - 1));
          }
        }
      }
    }

    /**
     * MD5 input is the interleaved signal as little-endian integers of ceil(bits / 8) bytes each.
     */
    private void updateMd5(int n, int channels, int bytesPerSample) {
      int length = n * channels * bytesPerSample;
      if (md5Buffer.length < length) {
        md5Buffer = new byte[length];
      }
      byte[] buffer = md5Buffer;
      int stride = channels * bytesPerSample;
      // One simple loop per channel and byte width: this runs for every sample, so it must be cheap
      // even before
      // the JIT has compiled it.
      for (int c = 0; c < channels; c++) {
        long[] source = block[c];
        int at = c * bytesPerSample;
        switch (bytesPerSample) {
          case 1:
            for (int i = 0; i < n; i++, at += stride) {
              buffer[at] = (byte) source[i];
            }
            break;
          case 2:
            for (int i = 0; i < n; i++, at += stride) {
              int v = (int) source[i];
              buffer[at] = (byte) v;
              buffer[at + 1] = (byte) (v >> 8);
            }
            break;
          case 3:
            for (int i = 0; i < n; i++, at += stride) {
              int v = (int) source[i];
              buffer[at] = (byte) v;
              buffer[at + 1] = (byte) (v >> 8);
              buffer[at + 2] = (byte) (v >> 16);
            }
            break;
          default:
            for (int i = 0; i < n; i++, at += stride) {
              int v = (int) source[i];
              buffer[at] = (byte) v;
              buffer[at + 1] = (byte) (v >> 8);
              buffer[at + 2] = (byte) (v >> 16);
              buffer[at + 3] = (byte) (v >> 24);
            }
            break;
        }
      }
      md5.update(buffer, 0, length);
    }
  }

  /** A decoding problem inside a frame; the decoder adds the path, frame number and byte offset. */
  private static final class FlacException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    static FlacException truncated() {
      return new FlacException("truncated", true);
    }

    final boolean truncated;

    FlacException(String message) {
      this(message, false);
    }

    private FlacException(String message, boolean truncated) {
      // No stack trace: these are reported through AudioFormatException, which has its own.
      super(message, null, false, false);
      this.truncated = truncated;
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Bits and checksums

  /**
   * Reads big-endian bit fields from a byte array.
   *
   * <p>Unread bits sit left-aligned in a 64-bit cache whose bits below the top {@code bits} are
   * always zero, so runs of unary zeros can be counted with {@link Long#numberOfLeadingZeros}.
   */
  private static final class BitReader {
    private final byte[] buf;
    private final int end;
    private int pos;
    private long cache;
    private int bits;

    BitReader(byte[] buf, int start, int end) {
      this.buf = buf;
      this.pos = start;
      this.end = end;
    }

    /** Index of the next unread byte; only meaningful at a byte boundary. */
    int bytePosition() {
      return pos - (bits >>> 3);
    }

    void alignToByte() {
      int drop = bits & 7;
      cache <<= drop;
      bits -= drop;
    }

    /** Tops the cache up to at least 57 bits unless the data ends first. */
    private void refill() {
      while (bits <= 56 && pos < end) {
        cache |= (buf[pos++] & 0xFFL) << (56 - bits);
        bits += 8;
      }
    }

    /** Reads {@code n} bits, 1 to 56, as an unsigned value. */
    long readBitsLong(int n) {
      if (bits < n) {
        refill();
        if (bits < n) {
          throw FlacException.truncated();
        }
      }
      long value = cache >>> (64 - n);
      cache <<= n;
      bits -= n;
      return value;
    }

    /** Reads {@code n} bits, 1 to 31, as an unsigned value. */
    int readBits(int n) {
      return (int) readBitsLong(n);
    }

    /** Reads an {@code n}-bit two's complement value, 1 to 56 bits. */
    long readSigned(int n) {
      return readBitsLong(n) << (64 - n) >> (64 - n);
    }

    /**
     * Counts zero bits up to and including the terminating one bit; returns the number of zeros.
     */
    int readUnary() {
      long zeros = 0;
      while (cache == 0) {
        zeros += bits;
        bits = 0;
        refill();
        if (bits == 0) {
          throw FlacException.truncated();
        }
      }
      int leading = Long.numberOfLeadingZeros(cache);
      cache <<= leading;
      cache <<= 1; // separate shift: leading + 1 may be 64, which Java would treat as 0
      bits -= leading + 1;
      zeros += leading;
      return (int) Math.min(zeros, Integer.MAX_VALUE);
    }

    /**
     * Decodes {@code count} Rice-coded, zigzag-folded residuals with parameter {@code k} into
     * {@code out[from..]}.
     *
     * <p>This is the decoder's hot loop, so the cache state lives in locals.
     */
    void readRice(long[] out, int from, int count, int k) {
      final byte[] buf = this.buf;
      final int end = this.end;
      long cache = this.cache;
      int bits = this.bits;
      int pos = this.pos;
      final int to = from + count;
      for (int i = from; i < to; i++) {
        long quotient = 0;
        while (cache == 0) {
          quotient += bits;
          bits = 0;
          while (bits <= 56 && pos < end) {
            cache |= (buf[pos++] & 0xFFL) << (56 - bits);
            bits += 8;
          }
          if (bits == 0) {
            throw FlacException.truncated();
          }
        }
        int leading = Long.numberOfLeadingZeros(cache);
        quotient += leading;
        cache <<= leading;
        cache <<= 1;
        bits -= leading + 1;
        long folded = quotient << k;
        if (k > 0) {
          if (bits < k) {
            while (bits <= 56 && pos < end) {
              cache |= (buf[pos++] & 0xFFL) << (56 - bits);
              bits += 8;
            }
            if (bits < k) {
              throw FlacException.truncated();
            }
          }
          folded |= cache >>> (64 - k);
          cache <<= k;
          bits -= k;
        }
        out[i] = (folded >>> 1) ^ -(folded & 1);
      }
      this.cache = cache;
      this.bits = bits;
      this.pos = pos;
    }
  }

  /**
   * Builds a table for an MSB-first CRC of {@code width} bits with the given polynomial and zero
   * initial value.
   */
  private static int[] crcTable(int polynomial, int width) {
    int[] table = new int[256];
    int top = 1 << (width - 1);
    int mask = (1 << width) - 1;
    for (int b = 0; b < 256; b++) {
      int crc = b << (width - 8);
      for (int i = 0; i < 8; i++) {
        crc = (crc & top) != 0 ? (crc << 1) ^ polynomial : crc << 1;
      }
      table[b] = crc & mask;
    }
    return table;
  }

  private static int crc(int[] table, int width, byte[] data, int from, int to) {
    int crc = 0;
    int mask = (1 << width) - 1;
    int shift = width - 8;
    for (int i = from; i < to; i++) {
      crc = ((crc << 8) ^ table[((crc >>> shift) ^ data[i]) & 0xFF]) & mask;
    }
    return crc;
  }
}
