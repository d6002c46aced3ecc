package dev.sonus.experiments;

import dev.sonus.data.AudioPipelines;
import dev.sonus.data.Batch;
import dev.sonus.data.DynamicItemDataset;
import dev.sonus.data.Manifest;
import dev.sonus.data.PaddedData;
import dev.sonus.data.Pipeline;
import dev.sonus.decode.VadBoundaries;
import dev.sonus.features.FeatureExtractor;
import dev.sonus.features.InputNormalization;
import dev.sonus.models.Encoder;
import dev.sonus.nn.Linear;
import dev.sonus.tensor.Tensors;
import dev.sonus.train.Experiment;
import dev.sonus.train.Stage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Voice activity detection, SpeechBrain's LibriParty VAD recipe as a task: features → normalisation
 * → the encoder slot (SpeechBrain's VAD uses a small CRDNN) → one linear output per frame → a
 * speech probability (sigmoid); binary cross-entropy against frame targets made from the manifest's
 * {@code speech} column, over each utterance's valid frames only.
 *
 * <p>Manifest columns: {@code wav} and {@code speech}, the speech segments of the recording as
 * {@code "start end start end ..."} in seconds (SpeechBrain's annotation format; empty for a
 * recording without speech). Frame {@code t} is a speech target when its start {@code t · hop} lies
 * inside a segment.
 *
 * <p>Metrics: {@code loss} on every stage; on validation and test the frame-level {@code
 * precision}, {@code recall} and {@code F1} (percent) of the probabilities thresholded at 0.5.
 */
public final class VoiceActivity
    implements Experiment<VoiceActivity.Output>, dev.sonus.inference.SpeechActivityModel {
  /**
   * The slots.
   *
   * @param features waveform to features ({@code features}); required, with a fixed hop
   * @param normalize feature normalisation ({@code normalize}); null for sentence mean and variance
   * @param encoder the frame encoder ({@code encoder}); required, keeping the frame rate
   */
  public record Options(FeatureExtractor features, InputNormalization normalize, Encoder encoder) {
    /** Nothing set: the recipe gives features and encoder. */
    public static Options defaults() {
      return new Options(null, null, null);
    }
  }

  /**
   * The forward pass's result.
   *
   * @param logits {@code [B, T]} speech logits
   * @param relLengths {@code [B]} valid fraction of {@code T}
   */
  public record Output(Tensor logits, Tensor relLengths) {}

  private final FeatureExtractor features;
  private final Module model = new Module("VoiceActivity");
  private final InputNormalization normalize;
  private final Encoder encoder;
  private final Linear out;
  private final int hop;
  private long tp;
  private long fp;
  private long fn;

  /** Creates the task; see {@link Options}. */
  public VoiceActivity(Options options) {
    FeatureExtractor f = options.features();
    Encoder enc = options.encoder();
    if (f == null || enc == null) {
      throw new IllegalArgumentException(
          "features and encoder are required, e.g. features: !new:features.Fbank {n_mels: 40} and"
              + " encoder: !new:models.CRDNN {input_size: 40, time_pooling: false}");
    }
    SlotChecks.sameSize(f, enc.inputSize(), "encoder's input_size");
    int h;
    try {
      h = f.hopSamples();
    } catch (UnsupportedOperationException e) {
      throw new IllegalArgumentException(
          "voice activity labels frames in time, but the features have no fixed hop: "
              + e.getMessage(),
          e);
    }
    this.features = f;
    this.hop = h;
    this.normalize =
        model.register_module(
            "normalize", SlotChecks.normalizeOrDefault(options.normalize(), true));
    this.encoder = enc;
    model.register_module("enc", enc.module());
    this.out = model.register_module("out", new Linear(enc.outputSize(), 1, true));
  }

  @Override
  public Module model() {
    return model;
  }

  @Override
  public int sampleRate() {
    return features.sampleRate();
  }

  @Override
  public double frameShift() {
    return (double) hop / features.sampleRate();
  }

  @Override
  public DynamicItemDataset dataset(Manifest manifest, Stage stage) {
    RunLabels.requireColumns(
        manifest,
        List.of("wav", "speech"),
        "voice activity needs wav (audio path) and speech (\"start end ...\" in seconds)");
    return DynamicItemDataset.fromManifest(manifest)
        .addPipeline(AudioPipelines.readAudio("wav", "sig", sampleRate()))
        .addPipeline(AudioPipelines.features("sig", "feats", features))
        .addPipeline(
            new Pipeline(
                List.of("feats", "speech"),
                List.of("targets"),
                (in, ctx) ->
                    new Object[] {
                      targets(((float[][]) in[0]).length, segments(String.valueOf(in[1])))
                    }))
        .withOutputKeys("id", "feats", "targets");
  }

  /**
   * The speech segments of an annotation {@code "start end start end ..."}.
   *
   * @throws IllegalArgumentException naming the text when it is not pairs of seconds in order
   */
  public static List<VadBoundaries.Segment> segments(String speech) {
    String text = speech == null || speech.equals("null") ? "" : speech.strip();
    List<VadBoundaries.Segment> out = new ArrayList<>();
    if (text.isEmpty()) {
      return out;
    }
    String[] f = text.split("\\s+");
    if (f.length % 2 != 0) {
      throw new IllegalArgumentException(
          "speech '" + speech + "' has an odd number of times; give start end pairs in seconds");
    }
    for (int i = 0; i < f.length; i += 2) {
      double a;
      double b;
      try {
        a = Double.parseDouble(f[i]);
        b = Double.parseDouble(f[i + 1]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "speech '" + speech + "': '" + f[i] + " " + f[i + 1] + "' is not two numbers", e);
      }
      if (!(a >= 0 && b >= a) || !Double.isFinite(b)) {
        throw new IllegalArgumentException(
            "speech '" + speech + "': segment " + f[i] + " to " + f[i + 1] + " is not in order");
      }
      out.add(new VadBoundaries.Segment(a, b));
    }
    return out;
  }

  private float[] targets(int frames, List<VadBoundaries.Segment> speech) {
    float[] t = new float[frames];
    double shift = frameShift();
    for (VadBoundaries.Segment s : speech) {
      int from = (int) Math.ceil(s.start() / shift - 1e-9);
      int to = Math.min(frames, (int) Math.ceil(s.end() / shift - 1e-9));
      for (int i = Math.max(0, from); i < to; i++) {
        t[i] = 1;
      }
    }
    return t;
  }

  @Override
  public Output computeForward(Batch batch, Stage stage) {
    PaddedData feats = batch.padded("feats");
    Tensor x = normalize.forward(feats.data(), feats.relLengths(), -1);
    Encoder.Output h = encoder.encode(x, feats.relLengths());
    return new Output(out.forward(h.output()).squeeze(-1), h.relLengths());
  }

  @Override
  public Tensor computeObjectives(Output o, Batch batch, Stage stage) {
    PaddedData targets = batch.padded("targets");
    Tensor y = targets.data();
    long frames = Math.min(y.size(1), o.logits().size(1));
    Tensor logits = o.logits().narrow(1, 0, frames);
    y = y.narrow(1, 0, frames);
    Tensor mask =
        torch
            .arange(new Scalar(frames))
            .unsqueeze(0)
            .lt(targets.relLengths().mul(new Scalar((double) frames)).round().unsqueeze(1))
            .to(torch.ScalarType.Float);
    Tensor perFrame =
        torch.binary_cross_entropy_with_logits(
            logits, y, new TensorOptional(), new TensorOptional(), 0);
    Tensor loss = perFrame.mul(mask).sum().div(mask.sum().clamp_min(new Scalar(1.0)));
    if (stage != Stage.TRAIN) {
      try (NoGradGuard g = new NoGradGuard()) {
        Tensor hyp = logits.gt(new Scalar(0.0)).to(torch.ScalarType.Float).mul(mask);
        Tensor ref = y.mul(mask);
        long both = (long) hyp.mul(ref).sum().item_double();
        tp += both;
        fp += (long) hyp.sum().item_double() - both;
        fn += (long) ref.sum().item_double() - both;
      }
    }
    return loss;
  }

  @Override
  public void onStageStart(Stage stage, int epoch) {
    tp = 0;
    fp = 0;
    fn = 0;
  }

  @Override
  public Map<String, Double> onStageEnd(Stage stage, int epoch, double averageLoss) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("loss", averageLoss);
    if (stage != Stage.TRAIN) {
      double p = tp + fp == 0 ? 0 : 100.0 * tp / (tp + fp);
      double r = tp + fn == 0 ? 0 : 100.0 * tp / (tp + fn);
      m.put("precision", p);
      m.put("recall", r);
      m.put("F1", p + r == 0 ? 0 : 2 * p * r / (p + r));
    }
    return m;
  }

  /**
   * Frame-level speech probabilities of a recording at the task's rate, {@code [frames]}, computed
   * in chunks of {@code chunkSeconds} so that a long file takes bounded memory.
   */
  @Override
  public float[] speechProbabilities(float[] samples, double chunkSeconds) {
    int chunk = (int) Math.max(hop, Math.round(chunkSeconds * sampleRate() / hop) * hop);
    boolean wasTraining = model.is_training();
    model.eval();
    List<float[]> parts = new ArrayList<>();
    try {
      for (int start = 0; start < samples.length; start += chunk) {
        int len = Math.min(chunk, samples.length - start);
        float[] piece = java.util.Arrays.copyOfRange(samples, start, start + len);
        try (PointerScope scope = new PointerScope();
            NoGradGuard noGrad = new NoGradGuard();
            Batch batch = AudioPipelines.featureBatch(List.of(piece), features)) {
          Output o = computeForward(batch, Stage.TEST);
          float[] p = Tensors.toFloats(torch.sigmoid(o.logits()).squeeze(0).contiguous());
          // a chunk's frames cover its samples; drop the one past its end so chunks line up
          int keep = Math.min(p.length, (len + hop - 1) / hop);
          parts.add(java.util.Arrays.copyOf(p, keep));
        }
      }
    } finally {
      model.train(wasTraining);
    }
    int total = parts.stream().mapToInt(a -> a.length).sum();
    float[] all = new float[total];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT, "VoiceActivity(features=%s, encoder=%s, hop=%d)", features, encoder, hop);
  }
}
