package dev.sonus.experiments;

import dev.sonus.augment.Augmenter;
import dev.sonus.data.AudioPipelines;
import dev.sonus.data.Batch;
import dev.sonus.data.DynamicItemDataset;
import dev.sonus.data.Manifest;
import dev.sonus.data.PaddedData;
import dev.sonus.data.Pipeline;
import dev.sonus.features.Fbank;
import dev.sonus.features.FeatureExtractor;
import dev.sonus.features.InputNormalization;
import dev.sonus.inference.Embeddings;
import dev.sonus.inference.SpeakerEmbedder;
import dev.sonus.losses.AamSoftmax;
import dev.sonus.losses.ClassificationLoss;
import dev.sonus.metrics.CosineScoring;
import dev.sonus.metrics.VerificationMetrics;
import dev.sonus.models.ClassifierHead;
import dev.sonus.models.CosineClassifier;
import dev.sonus.models.EcapaTdnn;
import dev.sonus.models.EmbeddingModel;
import dev.sonus.tensor.AtomicFiles;
import dev.sonus.tensor.Tensors;
import dev.sonus.tokenize.LabelEncoder;
import dev.sonus.train.Experiment;
import dev.sonus.train.Stage;
import dev.sonus.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Utterance classification with embeddings, SpeechBrain's speaker-id recipe, as slots the recipe
 * fills: a feature extractor ({@code features}), sentence mean normalisation ({@code
 * mean_var_norm}), any {@link EmbeddingModel} ({@code embedding_model}: {@link EcapaTdnn}, {@link
 * dev.sonus.models.Xvector}, ...), a {@link ClassifierHead} ({@code classifier}; a {@link
 * CosineClassifier} by default) and a {@link ClassificationLoss} ({@code loss}; additive angular
 * margin softmax by default, {@code !new:losses.NllLoss {}} for a log-softmax head such as {@link
 * dev.sonus.models.XvectorClassifier}). The class is a manifest column: {@code spk_id} for speaker
 * identification, {@code digit} for spoken digits.
 *
 * <p>Metrics: {@code loss}, and on validation and test {@code error_rate} (fraction of utterances
 * whose nearest class is wrong). On the test stage the embeddings of every pair of test utterances
 * are also scored by cosine against each other — a trial is a target when both have the same class
 * — giving {@code EER} and {@code minDCF} (p_target 0.01), and the EER threshold is kept in the run
 * folder ({@code verification.json}) for {@code sonus verify}. The class labels are kept as {@code
 * label_encoder.txt}.
 */
