package dev.sonus.inference;

import dev.sonus.audio.AudioIO;
import dev.sonus.config.LoadOptions;
import dev.sonus.decode.VadBoundaries;
import dev.sonus.decode.VadBoundaries.Segment;
import dev.sonus.run.RunFolder;
import java.nio.file.Path;
import java.util.List;

/**
 * Speech segments of recordings with a trained VAD run folder (a {@link SpeechActivityModel}, such
 * as {@code experiments.VoiceActivity}), post-processed as SpeechBrain v1.0.0's {@code
 * VAD.get_speech_segments} does: frame probabilities in chunks (bounded memory for long files) →
 * hysteresis thresholds → boundaries → the energy check inside each segment (optional) → merging of
 * segments closer than {@code closeThreshold} → removal of those not longer than {@code
 * lengthThreshold}.
 */
public final class VoiceActivityDetector {
  /**
   * The post-processing settings, SpeechBrain's names and defaults.
   *
   * @param activation probability that starts speech ({@code activation_th}, 0.5)
   * @param deactivation probability under which speech ends ({@code deactivation_th}, 0.25)
   * @param closeThreshold merge segments at most this far apart, s ({@code close_th}, 0.25)
   * @param lengthThreshold drop segments not longer than this, s ({@code len_th}, 0.25)
   * @param applyEnergyVad refine each segment by its energy ({@code apply_energy_VAD}, false)
   * @param chunkSeconds audio per forward pass, s (SpeechBrain's {@code large_chunk_size}, 30)
   */
  public record Options(
      double activation,
      double deactivation,
      double closeThreshold,
      double lengthThreshold,
      boolean applyEnergyVad,
      double chunkSeconds) {
    /** SpeechBrain's defaults. */
    public static Options defaults() {
      return new Options(0.5, 0.25, 0.25, 0.25, false, 30);
    }
  }

  private final SpeechActivityModel vad;
  private final Options options;

  private VoiceActivityDetector(SpeechActivityModel vad, Options options) {
    this.vad = vad;
    this.options = options;
  }

  /** Opens a trained VAD run folder. */
  public static VoiceActivityDetector load(Path runFolder, LoadOptions trust, Options options) {
    RunFolder.Loaded loaded = RunFolder.load(runFolder, trust);
    SpeechActivityModel v =
        loaded.experimentAs(SpeechActivityModel.class, "detect speech; load a voice activity run");
    return new VoiceActivityDetector(v, options);
  }

  /** Seconds per frame of {@link #probabilities}. */
  public double frameShift() {
    return vad.frameShift();
  }

  /** Frame speech probabilities of a recording (any format and rate; mixed to mono). */
  public float[] probabilities(Path audio) {
    return vad.speechProbabilities(
        AudioIO.readMono(audio, vad.sampleRate()).channel(0), options.chunkSeconds());
  }

  /** The speech segments of a recording, seconds. */
  public List<Segment> segments(Path audio) {
    float[] samples = AudioIO.readMono(audio, vad.sampleRate()).channel(0);
    float[] prob = vad.speechProbabilities(samples, options.chunkSeconds());
    double shift = vad.frameShift();
    List<Segment> s =
        VadBoundaries.boundaries(
            VadBoundaries.threshold(prob, options.activation(), options.deactivation()), shift);
    if (options.applyEnergyVad()) {
      s = VadBoundaries.energy(samples, vad.sampleRate(), s, shift, 0.5, 0.0, 1e-6);
    }
    s = VadBoundaries.mergeClose(s, options.closeThreshold());
    return VadBoundaries.removeShort(s, options.lengthThreshold());
  }
}
