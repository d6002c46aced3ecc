package dev.sonus.audio;

/** How samples are stored in a WAV file. */
public enum WavEncoding {
  /** 8-bit unsigned PCM (offset 128). */
  PCM_U8(8, false),
  /** 16-bit signed PCM, the common case; {@code x / 32768} when read. */
  PCM_S16(16, false),
  /** 24-bit signed PCM. */
  PCM_S24(24, false),
  /** 32-bit signed PCM. */
  PCM_S32(32, false),
  /** 32-bit IEEE float. */
  FLOAT32(32, true),
  /** 64-bit IEEE float. */
  FLOAT64(64, true);

  private final int bits;
  private final boolean floating;

  WavEncoding(int bits, boolean floating) {
    this.bits = bits;
    this.floating = floating;
  }

  /** Bits per stored sample. */
  public int bits() {
    return bits;
  }

  /** Bytes per stored sample. */
  public int bytes() {
    return bits / 8;
  }

  /** Whether samples are IEEE floats (format code 3) rather than integers (format code 1). */
  public boolean isFloat() {
    return floating;
  }

  static WavEncoding of(boolean isFloat, int bits) {
    for (WavEncoding e : values()) {
      if (e.floating == isFloat && e.bits == bits) {
        return e;
      }
    }
    return null;
  }
}