public final class SpeakerClassifier
    implements Experiment<SpeakerClassifier.Output>, SpeakerEmbedder {
  /** File name of the verification threshold and figures in the run folder. */
  public static final String VERIFICATION_FILE = "verification.json";

  // the encoded class, named so that no manifest column (label, class, spk_id) collides with it
  private static final String CLASS_INDEX = "class_index";

  /**
   * The slots and settings, as a recipe gives them; unset slots take their defaults.
   *
   * @param features waveform to features; required
   * @param meanVarNorm feature normalisation ({@code mean_var_norm}); null for sentence mean
   *     normalisation
   * @param embeddingModel the embedding model; required, its input size must equal the features'
   * @param classifier the head; null for a cosine classifier over {@code outNeurons} classes
   * @param loss the loss; null for additive angular margin softmax with {@code margin} and {@code
   *     scale}
   * @param outNeurons classes ({@code out_neurons})
   * @param labelColumn manifest column holding the class ({@code spk_id}, {@code digit}, ...)
   * @param margin AAM margin (radians), when {@code loss} is not given
   * @param scale AAM scale, when {@code loss} is not given
   * @param wavAugment waveform augmentation of the training batches ({@code wav_augment}); each
   *     copy it adds keeps its utterance's label; null for none
   * @param feaAugment feature augmentation of the training batches after normalisation ({@code
   *     fea_augment}); null for none
   */
  public record Options(
      FeatureExtractor features,
      InputNormalization meanVarNorm,
      EmbeddingModel embeddingModel,
      ClassifierHead classifier,
      ClassificationLoss loss,
      int outNeurons,
      String labelColumn,
      double margin,
      double scale,
      Augmenter wavAugment,
      Augmenter feaAugment) {
    /**
     * SpeechBrain's speaker-id settings: spk_id, AAM margin 0.2 and scale 30; features and model to
     * be given.
     */
    public static Options defaults() {
      return new Options(null, null, null, null, null, 0, "spk_id", 0.2, 30, null, null);
    }
  }

  private final FeatureExtractor features;
  private final int outNeurons;
  private final String labelColumn;
  private final Module model = new Module("SpeakerClassifier");
  private final InputNormalization meanVarNorm;
  private final EmbeddingModel embeddingModel;
  private final ClassifierHead classifier;
  private final ClassificationLoss loss;
  private final RunLabels labels;
  private final Augmenter wavAugment;
  private final Augmenter feaAugment;
  private long errors;
  private long seen;
  private final List<float[]> testEmbeddings = new ArrayList<>();
  private final List<Integer> testLabels = new ArrayList<>();

  /**
   * What the forward pass returns.
   *
   * @param scores {@code [B, 1, classes]} (cosines, or log-probabilities, as the head gives them)
   * @param embeddings {@code [B, 1, embedding]}
   */
  public record Output(Tensor scores, Tensor embeddings, int[] source) {}

  /**
   * The short form of older recipes: Fbank with SpeechBrain's defaults at {@code sampleRate} and
   * {@code nMels}, a cosine classifier and AAM softmax.
   *
   * @param sampleRate rate the audio is resampled to, Hz
   * @param nMels Fbank filters; must equal the embedding model's input size
   * @param embeddingModel the embedding model
   * @param outNeurons classes ({@code out_neurons})
   * @param labelColumn manifest column holding the class ({@code spk_id}, {@code digit}, ...)
   * @param margin AAM margin (radians)
   * @param scale AAM scale
   */
  public SpeakerClassifier(
      int sampleRate,
      int nMels,
      EmbeddingModel embeddingModel,
      int outNeurons,
      String labelColumn,
      double margin,
      double scale) {
    this(
        new Options(
            new Fbank(sampleRate, nMels),
            null,
            embeddingModel,
            null,
            null,
            outNeurons,
            labelColumn,
            margin,
            scale,
            null,
            null));
  }

  /** Creates the experiment from its slots; see {@link Options}. */
  public SpeakerClassifier(Options options) {
    EmbeddingModel emb = options.embeddingModel();
    FeatureExtractor f = options.features();
    if (f == null) {
      throw new IllegalArgumentException(
          "features is missing; give the feature extractor, e.g. "
              + "features: !new:features.Fbank {sample_rate: 16000, n_mels: 80}");
    }
    if (emb == null) {
      throw new IllegalArgumentException(
          "embedding_model is missing; give one, e.g. !new:models.EcapaTdnn {}");
    }
    SlotChecks.sameSize(f, emb.inputSize(), "embedding model's input size");
    if (options.outNeurons() < 2) {
      throw new IllegalArgumentException(
          "out_neurons is " + options.outNeurons() + "; at least two classes are needed");
    }
    if (options.labelColumn() == null || options.labelColumn().isBlank()) {
      throw new IllegalArgumentException(
          "label_column is empty; name the manifest column with the class, " + "e.g. spk_id");
    }
    ClassifierHead head = options.classifier();
    if (head != null
        && (head.inputSize() != emb.embeddingSize() || head.classes() != options.outNeurons())) {
      throw new IllegalArgumentException(
          "the classifier takes "
              + head.inputSize()
              + " inputs for "
              + head.classes()
              + " classes but the embeddings have "
              + emb.embeddingSize()
              + " values and out_neurons is "
              + options.outNeurons()
              + "; make them agree");
    }
    this.features = f;
    this.outNeurons = options.outNeurons();
    this.labelColumn = options.labelColumn();
    this.meanVarNorm =
        model.register_module(
            "mean_var_norm", SlotChecks.normalizeOrDefault(options.meanVarNorm(), false));
    this.embeddingModel = emb;
    model.register_module("embedding_model", emb.module());
    this.classifier = head != null ? head : new CosineClassifier(emb.embeddingSize(), outNeurons);
    model.register_module("classifier", classifier.module());
    this.loss =
        options.loss() != null ? options.loss() : new AamSoftmax(options.margin(), options.scale());
    this.labels = new RunLabels("SpeakerClassifier", this::checkLabels);
    this.wavAugment = Augmentations.checkWaveform(options.wavAugment());
    this.feaAugment = Augmentations.checkFeature(options.feaAugment());
  }

  @Override
  public Module model() {
    return model;
  }

  @Override
  public int sampleRate() {
    return features.sampleRate();
  }

  /**
   * The class labels, once built from the training data or loaded from the run folder; else null.
   */
  public LabelEncoder labelEncoder() {
    return labels.get();
  }

  @Override
  public void useRunFolder(Path folder) {
    labels.useRunFolder(folder);
  }

  @Override
  public DynamicItemDataset dataset(Manifest manifest, Stage stage) {
    RunLabels.requireColumns(
        manifest,
        List.of("wav", labelColumn),
        "set label_column to the column holding the " + "class");
    LabelEncoder encoder =
        labels.forDataset(
            manifest,
            stage,
            labelColumn,
            m -> {
              LinkedHashSet<String> seenLabels = new LinkedHashSet<>();
              m.rows().forEach(r -> seenLabels.add(String.valueOf(r.get(labelColumn)).trim()));
              List<String> sorted = new ArrayList<>(seenLabels);
              java.util.Collections.sort(sorted);
              return LabelEncoder.of(sorted);
            });
    DynamicItemDataset ds =
        DynamicItemDataset.fromManifest(manifest)
            .addPipeline(AudioPipelines.readAudio("wav", "sig", sampleRate()))
            .addPipeline(AudioPipelines.features("sig", "feats", features))
            .addPipeline(
                Pipeline.of(
                    labelColumn,
                    CLASS_INDEX,
                    v -> new long[] {encoder.encode(String.valueOf(v).trim())}));
    return Augmentations.dataset(
        ds,
        List.of("id", "feats", CLASS_INDEX),
        stage == Stage.TRAIN ? wavAugment : null,
        sampleRate(),
        features);
  }

  private void checkLabels(LabelEncoder encoder, String source) {
    if (encoder.size() > outNeurons) {
      throw new IllegalArgumentException(
          String.format(
              "%s: there are %d classes (%s) but out_neurons is %d; set " + "out_neurons: %d",
              source, encoder.size(), encoder.labels(), outNeurons, encoder.size()));
    }
  }

  @Override
  public Output computeForward(Batch batch, Stage stage) {
    PaddedData feats = batch.padded("feats");
    Tensor x = meanVarNorm.forward(feats.data(), feats.relLengths(), -1);
    Augmenter.FeatureResult aug =
        Augmentations.features(feaAugment, stage, x, feats.relLengths(), batch);
    x = aug.feats();
    Tensor lens = aug.relLengths();
    int[] source = aug.source();
    Tensor emb = embeddingModel.embed(x, lens);
    return new Output(classifier.forward(emb), emb, source);
  }

  @Override
  public Tensor computeObjectives(Output out, Batch batch, Stage stage) {
    Tensor targets = Augmenter.replicate(batch.padded(CLASS_INDEX).data(), out.source()).squeeze(1);
    Tensor value = loss.forward(out.scores(), targets);
    if (stage != Stage.TRAIN) {
      long[] predicted =
          Tensors.toLongs(out.scores().squeeze(1).argmax(new LongOptional(1), false));
      long[] truth = Tensors.toLongs(targets);
      for (int i = 0; i < truth.length; i++) {
        errors += predicted[i] != truth[i] ? 1 : 0;
      }
      seen += truth.length;
      if (stage == Stage.TEST) {
        float[] flat = Tensors.toFloats(out.embeddings());
        int dim = (int) embeddingModel.embeddingSize();
        for (int i = 0; i < truth.length; i++) {
          testEmbeddings.add(Arrays.copyOfRange(flat, i * dim, (i + 1) * dim));
          testLabels.add((int) truth[i]);
        }
      }
    }
    return value;
  }

  @Override
  public void onStageStart(Stage stage, int epoch) {
    errors = 0;
    seen = 0;
    testEmbeddings.clear();
    testLabels.clear();
  }

  @Override
  public Map<String, Double> onStageEnd(Stage stage, int epoch, double averageLoss) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("loss", averageLoss);
    if (stage != Stage.TRAIN) {
      metrics.put("error_rate", seen == 0 ? Double.NaN : (double) errors / seen);
    }
    if (stage == Stage.TEST && testEmbeddings.size() > 1) {
      metrics.putAll(verify());
    }
    return metrics;
  }

  /**
   * Every pair of test utterances as a trial, cosine scores, EER and minDCF; keeps the EER
   * threshold.
   */
  private Map<String, Double> verify() {
    List<Double> target = new ArrayList<>();
    List<Double> nontarget = new ArrayList<>();
    for (int i = 0; i < testEmbeddings.size(); i++) {
      for (int j = i + 1; j < testEmbeddings.size(); j++) {
        double s = CosineScoring.cosine(testEmbeddings.get(i), testEmbeddings.get(j));
        (testLabels.get(i).equals(testLabels.get(j)) ? target : nontarget).add(s);
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    if (target.isEmpty() || nontarget.isEmpty()) {
      return out;
    }
    double[] t = target.stream().mapToDouble(Double::doubleValue).toArray();
    double[] n = nontarget.stream().mapToDouble(Double::doubleValue).toArray();
    VerificationMetrics.Eer eer = VerificationMetrics.eer(t, n);
    VerificationMetrics.MinDcf dcf = VerificationMetrics.minDcf(t, n, 1.0, 1.0, 0.01);
    out.put("EER", eer.eer());
    out.put("minDCF", dcf.minDcf());
    Path runFolder = labels.runFolder();
    if (runFolder != null) {
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("threshold", eer.threshold());
      record.put("threshold_from", "EER on all pairs of the test utterances");
      record.put("eer", eer.eer());
      record.put("min_dcf", dcf.minDcf());
      record.put("min_dcf_threshold", dcf.threshold());
      record.put("p_target", 0.01);
      record.put("target_trials", t.length);
      record.put("nontarget_trials", n.length);
      AtomicFiles.writeString(
          runFolder.resolve(VERIFICATION_FILE), Json.writePretty(record) + "\n");
    }
    return out;
  }

  @Override
  public float[][] embed(List<float[]> signals) {
    boolean wasTraining = model.is_training();
    model.eval();
    try {
      return Embeddings.compute(signals, features, meanVarNorm, embeddingModel, null);
    } finally {
      model.train(wasTraining);
    }
  }

  @Override
  public String toString() {
    return "SpeakerClassifier(label_column=" + labelColumn + ", out_neurons=" + outNeurons + ")";
  }
}
