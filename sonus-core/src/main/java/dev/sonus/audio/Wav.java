package dev.sonus.audio;

import dev.sonus.tensor.AtomicFiles;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RIFF/WAVE reading and writing: PCM 8/16/24/32-bit, IEEE float 32/64, any channel count, plain and
 * {@code WAVE_FORMAT_EXTENSIBLE} headers.
 */
final class Wav {
  private static final int FORMAT_PCM = 1;
  private static final int FORMAT_FLOAT = 3;
  private static final int FORMAT_EXTENSIBLE = 0xFFFE;
  // Bytes 2..15 of every KSDATAFORMAT_SUBTYPE GUID; bytes 0..1 carry the plain format code.
  private static final byte[] GUID_TAIL = {
    0x00,
    0x00,
    0x00,
    0x00,
    0x10,
    0x00,
    (byte) 0x80,
    0x00,
    0x00,
    (byte) 0xAA,
    0x00,
    0x38,
    (byte) 0x9B,
    0x71
  };

  private static final Logger LOG = LoggerFactory.getLogger(Wav.class);

  /** Bytes read from the data chunk at a time. */
  private static final int CHUNK_BYTES = 1 << 20;

  private Wav() {}

  /** Where the samples are and how they are stored. */
  private record Layout(
      WavEncoding encoding, int channels, int sampleRate, long dataOffset, long dataBytes) {
    long frames() {
      return dataBytes / ((long) channels * encoding.bytes());
    }
  }

  static boolean isWav(byte[] head) {
    return head.length >= 12 && ascii(head, 0).equals("RIFF") && ascii(head, 8).equals("WAVE");
  }

  static AudioInfo info(Path path, FileChannel channel) throws IOException {
    Layout l = layout(path, channel, channel.size());
    return new AudioInfo(
        l.sampleRate, l.channels, l.frames(), l.encoding.bits(), encodingName(l.encoding));
  }

  static Audio read(Path path, FileChannel channel, AudioIO.ReadOptions options)
      throws IOException {
    long size = channel.size();
    Layout l = layout(path, channel, size);
    long frames = l.frames();
    if (frames == 0) {
      throw new AudioFormatException(
          path, "the data chunk holds 0 samples: the recording is empty");
    }
    // The data chunk was checked against the file's size; now against what may be decoded.
    options.checkDecodedSize(path, "the data chunk holds", l.channels, frames);
    if (frames > Integer.MAX_VALUE - 8) {
      throw new AudioFormatException(
          path,
          frames
              + " samples per channel exceed what one array can hold ("
              + (Integer.MAX_VALUE - 8)
              + "); too large to decode at once: split the file");
    }
    Decoded d = new Decoded(l.channels, (int) frames, l.encoding);
    int block = l.channels * l.encoding.bytes();
    ByteBuffer buf =
        ByteBuffer.allocate(Math.max(1, CHUNK_BYTES / block) * block)
            .order(ByteOrder.LITTLE_ENDIAN);
    long at = l.dataOffset;
    long end = l.dataOffset + frames * block;
    while (at < end) {
      buf.clear();
      buf.limit((int) Math.min(buf.capacity(), end - at));
      while (buf.hasRemaining()) {
        int n = channel.read(buf, at + buf.position());
        if (n < 0) {
          throw new AudioFormatException(
              path, "file ended while reading samples at byte " + (at + buf.position()));
        }
      }
      buf.flip();
      at += buf.limit();
      d.decode(buf);
    }
    d.checkFinite(path, options.allowNonFinite());
    return new Audio(d.out, l.sampleRate);
  }

  /** Samples decoded so far, channel first, and the first non-finite float sample seen. */
  private static final class Decoded {
    final float[][] out;
    final int channels;
    final WavEncoding enc;
    int frame;
    long nonFinite;
    long firstBad = -1;
    String firstBadValue;

    Decoded(int channels, int frames, WavEncoding enc) {
      this.out = new float[channels][frames];
      this.channels = channels;
      this.enc = enc;
    }

