package dev.sonus.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes small FLAC streams frame by frame (RFC 9639), so that tests can make files no encoder
 * writes: a STREAMINFO that declares any length, silence that compresses 30,000 to 1, samples
 * beyond the bit depth. Frames use the fixed blocking strategy, independent channels, and CONSTANT,
 * VERBATIM or FIXED order-1 subframes; the STREAMINFO carries no MD5 (all zero), so decoders skip
 * that check.
 *
 * <pre>{@code
 * byte[] flac = new FlacWriter(16_000, 1, 16).declaredSamples(4096).constantFrame(4096, 0).bytes();
 * }</pre>
 */
public final class FlacWriter {
  private final int sampleRate;
  private final int channels;
  private final int bitsPerSample;
  private long declaredSamples = -1;
  private long written;
  private int frames;
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();

  /** A stream of {@code channels} (1 to 8) of {@code bitsPerSample} (4 to 32) bits. */
  public FlacWriter(int sampleRate, int channels, int bitsPerSample) {
    this.sampleRate = sampleRate;
    this.channels = channels;
    this.bitsPerSample = bitsPerSample;
  }

  /** The length STREAMINFO states (0: unknown); by default the samples written. */
  public FlacWriter declaredSamples(long n) {
    this.declaredSamples = n;
    return this;
  }

  /** A frame of {@code blockSize} (1 to 65536) samples, each channel constant at its value. */
  public FlacWriter constantFrame(int blockSize, long... valuePerChannel) {
    BitWriter f = header(blockSize);
    for (int c = 0; c < channels; c++) {
      f.bits(0, 8); // padding bit, type CONSTANT (0), no wasted bits
      f.signed(valuePerChannel[c % valuePerChannel.length], bitsPerSample);
    }
    return finish(f, blockSize);
  }

  /** A frame with every sample stored as is; {@code samples[channel][i]}. */
  public FlacWriter verbatimFrame(long[][] samples) {
    int blockSize = samples[0].length;
    BitWriter f = header(blockSize);
    for (int c = 0; c < channels; c++) {
      f.bits(1 << 1, 8); // type VERBATIM (1)
      for (long v : samples[c]) {
        f.signed(v, bitsPerSample);
      }
    }
    return finish(f, blockSize);
  }

  /**
   * A frame whose every channel is a FIXED order-1 prediction: the warm-up sample, then {@code
   * blockSize - 1} residuals of {@code residual} each, stored raw ({@code rawBits} bits, an escaped
   * Rice partition). Nothing bounds the running sum, so this can reach values far beyond the bit
   * depth, which decoders must refuse.
   */
  public FlacWriter fixedOrder1Frame(int blockSize, long warmUp, int rawBits, long residual) {
    BitWriter f = header(blockSize);
    for (int c = 0; c < channels; c++) {
      f.bits((8 | 1) << 1, 8); // type FIXED, order 1
      f.signed(warmUp, bitsPerSample);
      f.bits(0, 2); // Rice coding, 4-bit parameters
      f.bits(0, 4); // partition order 0
      f.bits(15, 4); // escape: raw residuals
      f.bits(rawBits, 5);
      for (int i = 1; i < blockSize; i++) {
        f.signed(residual, rawBits);
      }
    }
    return finish(f, blockSize);
  }

  private BitWriter header(int blockSize) {
    BitWriter f = new BitWriter();
    f.bits(0xFFF8, 16); // sync, reserved 0, fixed blocking
    f.bits(7, 4); // block size: 16 bits after the coded number
    f.bits(0, 4); // sample rate: from STREAMINFO
    f.bits(channels - 1, 4); // independent channels
    f.bits(0, 3); // bits per sample: from STREAMINFO
    f.bits(0, 1);
    f.codedNumber(frames);
    f.bits(blockSize - 1, 16);
    f.bits(crc(f.toByteArray(), 0, 8, 0x07), 8);
    return f;
  }

  private FlacWriter finish(BitWriter f, int blockSize) {
    f.align();
    f.bits(crc(f.toByteArray(), 0, 16, 0x8005), 16);
    body.writeBytes(f.toByteArray());
    frames++;
    written += blockSize;
    return this;
  }

