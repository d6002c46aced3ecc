package dev.sonus.audio;

/**
 * What a file holds, read from its header without decoding the samples.
 *
 * <p>For compressed files (read through FFmpeg) the rate and channels are the decoder's (Opus: 48
 * kHz), and {@code numFrames} is the length the container declares less the encoder delay it names,
 * which may differ from what {@link AudioIO#read} decodes by up to one codec frame of padding (576
 * to 2048 samples); where the container declares no length, it is counted (see {@link
 * AudioIO#info(java.nio.file.Path)}).
 *
 * @param sampleRate samples per second per channel, Hz
 * @param numChannels channel count
 * @param numFrames samples per channel
 * @param bitsPerSample bits of one stored sample (16 for PCM16, 32 for float32, ...); for
 *     compressed files, the bits per sample a lossless codec stores (16 for 16-bit FLAC in Ogg,
 *     ALAC or PCM in AIFF), and 0 for lossy codecs (MP3, Vorbis, Opus, AAC), whose samples have no
 *     bit depth
 * @param encoding how samples are stored, e.g. {@code PCM_S16}, {@code PCM_U8}, {@code FLOAT},
 *     {@code FLAC}; for files read through FFmpeg, its codec name in upper case: {@code MP3},
 *     {@code VORBIS}, {@code OPUS}, {@code AAC}, {@code FLAC}, {@code PCM_S16BE}, ...
 */
public record AudioInfo(
    int sampleRate, int numChannels, long numFrames, int bitsPerSample, String encoding) {

  /** Duration in seconds. */
  public double durationSeconds() {
    return (double) numFrames / sampleRate;
  }

  /** Samples per channel of one codec frame: the most a lossy file's decode may differ by. */
  public static final long LOSSY_LENGTH_TOLERANCE = 2048;

  /**
   * How many samples per channel {@link AudioIO#read} may decode more or fewer than {@link
   * #numFrames()} for an intact file: 0 where the header is exact (WAV, FLAC, PCM and other
   * lossless codecs), {@value #LOSSY_LENGTH_TOLERANCE} (a codec frame) for lossy codecs ({@code
   * bitsPerSample == 0}), whose container may leave part of the encoder's padding untrimmed.
   */
  public long decodedLengthTolerance() {
    return bitsPerSample == 0 ? LOSSY_LENGTH_TOLERANCE : 0;
  }
}