    /** Decodes whole frames from {@code b} (a multiple of the block size). */
    void decode(ByteBuffer b) {
      int frames = b.remaining() / (channels * enc.bytes());
      int t0 = frame;
      switch (enc) {
        case PCM_U8 -> {
          for (int t = t0; t < t0 + frames; t++) {
            for (int c = 0; c < channels; c++) {
              out[c][t] = ((b.get() & 0xff) - 128) / 128f;
            }
          }
        }
        case PCM_S16 -> {
          for (int t = t0; t < t0 + frames; t++) {
            for (int c = 0; c < channels; c++) {
              out[c][t] = b.getShort() / 32768f;
            }
          }
        }
        case PCM_S24 -> {
          for (int t = t0; t < t0 + frames; t++) {
            for (int c = 0; c < channels; c++) {
              int v = (b.get() & 0xff) | ((b.get() & 0xff) << 8) | (b.get() << 16);
              out[c][t] = v / 8388608f;
            }
          }
        }
        case PCM_S32 -> {
          for (int t = t0; t < t0 + frames; t++) {
            for (int c = 0; c < channels; c++) {
              out[c][t] = (float) (b.getInt() / 2147483648.0);
            }
          }
        }
        case FLOAT32 -> {
          for (int t = t0; t < t0 + frames; t++) {
            for (int c = 0; c < channels; c++) {
              float v = b.getFloat();
              out[c][t] = v;
              if (!Float.isFinite(v)) {
                bad(t, c, Float.toString(v));
              }
            }
          }
        }
        case FLOAT64 -> {
          for (int t = t0; t < t0 + frames; t++) {
            for (int c = 0; c < channels; c++) {
              double v = b.getDouble();
              float f = (float) v;
              out[c][t] = f;
              if (!Float.isFinite(f)) {
                // A finite double beyond the float range becomes an infinity here.
                bad(
                    t,
                    c,
                    Double.isFinite(v) ? v + ", beyond the float range," : Double.toString(v));
              }
            }
          }
        }
        default -> throw new IllegalStateException("unhandled encoding " + enc);
      }
      frame += frames;
    }

    private void bad(int t, int c, String value) {
      if (nonFinite++ == 0) {
        firstBad = (long) t * channels + c;
        firstBadValue = value;
      }
    }

    void checkFinite(Path path, boolean allow) {
      if (nonFinite == 0) {
        return;
      }
      long total = (long) out[0].length * channels;
      String found =
          String.format(
              "sample %d (frame %d, channel %d) is %s the first of %d of the %d samples that are"
                  + " NaN or infinite",
              firstBad,
              firstBad / channels,
              firstBad % channels,
              firstBadValue.endsWith(",") ? firstBadValue : firstBadValue + ",",
              nonFinite,
              total);
      if (allow) {
        LOG.warn("{}: {}; kept because allowNonFinite is set", path, found);
        return;
      }
      throw new AudioFormatException(
          path,
          found
              + "; a float WAV must hold finite samples (the file is corrupt, or its writer"
              + " failed), and they would turn features and losses into NaN. Re-create the file, or"
              + " read it anyway with AudioIO.read(path,"
              + " AudioIO.ReadOptions.defaults().withAllowNonFinite(true)) or, from the command line,"
              + " SONUS_JAVA_OPTS=-D"
              + AudioIO.ReadOptions.ALLOW_NON_FINITE_PROPERTY
              + "=true, which keep them and log a warning");
    }
  }

