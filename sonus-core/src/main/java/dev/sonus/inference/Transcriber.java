package dev.sonus.inference;

import dev.sonus.audio.AudioIO;
import dev.sonus.audio.Resample;
import dev.sonus.config.LoadOptions;
import dev.sonus.run.RunFolder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Speech to text with a trained run folder, from Java:
 *
 * <pre>{@code
 * Transcriber asr = Transcriber.load(Path.of("results/fsdd/asr-ctc/1986"));
 * String text = asr.transcribe(Path.of("recording.wav"));          // any rate, any channel count
 * String same = asr.transcribe(samples, 8000);                      // mono float samples in [-1, 1]
 * }</pre>
 *
 * <p>{@link #load} reopens the run folder with {@link RunFolder#load}: the recipe's {@code
 * experiment}, its files (the label encoder) and its best checkpoint's weights; the recipe's
 * decoder is used unless one is given. Audio is downmixed to mono and resampled to the model's
 * rate, exactly as the training data pipeline does. A transcriber is safe to share between threads
 * (calls are serialised).
 */
public final class Transcriber {
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
   * @throws IllegalArgumentException naming the folder when it is not a run folder, its experiment
   *     cannot transcribe, or it has no valid checkpoint
   */
  public static Transcriber load(Path runFolder) {
    return load(runFolder, LoadOptions.runFolder(), null);
  }

  /**
   * Loads a trained run folder with the given trust (see {@link RunFolder#load(Path, LoadOptions,
   * String...)}) and, when {@code decoding} is not null, another CTC decoder.
   */
  public static Transcriber load(Path runFolder, LoadOptions options, Decoding.Change decoding) {
    RunFolder.Loaded loaded = RunFolder.load(runFolder, options);
    SpeechRecognizer recognizer =
        loaded.experimentAs(
            SpeechRecognizer.class, "transcribe speech; load a speech recognition run");
    Transcriber t = new Transcriber(recognizer, runFolder, loaded.checkpoint());
    Decoding.apply(t.recognizer, decoding);
    return t;
  }

  /**
   * Loads a trained run folder and replaces the recipe's CTC decoder (e.g. a beam search with a
   * language model for evaluation); see {@link Decoding#override}.
   */
  public static Transcriber load(Path runFolder, Decoding.Change decoding) {
    return load(runFolder, LoadOptions.runFolder(), decoding);
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
      throw new IllegalArgumentException(
          "sample rate is " + sampleRate + "; give the rate of the samples in Hz");
    }
    float[] signal =
        sampleRate == recognizer.sampleRate()
            ? samples
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
