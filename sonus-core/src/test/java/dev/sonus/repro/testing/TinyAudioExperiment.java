package dev.sonus.repro.testing;

import dev.sonus.data.AudioPipelines;
import dev.sonus.data.Batch;
import dev.sonus.data.DynamicItemDataset;
import dev.sonus.data.Manifest;
import dev.sonus.data.Pipeline;
import dev.sonus.train.Experiment;
import dev.sonus.train.Stage;
import java.util.List;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Predicts a manifest column {@code y} from three loudness statistics of the recording (for runner
 * tests).
 */
public final class TinyAudioExperiment implements Experiment<Tensor> {
  private final Module model = new Module("tiny_audio");
  private final LinearImpl linear;
  private final List<String> audioColumns;

  /** Builds the model (its initial weights come from libtorch's seeded generator). */
  public TinyAudioExperiment() {
    this(List.of("wav"));
  }

  /** The same, declaring these audio columns; the statistics come from the first. */
  public TinyAudioExperiment(List<String> audioColumns) {
    this.audioColumns = List.copyOf(audioColumns);
    linear = model.register_module("w", new LinearImpl(3, 1));
  }

  @Override
  public List<String> audioColumns() {
    return audioColumns;
  }

  @Override
  public Module model() {
    return model;
  }

  @Override
  public DynamicItemDataset dataset(Manifest manifest, Stage stage) {
    return DynamicItemDataset.fromManifest(manifest)
        .addPipeline(AudioPipelines.readAudio(audioColumns.get(0), "sig", 8000))
        .addPipeline(
            Pipeline.of(
                "sig",
                "stats",
                s -> {
                  float[] x = (float[]) s;
                  double sum = 0;
                  double sq = 0;
                  double peak = 0;
                  for (float v : x) {
                    sum += Math.abs(v);
                    sq += v * v;
                    peak = Math.max(peak, Math.abs(v));
                  }
                  return new float[] {
                    (float) (sum / x.length), (float) Math.sqrt(sq / x.length), (float) peak
                  };
                }))
        .addPipeline(
            Pipeline.of("y", "target", y -> new float[] {Float.parseFloat(String.valueOf(y))}))
        .withOutputKeys("id", "stats", "target");
  }

  @Override
  public Tensor computeForward(Batch batch, Stage stage) {
    return linear.forward(batch.padded("stats").data().mul(new Scalar(10.0)));
  }

  @Override
  public Tensor computeObjectives(Tensor predictions, Batch batch, Stage stage) {
    return predictions.sub(batch.padded("target").data()).pow(new Scalar(2.0)).mean();
  }
}
