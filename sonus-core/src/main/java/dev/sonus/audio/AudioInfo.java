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
}
