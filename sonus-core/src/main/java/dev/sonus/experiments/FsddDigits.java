package dev.sonus.experiments;

import dev.sonus.data.AudioPipelines;
import dev.sonus.data.Batch;
import dev.sonus.data.DynamicItemDataset;
import dev.sonus.data.Manifest;
import dev.sonus.data.PaddedData;
import dev.sonus.data.Pipeline;
import dev.sonus.features.Fbank;
import dev.sonus.nn.Lengths;
import dev.sonus.train.Experiment;
import dev.sonus.train.Stage;
import java.util.Map;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Spoken-digit classification on FSDD with a deliberately small model: Fbank features,
 * per-utterance mean and standard deviation over the valid frames (statistics pooling), and one
 * linear layer to 10 classes, trained with negative log-likelihood. It exists to exercise the whole
 * training path on real recordings in seconds; it reports {@code loss} and {@code error_rate}
 * (fraction of misclassified utterances).
 */
public final class FsddDigits implements Experiment<Tensor> {
  private final int sampleRate;
  private final Fbank fbank;
  private final Module model = new Module("fsdd_digits");
  private final LinearImpl output;
  private long errors;
  private long seen;

  /**
   * Creates the experiment.
   *
   * @param sampleRate rate the recordings are resampled to, Hz
   * @param nMels Fbank filters
   */
  public FsddDigits(int sampleRate, int nMels) {
    this.sampleRate = sampleRate;
    this.fbank = new Fbank(sampleRate, nMels);
    this.output = model.register_module("output", new LinearImpl(2L * nMels, 10));
  }

  @Override
  public Module model() {
    return model;
  }

  @Override
  public DynamicItemDataset dataset(Manifest manifest, Stage stage) {
    return DynamicItemDataset.fromManifest(manifest)
        .addPipeline(AudioPipelines.readAudio("wav", "sig", sampleRate))
        .addPipeline(AudioPipelines.features("sig", "feats", fbank))
        .addPipeline(
            Pipeline.of(
                "digit",
                "label",
                d -> {
                  int digit = Integer.parseInt(String.valueOf(d).trim());
                  if (digit < 0 || digit > 9) {
                    throw new IllegalArgumentException("digit column is " + d + "; expected 0-9");
                  }
                  return new long[] {digit};
                }))
        .withOutputKeys("id", "feats", "label");
  }

  @Override
  public Tensor computeForward(Batch batch, Stage stage) {
    PaddedData feats = batch.padded("feats");
    Tensor x = feats.data(); // [B, T, F]
    long frames = x.size(1);
    Tensor mask = Lengths.roundedMask(feats.relLengths(), frames).unsqueeze(2); // [B, T, 1]
    Tensor count = mask.sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
    Tensor mean =
        x.mul(mask)
            .sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional())
            .div(count);
    Tensor centred = x.sub(mean.unsqueeze(1)).mul(mask);
    Tensor std =
        centred
            .pow(new Scalar(2.0))
            .sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional())
            .div(count)
            .add(new Scalar(1e-5))
            .sqrt();
    Tensor pooled =
        torch.cat(
            new org.bytedeco.pytorch.TensorVector(
                mean.div(new Scalar(10.0)), std.div(new Scalar(10.0))),
            1); // [B, 2F], scaled to order 1
    return torch.log_softmax(output.forward(pooled), 1);
  }

  @Override
  public Tensor computeObjectives(Tensor logProbs, Batch batch, Stage stage) {
    Tensor labels = batch.padded("label").data().squeeze(1); // [B]
    Tensor predicted = logProbs.argmax(new org.bytedeco.pytorch.LongOptional(1), false);
    errors += predicted.ne(labels).sum().item_long();
    seen += labels.size(0);
    return torch.nll_loss(logProbs, labels);
  }

  @Override
  public void onStageStart(Stage stage, int epoch) {
    errors = 0;
    seen = 0;
  }

  @Override
  public Map<String, Double> onStageEnd(Stage stage, int epoch, double averageLoss) {
    return Map.of(
        "loss", averageLoss, "error_rate", seen == 0 ? Double.NaN : (double) errors / seen);
  }
}