  /** Walks the chunks up to the data chunk; reads only headers. */
  private static Layout layout(Path path, FileChannel ch, long size) throws IOException {
    if (size < 12) {
      throw new AudioFormatException(
          path,
          "file is " + size + " bytes long, too short for a WAV header; it is truncated or empty");
    }
    ByteBuffer head = readAt(path, ch, 0, 12);
    String riff = ascii(head.array(), 0);
    if (riff.equals("RIFX") || riff.equals("RF64")) {
      throw new AudioFormatException(
          path,
          riff
              + " WAV files are not supported; convert to a standard RIFF WAV "
              + "(e.g. sox in.wav out.wav)");
    }
    if (!riff.equals("RIFF") || !ascii(head.array(), 8).equals("WAVE")) {
      throw new AudioFormatException(path, "not a WAV file (no RIFF/WAVE header)");
    }
    WavEncoding encoding = null;
    int channels = 0;
    int rate = 0;
    long pos = 12;
    while (true) {
      if (pos + 8 > size) {
        String missing = encoding == null ? "'fmt ' and 'data' chunks" : "'data' chunk";
        throw new AudioFormatException(
            path,
            "file ends at byte "
                + size
                + " before the "
                + missing
                + "; it is truncated or not a complete WAV file");
      }
      ByteBuffer hdr = readAt(path, ch, pos, 8);
      String id = ascii(hdr.array(), 0);
      long chunkSize = hdr.getInt(4) & 0xffffffffL;
      long body = pos + 8;
      if (id.equals("fmt ")) {
        if (chunkSize < 16) {
          throw new AudioFormatException(
              path,
              "'fmt ' chunk at byte "
                  + pos
                  + " is "
                  + chunkSize
                  + " bytes long; expected at least 16 (corrupt header)");
        }
        if (body + chunkSize > size) {
          throw new AudioFormatException(
              path,
              "file ends at byte "
                  + size
                  + " inside the "
                  + chunkSize
                  + "-byte 'fmt ' chunk that starts at byte "
                  + pos
                  + "; it is truncated");
        }
        ByteBuffer fmt = readAt(path, ch, body, (int) Math.min(chunkSize, 40));
        int tag = fmt.getShort(0) & 0xffff;
        channels = fmt.getShort(2) & 0xffff;
        rate = fmt.getInt(4);
        int blockAlign = fmt.getShort(12) & 0xffff;
        int bits = fmt.getShort(14) & 0xffff;
        int code = tag;
        if (tag == FORMAT_EXTENSIBLE) {
          if (chunkSize < 40) {
            throw new AudioFormatException(
                path,
                "WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is "
                    + chunkSize
                    + " bytes; expected 40 (corrupt header)");
          }
          byte[] guid = Arrays.copyOfRange(fmt.array(), 24, 40);
          code = (guid[0] & 0xff) | ((guid[1] & 0xff) << 8);
          if (!Arrays.equals(Arrays.copyOfRange(guid, 2, 16), GUID_TAIL)) {
            throw new AudioFormatException(
                path,
                "WAVE_FORMAT_EXTENSIBLE sub-format GUID is not a standard "
                    + "PCM or IEEE-float one; convert the file to PCM or float WAV");
          }
        }
        if (code != FORMAT_PCM && code != FORMAT_FLOAT) {
          throw new AudioFormatException(
              path,
              String.format(
                  "WAV format code 0x%04X (%s) is not supported; "
                      + "supported: PCM (1) and IEEE float (3). Convert with e.g. sox in.wav -e signed-integer out.wav",
                  code, formatName(code)));
        }
        encoding = WavEncoding.of(code == FORMAT_FLOAT, bits);
        if (encoding == null) {
          throw new AudioFormatException(
              path,
              (code == FORMAT_FLOAT ? "float" : "PCM")
                  + " WAV with "
                  + bits
                  + " bits per sample is not supported; supported: PCM 8/16/24/32, float 32/64");
        }
        if (channels < 1) {
          throw new AudioFormatException(
              path, "header declares " + channels + " channels (corrupt header)");
        }
        if (rate <= 0) {
          throw new AudioFormatException(
              path,
              "header declares a sample rate of "
                  + Integer.toUnsignedString(rate)
                  + " Hz (corrupt header)");
        }
        if (blockAlign != channels * encoding.bytes()) {
          throw new AudioFormatException(
              path,
              "header declares a block size of "
                  + blockAlign
                  + " bytes but "
                  + channels
                  + " channel(s) of "
                  + bits
                  + "-bit samples need "
                  + channels * encoding.bytes()
                  + " (corrupt header)");
        }
      } else if (id.equals("data")) {
        if (encoding == null) {
          throw new AudioFormatException(
              path,
              "'data' chunk at byte "
                  + pos
                  + " comes before any 'fmt ' chunk "
                  + "(corrupt or non-standard file)");
        }
        long available = size - body;
        long declared = chunkSize;
        if (chunkSize == 0xffffffffL) {
          // Streaming writers that never patched the header: the samples run to the end of the
          // file.
          declared = available;
        } else if (declared > available) {
          throw new AudioFormatException(
              path,
              "truncated: the data chunk declares "
                  + declared
                  + " bytes but only "
                  + available
                  + " remain in the file");
        }
        long block = (long) channels * encoding.bytes();
        if (declared % block != 0) {
          throw new AudioFormatException(
              path,
              "data chunk of "
                  + declared
                  + " bytes is not a whole number of "
                  + block
                  + "-byte sample frames (truncated or corrupt)");
        }
        return new Layout(encoding, channels, rate, body, declared);
      }
      pos = body + chunkSize + (chunkSize & 1);
    }
  }

