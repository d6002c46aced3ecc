package dev.sonus.inference;

import dev.sonus.audio.AudioIO;
import dev.sonus.audio.Resample;
import dev.sonus.config.LoadOptions;
import dev.sonus.metrics.CosineScoring;
import dev.sonus.run.RunFolder;
import dev.sonus.util.JsonFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Speaker embeddings and verification with a trained model, from Java:
 *
 * <pre>{@code
 * SpeakerVerifier sv = SpeakerVerifier.load(Path.of("results/speaker-id/1986"));   // or a SpeechBrain folder
 * float[] e = sv.embed(Path.of("a.wav"));
 * SpeakerVerifier.Decision d = sv.verify(Path.of("a.wav"), Path.of("b.wav"));     // cosine score, same speaker?
 * }</pre>
 *
 * <p>{@link #load} takes either a Sonus run folder whose experiment embeds speech (e.g. the
 * speaker-id recipe; its decision threshold is the EER threshold the recipe stored in {@code
 * verification.json}) or a SpeechBrain pretrained speaker model folder ({@code hyperparams.yaml} +
 * {@code embedding_model.ckpt}, ...; threshold 0.25, SpeechBrain's {@code verify_files} default).
 * Audio is downmixed and resampled to the model's rate first.
 */
public final class SpeakerVerifier {
  /**
   * SpeechBrain's default decision threshold on the cosine score ({@code
   * SpeakerRecognition.verify_batch}).
   */
  public static final double SPEECHBRAIN_THRESHOLD = 0.25;

  private final SpeakerEmbedder embedder;
  private final double threshold;
  private final Path folder;

  private SpeakerVerifier(SpeakerEmbedder embedder, double threshold, Path folder) {
    this.embedder = embedder;
    this.threshold = threshold;
    this.folder = folder;
  }

  /**
   * A verification decision.
   *
   * @param score cosine similarity of the two embeddings, in [-1, 1]
   * @param sameSpeaker whether {@code score >= threshold}
   * @param threshold the threshold used
   */
  public record Decision(double score, boolean sameSpeaker, double threshold) {}

  /**
   * Loads a Sonus run folder or a SpeechBrain model folder.
   *
   * @throws IllegalArgumentException naming the folder when it is neither, or its model does not
   *     embed speech
   */
  public static SpeakerVerifier load(Path folder) {
    return load(folder, LoadOptions.runFolder());
  }

  /** {@link #load(Path)} with the given trust for a Sonus run folder. */
  public static SpeakerVerifier load(Path folder, LoadOptions options) {
    if (!Files.isDirectory(folder)) {
      throw new IllegalArgumentException("model folder " + folder + " does not exist");
    }
    boolean sonusRun = Files.isRegularFile(folder.resolve("hparams.yaml"));
    if (!sonusRun && !SpeechBrainFolder.isOne(folder)) {
      throw new IllegalArgumentException(
          folder
              + " is neither a Sonus run folder (no hparams.yaml: give the "
              + "output_folder of a 'sonus train' speaker run) nor a SpeechBrain model folder (no hyperparams.yaml)");
    }
    if (!sonusRun) {
      return new SpeakerVerifier(SpeechBrainFolder.load(folder), SPEECHBRAIN_THRESHOLD, folder);
    }
    SpeakerEmbedder embedder =
        RunFolder.load(folder, options)
            .experimentAs(
                SpeakerEmbedder.class,
                "compute speaker embeddings; load a speaker recognition run");
    return new SpeakerVerifier(embedder, storedThreshold(folder), folder);
  }

  private static double storedThreshold(Path folder) {
    Path file = folder.resolve("verification.json");
    return Files.isRegularFile(file)
        ? JsonFile.read(file).number("threshold")
        : SPEECHBRAIN_THRESHOLD;
  }

  /** Embedding of an audio file (WAV or FLAC, any rate). */
  public float[] embed(Path audio) {
    return embedAll(List.of(audio))[0];
  }

  /** Embedding of mono samples at {@code sampleRate} Hz. */
  public synchronized float[] embed(float[] samples, int sampleRate) {
    if (samples == null || samples.length == 0) {
      throw new IllegalArgumentException("no samples to embed");
    }
    float[] signal =
        sampleRate == embedder.sampleRate()
            ? samples
            : Resample.resample(samples, sampleRate, embedder.sampleRate());
    return embedder.embed(List.of(signal))[0];
  }

  /** Embeddings of files, in batches of 8; one row per file. */
  public float[][] embedAll(List<Path> files) {
    List<float[]> out = new ArrayList<>();
    for (int start = 0; start < files.size(); start += 8) {
      List<float[]> signals = new ArrayList<>();
      for (Path f : files.subList(start, Math.min(files.size(), start + 8))) {
        signals.add(AudioIO.readMono(f, embedder.sampleRate()).channel(0));
      }
      synchronized (this) {
        out.addAll(List.of(embedder.embed(signals)));
      }
    }
    return out.toArray(new float[0][]);
  }

  /** Cosine score and decision for two recordings. */
  public Decision verify(Path a, Path b) {
    float[][] e = embedAll(List.of(a, b));
    double score = CosineScoring.cosine(e[0], e[1]);
    return new Decision(score, score >= threshold, threshold);
  }

  /** The decision threshold on the cosine score. */
  public double threshold() {
    return threshold;
  }

  /** Rate the model runs at, Hz. */
  public int sampleRate() {
    return embedder.sampleRate();
  }

  /** The folder the model came from. */
  public Path folder() {
    return folder;
  }

  /**
   * The underlying embedder (for SpeechBrain folders, with {@code normalize} and classifier access
   * in-package).
   */
  SpeakerEmbedder embedder() {
    return embedder;
  }
}
