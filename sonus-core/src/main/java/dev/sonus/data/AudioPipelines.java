package dev.sonus.data;

import dev.sonus.audio.AudioIO;
import dev.sonus.features.FeatureExtractor;
import dev.sonus.tensor.Tensors;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;

/** Ready-made pipeline steps for audio datasets. */
public final class AudioPipelines {
  private AudioPipelines() {}

  /**
   * Reads the audio file named by {@code take} (a path string, or a JSON object with a {@code file}
   * entry), downmixes to mono and resamples to {@code sampleRate} Hz: provides a {@code float[]}.
   */
  public static Pipeline readAudio(String take, String provide, int sampleRate) {
    return Pipeline.of(
        take, provide, value -> AudioIO.readMono(audioPath(value), sampleRate).channel(0));
  }

  /** Computes the features of a {@code float[]} waveform: provides {@code float[frames][dims]}. */
  public static Pipeline features(String take, String provide, FeatureExtractor features) {
    return Pipeline.of(take, provide, value -> frames(features, (float[]) value));
  }

  /**
   * Features of one waveform as {@code float[frames][dims]}, as the {@link #features} step computes
   * them.
   */
  public static float[][] frames(FeatureExtractor features, float[] samples) {
    try (PointerScope scope = new PointerScope()) {
      return Tensors.toRows(features.forward(Tensors.fromFloats(samples, 1, samples.length)));
    }
  }

  /**
   * Features of several waveforms collated into one padded batch ({@code id} "0", "1", ...; {@code
   * feats} {@code [B, T, dims]} with relative lengths), as a data loader would make it from the
   * {@link #features} step. The caller closes the batch.
   *
   * @throws IllegalArgumentException naming the index of an empty waveform
   */
  public static Batch featureBatch(java.util.List<float[]> signals, FeatureExtractor features) {
    java.util.List<Map<String, Object>> items = new java.util.ArrayList<>();
    for (int i = 0; i < signals.size(); i++) {
      if (signals.get(i).length == 0) {
        throw new IllegalArgumentException(
            "signal " + i + " is empty; there is nothing to compute features of");
      }
      items.add(Map.of("id", Integer.toString(i), "feats", frames(features, signals.get(i))));
    }
    return Batch.collate(items);
  }

  /**
   * The file path in a manifest audio field: a string, or a map with {@code file} (SpeechBrain's
   * JSON style).
   */
  public static Path audioPath(Object value) {
    if (value instanceof Map<?, ?> m && m.get("file") != null) {
      return Path.of(String.valueOf(m.get("file")));
    }
    if (value == null) {
      throw new IllegalArgumentException("the audio field is empty");
    }
    return Path.of(String.valueOf(value));
  }
}