  /** Appends raw bytes after the frames written so far (e.g. damage or trailing junk). */
  public FlacWriter raw(byte[] bytes) {
    body.writeBytes(bytes);
    return this;
  }

  /** The whole stream: marker, STREAMINFO, frames. */
  public byte[] bytes() {
    BitWriter h = new BitWriter();
    h.bytes("fLaC");
    h.bits(0x80, 8); // last metadata block, type STREAMINFO
    h.bits(34, 24);
    h.bits(16, 16); // minimum block size
    h.bits(65535, 16); // maximum block size
    h.bits(0, 24); // minimum frame size: unknown
    h.bits(0, 24); // maximum frame size: unknown
    h.bits(sampleRate, 20);
    h.bits(channels - 1, 3);
    h.bits(bitsPerSample - 1, 5);
    h.bits(declaredSamples >= 0 ? declaredSamples : written, 36);
    for (int i = 0; i < 16; i++) {
      h.bits(0, 8); // no MD5
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(h.toByteArray());
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }

  /** Writes {@link #bytes()} to {@code file}. */
  public Path write(Path file) {
    try {
      return Files.write(file, bytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * FLAC's CRC of {@code data[from..]}: width 8 with polynomial 0x07 (frame headers), width 16 with
   * 0x8005 (whole frames).
   */
  public static int crc(byte[] data, int from, int width, int polynomial) {
    int top = 1 << (width - 1);
    int mask = (1 << width) - 1;
    int crc = 0;
    for (int i = from; i < data.length; i++) {
      crc ^= (data[i] & 0xFF) << (width - 8);
      for (int k = 0; k < 8; k++) {
        crc = ((crc & top) != 0 ? (crc << 1) ^ polynomial : crc << 1) & mask;
      }
    }
    return crc;
  }

  /** Big-endian bit fields, as FLAC streams hold them. */
  public static final class BitWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int pending;
    private int pendingBits;

    /** Writes the low {@code n} bits of {@code value}, most significant first. */
    public void bits(long value, int n) {
      for (int i = n - 1; i >= 0; i--) {
        pending = (pending << 1) | (int) ((value >>> i) & 1);
        if (++pendingBits == 8) {
          out.write(pending);
          pending = 0;
          pendingBits = 0;
        }
      }
    }

    /** Writes {@code value} as an {@code n}-bit two's complement number. */
    public void signed(long value, int n) {
      bits(n == 64 ? value : value & ((1L << n) - 1), n);
    }

    /** Writes each character as one byte. */
    public void bytes(String ascii) {
      for (char ch : ascii.toCharArray()) {
        bits(ch, 8);
      }
    }

    /**
     * Zigzag-folds {@code value}, then writes the quotient in unary (zeros, then a one) and k low
     * bits.
     */
    public void rice(int value, int k) {
      long folded = value >= 0 ? 2L * value : -2L * value - 1;
      for (long q = folded >>> k; q > 0; q--) {
        bits(0, 1);
      }
      bits(1, 1);
      bits(folded & ((1L << k) - 1), k);
    }

    /** The UTF-8-like variable-length number of a frame header. */
    public void codedNumber(long value) {
      if (value < 0x80) {
        bits(value, 8);
        return;
      }
      int n = 2;
      while (value >= 1L << (5 * n + 1)) {
        n++;
      }
      bits(((0xFF << (8 - n)) & 0xFF) | (value >>> (6 * (n - 1))), 8);
      for (int k = n - 2; k >= 0; k--) {
        bits(0x80 | ((value >>> (6 * k)) & 0x3F), 8);
      }
    }

    /** Pads with zero bits to the next byte. */
    public void align() {
      while (pendingBits != 0) {
        bits(0, 1);
      }
    }

    /** Bytes complete so far. */
    public int size() {
      return out.size();
    }

    /** The bytes complete so far. */
    public byte[] toByteArray() {
      return out.toByteArray();
    }
  }
}
