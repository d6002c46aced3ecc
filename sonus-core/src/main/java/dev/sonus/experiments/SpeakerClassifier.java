package dev.sonus.experiments;

import dev.sonus.data.AudioPipelines;
import dev.sonus.data.Batch;
import dev.sonus.data.DynamicItemDataset;
import dev.sonus.data.Manifest;
import dev.sonus.data.PaddedData;
import dev.sonus.data.Pipeline;
import dev.sonus.features.Fbank;
import dev.sonus.features.InputNormalization;
import dev.sonus.inference.Embeddings;
import dev.sonus.inference.SpeakerEmbedder;
import dev.sonus.losses.AamSoftmax;
import dev.sonus.metrics.CosineScoring;
import dev.sonus.metrics.VerificationMetrics;
import dev.sonus.models.CosineClassifier;
import dev.sonus.models.EcapaTdnn;
import dev.sonus.tensor.AtomicFiles;
import dev.sonus.tensor.Tensors;
import dev.sonus.tokenize.LabelEncoder;
import dev.sonus.train.Experiment;
import dev.sonus.train.Stage;
import dev.sonus.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Utterance classification with ECAPA-TDNN embeddings, SpeechBrain's speaker-id recipe: Fbank, sentence mean
 * normalisation ({@code mean_var_norm}), {@link EcapaTdnn} ({@code embedding_model}), {@link CosineClassifier}
 * ({@code classifier}), additive angular margin softmax. The class is a manifest column: {@code spk_id} for
 * speaker identification, {@code digit} for spoken digits.
 *
 * <p>Metrics: {@code loss}, and on validation and test {@code error_rate} (fraction of utterances whose nearest
 * class is wrong). On the test stage the embeddings of every pair of test utterances are also scored by cosine
 * against each other — a trial is a target when both have the same class — giving {@code EER} and {@code minDCF}
 * (p_target 0.01), and the EER threshold is kept in the run folder ({@code verification.json}) for
 * {@code sonus verify}. The class labels are kept as {@code label_encoder.txt}.
 */
public final class SpeakerClassifier implements Experiment<SpeakerClassifier.Output>, SpeakerEmbedder {
  private static final Logger LOG = LoggerFactory.getLogger(SpeakerClassifier.class);
  /** File name of the verification threshold and figures in the run folder. */
  public static final String VERIFICATION_FILE = "verification.json";

  private final int sampleRate;
  private final Fbank fbank;
  private final int outNeurons;
  private final String labelColumn;
  private final Module model = new Module("SpeakerClassifier");
  private final InputNormalization meanVarNorm;
  private final EcapaTdnn embeddingModel;
  private final CosineClassifier classifier;
  private final AamSoftmax loss;
  private Path runFolder;
  private LabelEncoder labels;
  private long errors;
  private long seen;
  private final List<float[]> testEmbeddings = new ArrayList<>();
  private final List<Integer> testLabels = new ArrayList<>();

  /**
   * What the forward pass returns.
   *
   * @param cosines {@code [B, 1, classes]}
   * @param embeddings {@code [B, 1, embedding]}
   */
  public record Output(Tensor cosines, Tensor embeddings) {}

  /**
   * Creates the experiment.
   *
   * @param sampleRate rate the audio is resampled to, Hz
   * @param nMels Fbank filters; must equal the embedding model's input size
   * @param embeddingModel the ECAPA-TDNN
   * @param outNeurons classes ({@code out_n_neurons})
   * @param labelColumn manifest column holding the class ({@code spk_id}, {@code digit}, ...)
   * @param margin AAM margin (radians)
   * @param scale AAM scale
   */
  public SpeakerClassifier(int sampleRate, int nMels, EcapaTdnn embeddingModel, int outNeurons, String labelColumn,
      double margin, double scale) {
    if (embeddingModel == null) {
      throw new IllegalArgumentException("embedding_model is missing; give one, e.g. !new:models.EcapaTdnn {}");
    }
    if (embeddingModel.options().inputSize() != nMels) {
      throw new IllegalArgumentException("n_mels is " + nMels + " but the embedding model's input_size is "
          + embeddingModel.options().inputSize() + "; set both to the same value");
    }
    if (outNeurons < 2) {
      throw new IllegalArgumentException("out_neurons is " + outNeurons + "; at least two classes are needed");
    }
    if (labelColumn == null || labelColumn.isBlank()) {
      throw new IllegalArgumentException("label_column is empty; name the manifest column with the class, "
          + "e.g. spk_id");
    }
    this.sampleRate = sampleRate;
    this.fbank = new Fbank(sampleRate, nMels);
    this.outNeurons = outNeurons;
    this.labelColumn = labelColumn;
    this.meanVarNorm = model.register_module("mean_var_norm",
        new InputNormalization(InputNormalization.Type.SENTENCE, true, false));
    this.embeddingModel = model.register_module("embedding_model", embeddingModel);
    this.classifier = model.register_module("classifier",
        new CosineClassifier(embeddingModel.embeddingSize(), outNeurons));
    this.loss = new AamSoftmax(margin, scale);
  }

