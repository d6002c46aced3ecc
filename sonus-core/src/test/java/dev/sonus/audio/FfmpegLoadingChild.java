package dev.sonus.audio;

import dev.sonus.tensor.Natives;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads a WAV and a FLAC file, says whether FFmpeg got loaded, then reads an MP3 (for {@link
 * FfmpegLoadingTest}, in a fresh JVM).
 */
final class FfmpegLoadingChild {
  private FfmpegLoadingChild() {}

  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    for (int i = 0; i < 2; i++) {
      AudioIO.read(Path.of(args[i]));
      AudioIO.info(Path.of(args[i]));
    }
    out.println("wav and flac read, ffmpeg loaded: " + Natives.ffmpegLoaded());
    out.println("mp3 frames " + AudioIO.read(Path.of(args[2])).numFrames());
  }
}
