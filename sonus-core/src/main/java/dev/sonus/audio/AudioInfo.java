package dev.sonus.audio;

/**
 * What a file holds, read from its header without decoding the samples.
 *
 * @param sampleRate samples per second per channel, Hz
 * @param numChannels channel count
 * @param numFrames samples per channel
 * @param bitsPerSample bits of one stored sample (16 for PCM16, 32 for float32, ...)
 * @param encoding how samples are stored, e.g. {@code PCM_S16}, {@code PCM_U8}, {@code FLOAT},
 *     {@code FLAC}
 */
public record AudioInfo(
    int sampleRate, int numChannels, long numFrames, int bitsPerSample, String encoding) {

  /** Duration in seconds. */
  public double durationSeconds() {
    return (double) numFrames / sampleRate;
  }
}