  @Override
  public Module model() {
    return model;
  }

  @Override
  public int sampleRate() {
    return sampleRate;
  }

  /** The class labels, once built from the training data or loaded from the run folder; else null. */
  public LabelEncoder labelEncoder() {
    return labels;
  }

  @Override
  public void useRunFolder(Path folder) {
    this.runFolder = folder;
    Path file = folder.resolve(CtcAsr.LABEL_ENCODER_FILE);
    if (Files.isRegularFile(file)) {
      useLabels(LabelEncoder.load(file), file.toString());
    }
  }

  @Override
  public DynamicItemDataset dataset(Manifest manifest, Stage stage) {
    for (String column : List.of("wav", labelColumn)) {
      if (!manifest.keys().contains(column)) {
        throw new IllegalArgumentException(manifest.source() + " has no '" + column + "' column (it has "
            + manifest.keys() + "); set label_column to the column holding the class");
      }
    }
    if (labels == null) {
      if (stage != Stage.TRAIN) {
        throw new IllegalStateException("no label encoder: build the training dataset first, or load a run folder "
            + "that has " + CtcAsr.LABEL_ENCODER_FILE);
      }
      LinkedHashSet<String> seenLabels = new LinkedHashSet<>();
      manifest.rows().forEach(r -> seenLabels.add(String.valueOf(r.get(labelColumn)).trim()));
      List<String> sorted = new ArrayList<>(seenLabels);
      java.util.Collections.sort(sorted);
      LabelEncoder built = LabelEncoder.of(sorted);
      useLabels(built, manifest.source() + " (" + labelColumn + " column)");
      if (runFolder != null) {
        built.save(runFolder.resolve(CtcAsr.LABEL_ENCODER_FILE));
      }
      LOG.info("{} classes {} from {}", built.size(), built.labels(), manifest.source());
    }
    LabelEncoder encoder = labels;
    return DynamicItemDataset.fromManifest(manifest)
        .addPipeline(AudioPipelines.readAudio("wav", "sig", sampleRate))
        .addPipeline(AudioPipelines.fbank("sig", "feats", fbank))
        .addPipeline(Pipeline.of(labelColumn, "label", v -> new long[] {encoder.encode(String.valueOf(v).trim())}))
        .withOutputKeys("id", "feats", "label");
  }

  private void useLabels(LabelEncoder encoder, String source) {
    if (encoder.size() > outNeurons) {
      throw new IllegalArgumentException(String.format("%s: there are %d classes (%s) but out_neurons is %d; set "
          + "out_neurons: %d", source, encoder.size(), encoder.labels(), outNeurons, encoder.size()));
    }
    this.labels = encoder;
  }

  @Override
  public Output computeForward(Batch batch, Stage stage) {
    PaddedData feats = batch.padded("feats");
    Tensor x = meanVarNorm.forward(feats.data(), feats.relLengths(), -1);
    Tensor emb = embeddingModel.forwardIndependent(x, feats.relLengths());
    return new Output(classifier.forward(emb), emb);
  }

  @Override
  public Tensor computeObjectives(Output out, Batch batch, Stage stage) {
    Tensor targets = batch.padded("label").data().squeeze(1);
    Tensor value = loss.forward(out.cosines(), targets);
    if (stage != Stage.TRAIN) {
      long[] predicted = Tensors.toLongs(out.cosines().squeeze(1).argmax(new LongOptional(1), false));
      long[] truth = Tensors.toLongs(targets);
      for (int i = 0; i < truth.length; i++) {
        errors += predicted[i] != truth[i] ? 1 : 0;
      }
      seen += truth.length;
      if (stage == Stage.TEST) {
        float[] flat = Tensors.toFloats(out.embeddings());
        int dim = (int) embeddingModel.embeddingSize();
        for (int i = 0; i < truth.length; i++) {
          testEmbeddings.add(java.util.Arrays.copyOfRange(flat, i * dim, (i + 1) * dim));
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

  /** Every pair of test utterances as a trial, cosine scores, EER and minDCF; keeps the EER threshold. */
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
      AtomicFiles.writeString(runFolder.resolve(VERIFICATION_FILE), Json.writePretty(record) + "\n");
    }
    return out;
  }

  @Override
  public float[][] embed(List<float[]> signals) {
    boolean wasTraining = model.is_training();
    model.eval();
    try {
      return Embeddings.compute(signals, fbank, meanVarNorm, embeddingModel, null);
    } finally {
      model.train(wasTraining);
    }
  }

  @Override
  public String toString() {
    return "SpeakerClassifier(label_column=" + labelColumn + ", out_neurons=" + outNeurons + ")";
  }
}
