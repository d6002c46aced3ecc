package dev.sonus.inference;

import dev.sonus.audio.AudioIO;
import dev.sonus.audio.Resample;
import dev.sonus.config.Hparams;
import dev.sonus.config.HyperYaml;
import dev.sonus.train.Checkpointer;
import dev.sonus.train.Experiment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Speech to text with a trained run folder, from Java:
 *
 * <pre>{@code
 * Transcriber asr = Transcriber.load(Path.of("results/fsdd/asr-ctc/1986"));
 * String text = asr.transcribe(Path.of("recording.wav"));          // any rate, any channel count
 * String same = asr.transcribe(samples, 8000);                      // mono float samples in [-1, 1]
 * }</pre>
 *
 * <p>{@link #load} rebuilds the recipe's {@code experiment} from the folder's {@code hparams.yaml} (nothing else
 * in the recipe runs: no data preparation), lets it read its files from the folder (e.g. the label encoder) and
 * loads the best checkpoint's weights (by the recipe's {@code ckpt_metric}; the most advanced one when none
 * recorded it). Audio is downmixed to mono and resampled to the model's rate, exactly as the training data
 * pipeline does. A transcriber is safe to share between threads (calls are serialised).
 */
public final class Transcriber {
  private static final Set<String> KEYS = Set.of("experiment", "ckpt_metric", "ckpt_minimize");
  private final SpeechRecognizer recognizer;
  private final Path folder;
  private final Path checkpoint;

  private Transcriber(SpeechRecognizer recognizer, Path folder, Path checkpoint) {
    this.recognizer = recognizer;
    this.folder = folder;
    this.checkpoint = checkpoint;
  }

  /**
   * Loads a trained run folder (the {@code output_folder} of {@code sonus train}).
   *
   * @throws IllegalArgumentException naming the folder when it is not a run folder, its experiment cannot
   *     transcribe, or it has no valid checkpoint
   */
  public static Transcriber load(Path runFolder) {
    Loaded loaded = loadRun(runFolder);
    if (!(loaded.experiment() instanceof SpeechRecognizer recognizer)) {
      throw new IllegalArgumentException(runFolder + ": its experiment " + loaded.experiment().getClass().getName()
          + " does not transcribe speech (it is not a SpeechRecognizer); load a speech recognition run");
    }
    return new Transcriber(recognizer, runFolder, loaded.checkpoint());
  }

  /**
   * A run folder's experiment with its trained weights, in eval mode.
   *
   * @param experiment the recipe's experiment, its run folder set
   * @param checkpoint the checkpoint the weights came from
   * @param hparams the other keys read from {@code hparams.yaml}
   */
  public record Loaded(Experiment<?> experiment, Path checkpoint, Hparams hparams) {}

  /**
   * Rebuilds a run folder's experiment and loads its best weights; {@code extraKeys} are further top-level
   * recipe keys to build (e.g. {@code test_data}), returned in {@link Loaded#hparams()}.
   */
  public static Loaded loadRun(Path runFolder, String... extraKeys) {
    Path yaml = runFolder.resolve("hparams.yaml");
    if (!Files.isDirectory(runFolder)) {
      throw new IllegalArgumentException("model folder " + runFolder + " does not exist; give the output_folder of "
          + "a finished 'sonus train' run");
    }
    if (!Files.isRegularFile(yaml)) {
      throw new IllegalArgumentException(runFolder + " has no hparams.yaml: not a Sonus run folder (give the "
          + "output_folder of a 'sonus train' run)");
    }
    Set<String> keys = new java.util.HashSet<>(KEYS);
    keys.addAll(List.of(extraKeys));
    Hparams h = HyperYaml.loadKeys(yaml, keys);
    if (!h.contains("experiment")) {
      throw new IllegalArgumentException(yaml + " has no 'experiment' key; it was not written by a Sonus recipe run");
    }
    Object built = h.get("experiment");
    if (!(built instanceof Experiment<?> experiment)) {
      throw new IllegalArgumentException(yaml + ": 'experiment' is a " + built.getClass().getName()
          + ", not a dev.sonus.train.Experiment");
    }
    experiment.useRunFolder(runFolder);
    String metric = h.contains("ckpt_metric") ? h.getString("ckpt_metric") : "loss";
    boolean minimize = !h.contains("ckpt_minimize") || h.getBoolean("ckpt_minimize");
    Path checkpoint = Checkpointer.loadModel(runFolder.resolve("checkpoints"), experiment.model(), metric, minimize);
    experiment.model().eval();
    return new Loaded(experiment, checkpoint, h);
  }

  /** Transcribes an audio file (WAV or FLAC, any rate and channel count). */
  public String transcribe(Path audio) {
    return transcribeAll(List.of(audio)).get(0);
  }

  /**
   * Transcribes mono samples.
   *
   * @param samples the waveform, floats in [-1, 1]
   * @param sampleRate its rate, Hz; resampled to the model's rate when different
   */
  public String transcribe(float[] samples, int sampleRate) {
    if (samples == null || samples.length == 0) {
      throw new IllegalArgumentException("no samples to transcribe");
    }
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sample rate is " + sampleRate + "; give the rate of the samples in Hz");
    }
    float[] signal = sampleRate == recognizer.sampleRate() ? samples
        : Resample.resample(samples, sampleRate, recognizer.sampleRate());
    synchronized (this) {
      return recognizer.transcribe(List.of(signal)).get(0);
    }
  }

  /** Transcribes files in batches; one text per file, in order. */
  public List<String> transcribeAll(List<Path> files) {
    List<String> out = new ArrayList<>(files.size());
    int batch = 16;
    for (int start = 0; start < files.size(); start += batch) {
      List<float[]> signals = new ArrayList<>();
      for (Path f : files.subList(start, Math.min(files.size(), start + batch))) {
        signals.add(AudioIO.readMono(f, recognizer.sampleRate()).channel(0));
      }
      synchronized (this) {
        out.addAll(recognizer.transcribe(signals));
      }
    }
    return out;
  }

  /** The run folder this model came from. */
  public Path folder() {
    return folder;
  }

  /** The checkpoint whose weights are used. */
  public Path checkpoint() {
    return checkpoint;
  }

  /** Rate the model runs at, Hz. */
  public int sampleRate() {
    return recognizer.sampleRate();
  }

  @Override
  public String toString() {
    return "Transcriber(" + folder + ", " + checkpoint.getFileName() + ")";
  }
}