  private static ByteBuffer readAt(Path path, FileChannel ch, long pos, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (ch.read(b, pos + b.position()) < 0) {
        throw new AudioFormatException(
            path,
            "file ends at byte " + (pos + b.position()) + " inside a header; it is truncated");
      }
    }
    return b;
  }

  static void write(Path path, Audio audio, WavEncoding enc) {
    int channels = audio.numChannels();
    int frames = audio.numFrames();
    float[][] s = audio.samples();
    for (int c = 0; c < channels; c++) {
      for (int t = 0; t < frames; t++) {
        if (!Float.isFinite(s[c][t])) {
          throw new IllegalArgumentException(
              String.format(
                  "cannot write %s: sample %d of channel %d is %s; "
                      + "audio to be written must be finite",
                  path, t, c, s[c][t]));
        }
      }
    }
    boolean extensible = channels > 2 || (!enc.isFloat() && enc.bits() > 16);
    long dataBytes = (long) frames * channels * enc.bytes();
    if (dataBytes > 0xffffffffL - 80) {
      throw new IllegalArgumentException(
          "cannot write "
              + path
              + ": "
              + dataBytes
              + " bytes of samples exceed the 4 GiB limit of RIFF WAV; split the audio");
    }
    int fmtSize = extensible ? 40 : (enc.isFloat() ? 18 : 16);
    boolean fact = enc.isFloat() || extensible;
    long riffSize = 4 + (8 + fmtSize) + (fact ? 12 : 0) + 8 + dataBytes + (dataBytes & 1);
    ByteBuffer header =
        ByteBuffer.allocate(12 + 8 + fmtSize + (fact ? 12 : 0) + 8).order(ByteOrder.LITTLE_ENDIAN);
    header
        .put("RIFF".getBytes(StandardCharsets.US_ASCII))
        .putInt((int) riffSize)
        .put("WAVE".getBytes(StandardCharsets.US_ASCII));
    header.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(fmtSize);
    int code = enc.isFloat() ? FORMAT_FLOAT : FORMAT_PCM;
    header.putShort((short) (extensible ? FORMAT_EXTENSIBLE : code));
    header.putShort((short) channels);
    header.putInt(audio.sampleRate());
    header.putInt(audio.sampleRate() * channels * enc.bytes());
    header.putShort((short) (channels * enc.bytes()));
    header.putShort((short) enc.bits());
    if (extensible) {
      header.putShort((short) 22).putShort((short) enc.bits()).putInt(channelMask(channels));
      header.putShort((short) code).put(GUID_TAIL);
    } else if (enc.isFloat()) {
      header.putShort((short) 0);
    }
    if (fact) {
      header.put("fact".getBytes(StandardCharsets.US_ASCII)).putInt(4).putInt(frames);
    }
    header.put("data".getBytes(StandardCharsets.US_ASCII)).putInt((int) dataBytes);
    AtomicFiles.write(
        path,
        out -> {
          DataOutputStream d = new DataOutputStream(out);
          d.write(header.array());
          ByteBuffer frame =
              ByteBuffer.allocate(Math.max(1, channels * enc.bytes()) * 1024)
                  .order(ByteOrder.LITTLE_ENDIAN);
          for (int t = 0; t < frames; t++) {
            for (int c = 0; c < channels; c++) {
              encode(frame, s[c][t], enc);
            }
            if (frame.remaining() < channels * enc.bytes()) {
              d.write(frame.array(), 0, frame.position());
              frame.clear();
            }
          }
          d.write(frame.array(), 0, frame.position());
          if ((dataBytes & 1) == 1) {
            d.writeByte(0);
          }
          d.flush();
        });
  }

  private static void encode(ByteBuffer b, float x, WavEncoding enc) {
    switch (enc) {
      case PCM_U8 -> b.put((byte) (clamp(Math.round(x * 128.0), -128, 127) + 128));
      case PCM_S16 -> b.putShort((short) clamp(Math.round(x * 32768.0), -32768, 32767));
      case PCM_S24 -> {
        int v = (int) clamp(Math.round(x * 8388608.0), -8388608, 8388607);
        b.put((byte) v).put((byte) (v >> 8)).put((byte) (v >> 16));
      }
      case PCM_S32 ->
          b.putInt((int) clamp(Math.round(x * 2147483648.0), Integer.MIN_VALUE, Integer.MAX_VALUE));
      case FLOAT32 -> b.putFloat(x);
      case FLOAT64 -> b.putDouble(x);
      default -> throw new IllegalStateException("unhandled encoding " + enc);
    }
  }

  private static long clamp(long v, long lo, long hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  private static int channelMask(int channels) {
    // Front left/right, centre, LFE, ... : the first N speaker positions, the usual default.
    return channels >= 32 ? 0 : (1 << channels) - 1;
  }

  private static String ascii(byte[] b, int off) {
    return new String(b, off, 4, StandardCharsets.ISO_8859_1);
  }

  private static String formatName(int code) {
    return switch (code) {
      case 2 -> "Microsoft ADPCM";
      case 6 -> "A-law";
      case 7 -> "mu-law";
      case 0x11 -> "IMA ADPCM";
      case 0x55 -> "MP3";
      default -> "unknown";
    };
  }

  static String encodingName(WavEncoding e) {
    return e.name();
  }
}
