package dev.sonus.experiments;

import dev.sonus.augment.Augmenter;
import dev.sonus.data.AudioPipelines;
import dev.sonus.data.Batch;
import dev.sonus.data.DynamicItemDataset;
import dev.sonus.data.Manifest;
import dev.sonus.data.PaddedData;
import dev.sonus.data.Pipeline;
import dev.sonus.decode.CtcDecoder;
import dev.sonus.decode.CtcGreedy;
import dev.sonus.features.Fbank;
import dev.sonus.features.FeatureExtractor;
import dev.sonus.features.InputNormalization;
import dev.sonus.inference.CtcRecognizer;
import dev.sonus.losses.CtcLoss;
import dev.sonus.metrics.ErrorRateStats;
import dev.sonus.models.CRDNN;
import dev.sonus.models.Encoder;
import dev.sonus.nn.Linear;
import dev.sonus.tokenize.LabelEncoder;
import dev.sonus.train.Experiment;
import dev.sonus.train.Stage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Character CTC speech recognition, SpeechBrain's CTC ASR recipe, as slots the recipe fills: a
 * feature extractor ({@code features}, e.g. {@link Fbank} with all its options), a normaliser
 * ({@code normalize}, sentence mean normalisation by default), any {@link Encoder} ({@code
 * encoder}: {@link CRDNN}, or a class of the user's), a linear layer to the characters plus blank
 * ({@code ctc_lin}), log-softmax, CTC loss, and a {@link CtcDecoder} ({@code decoder}: greedy by
 * default, or prefix beam search with an n-gram LM) for validation, test, {@code sonus eval} and
 * {@code sonus transcribe}.
 *
 * <pre>
 * experiment: !new:experiments.CtcAsr
 *   features: !new:features.Fbank {sample_rate: 16000, n_mels: 40}
 *   encoder: !ref &lt;enc&gt;
 *   decoder: !new:decode.CtcPrefixBeamSearch {beam_size: 10, lm_path: digits.arpa}
 *   output_neurons: 16
 * </pre>
 *
 * <p>The manifest needs {@code wav} (audio path) and {@code wrd} (transcript; its characters, space
 * included, are the output labels); {@code spk_id}, when present, gives per-speaker error rates.
 * The character set is read from the training transcripts and saved as {@code label_encoder.txt}
 * (SpeechBrain's format, blank at 0) in the run folder, where inference finds it again.
 *
 * <p>Metrics: {@code loss} on every stage; {@code WER} and {@code CER} (percent) on validation and
 * test. Report {@code wer}: the per-utterance alignments of the last validation or test stage.
 *
 * <p>The encoder gets the relative lengths, so each utterance's output does not depend on the
 * padding, hence on which utterances share its batch: a file transcribed alone gets the same text
 * as in an evaluation batch.
 */
public final class CtcAsr implements Experiment<CtcAsr.Output>, CtcRecognizer {
  private static final Logger LOG = LoggerFactory.getLogger(CtcAsr.class);

  /** File name of the label encoder in the run folder. */
  public static final String LABEL_ENCODER_FILE = RunLabels.FILE;

  /**
   * The slots and settings, as a recipe gives them; unset slots take their defaults.
   *
   * @param features waveform to features ({@code features}); required
   * @param normalize feature normalisation ({@code normalize}); null for sentence mean
   *     normalisation
   * @param encoder the acoustic encoder ({@code encoder}); required, its input size must equal the
   *     features'
   * @param decoder CTC decoding ({@code decoder}); null for greedy
   * @param outputNeurons outputs of the final linear layer ({@code output_neurons}): characters
   *     plus blank
   * @param blankIndex index of the CTC blank ({@code blank_index}); the label encoder keeps it at 0
   * @param wavAugment waveform augmentation of the training batches ({@code wav_augment}), in the
   *     loader threads before the features; null for none
   * @param feaAugment feature augmentation of the training batches after normalisation ({@code
   *     fea_augment}); null for none
   */
  public record Options(
      FeatureExtractor features,
      InputNormalization normalize,
      Encoder encoder,
      CtcDecoder decoder,
      int outputNeurons,
      int blankIndex,
      Augmenter wavAugment,
      Augmenter feaAugment) {
    /**
     * No features or encoder yet (the recipe must give them), sentence mean normalisation, greedy
     * decoding.
     */
    public static Options defaults() {
      return new Options(null, null, null, null, 0, 0, null, null);
    }
  }

  private final FeatureExtractor features;
  private final int outputNeurons;
  private final int blankIndex;
  private final Module model = new Module("CtcAsr");
  private final InputNormalization normalize;
  private final Encoder encoder;
  private final Linear ctcLin;
  private final CtcLoss ctc;
  private final RunLabels labels;
  private CtcDecoder decoder;
  private final Augmenter wavAugment;
  private final Augmenter feaAugment;
  private ErrorRateStats wer = new ErrorRateStats();
  private ErrorRateStats cer = new ErrorRateStats();
  private boolean warnedUnknown;

  /**
   * What the forward pass returns.
   *
   * @param logProbs {@code [B, T, outputNeurons]} log-probabilities
   * @param relLengths {@code [B]} valid fraction of {@code T}
   * @param source for each output item, the batch item it came from (feature augmentation may add
   *     copies); null when it is the batch's own order
   */
  public record Output(Tensor logProbs, Tensor relLengths, int[] source) {}

  /**
   * The short form of older recipes: Fbank with SpeechBrain's defaults at {@code sampleRate} and
   * {@code nMels}, sentence mean normalisation, greedy decoding, blank 0.
   *
   * @param sampleRate rate the audio is resampled to, Hz ({@code sample_rate})
   * @param nMels Fbank filters ({@code n_mels}); must equal the encoder's input size
   * @param encoder the acoustic encoder ({@code encoder})
   * @param outputNeurons outputs of the final linear layer ({@code output_neurons}): characters
   *     plus blank
   */
  public CtcAsr(int sampleRate, int nMels, Encoder encoder, int outputNeurons) {
    this(new Options(fbank(sampleRate, nMels), null, encoder, null, outputNeurons, 0, null, null));
  }

  /** Creates the experiment from its slots; see {@link Options}. */
  public CtcAsr(Options options) {
    FeatureExtractor f = options.features();
    Encoder enc = options.encoder();
    if (f == null) {
      throw new IllegalArgumentException(
          "features is missing; give the feature extractor, e.g. "
              + "features: !new:features.Fbank {sample_rate: 16000, n_mels: 40}");
    }
    if (enc == null) {
      throw new IllegalArgumentException(
          "encoder is missing; give one, e.g. encoder: !new:models.CRDNN {}");
    }
    SlotChecks.sameSize(f, enc.inputSize(), "encoder's input_size");
    if (options.outputNeurons() < 2) {
      throw new IllegalArgumentException(
          "output_neurons is "
              + options.outputNeurons()
              + "; it must cover the blank and every character of the transcripts");
    }
    if (options.blankIndex() != 0) {
      throw new IllegalArgumentException(
          "blank_index is "
              + options.blankIndex()
              + "; the label encoder keeps the "
              + "blank at 0, set blank_index: 0");
    }
    this.features = f;
    this.outputNeurons = options.outputNeurons();
    this.blankIndex = options.blankIndex();
    this.normalize =
        model.register_module(
            "normalize", SlotChecks.normalizeOrDefault(options.normalize(), false));
    this.encoder = enc;
    model.register_module("enc", enc.module());
    this.ctcLin =
        model.register_module("ctc_lin", new Linear(enc.outputSize(), outputNeurons, true));
    this.ctc = new CtcLoss(blankIndex, CtcLoss.Reduction.MEAN);
    useDecoder(options.decoder() != null ? options.decoder() : new CtcGreedy(blankIndex));
    this.labels = new RunLabels("CtcAsr", this::checkLabels);
    this.wavAugment = Augmentations.checkWaveform(options.wavAugment());
    this.feaAugment = Augmentations.checkFeature(options.feaAugment());
  }

  private static Fbank fbank(int sampleRate, int nMels) {
    if (sampleRate <= 0) {
      throw new IllegalArgumentException(
          "sample_rate is " + sampleRate + "; expected a rate in Hz, e.g. 16000");
    }
    return new Fbank(sampleRate, nMels);
  }

  /** Replaces the decoder (e.g. a beam search for evaluation); its blank must be this task's. */
  @Override
  public void useDecoder(CtcDecoder newDecoder) {
    if (newDecoder.blankIndex() != blankIndex) {
      throw new IllegalArgumentException(
          "the decoder's blank index is "
              + newDecoder.blankIndex()
              + " but the task's is "
              + blankIndex
              + "; set blank_index to the same value in both");
    }
    this.decoder = newDecoder;
  }

  /** The decoder used for validation, test and transcription. */
  @Override
  public CtcDecoder decoder() {
    return decoder;
  }

  /** The acoustic encoder. */
  public Encoder encoder() {
    return encoder;
  }

  /** The feature extractor. */
  public FeatureExtractor features() {
    return features;
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
   * The label encoder, once built from the training transcripts or loaded from the run folder; else
   * null.
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
        List.of("wav", "wrd"),
        "CTC recognition needs wav (audio path) and wrd (transcript)");
    LabelEncoder encoder =
        labels.forDataset(
            manifest,
            stage,
            "wrd",
            m -> {
              List<String> texts = new ArrayList<>();
              m.rows().forEach(r -> texts.add(String.valueOf(r.get("wrd"))));
              return LabelEncoder.forCtc(texts, false);
            });
    List<String> keys = new ArrayList<>(List.of("id", "feats", "tokens", "wrd"));
    if (manifest.keys().contains("spk_id")) {
      keys.add("spk_id");
    }
    boolean strict = stage == Stage.TRAIN;
    DynamicItemDataset ds =
        DynamicItemDataset.fromManifest(manifest)
            .addPipeline(AudioPipelines.readAudio("wav", "sig", sampleRate()))
            .addPipeline(AudioPipelines.features("sig", "feats", features))
            .addPipeline(
                Pipeline.of("wrd", "tokens", w -> tokens(encoder, String.valueOf(w), strict)));
    return Augmentations.dataset(
        ds, keys, stage == Stage.TRAIN ? wavAugment : null, sampleRate(), features);
  }

  private void checkLabels(LabelEncoder encoder, String source) {
    if (encoder.blankIndex() != blankIndex) {
      throw new IllegalArgumentException(
          source
              + ": the label encoder has the blank at "
              + encoder.blankIndex()
              + ", expected "
              + blankIndex);
    }
    if (encoder.size() > outputNeurons) {
      throw new IllegalArgumentException(
          String.format(
              "%s: the transcripts use %d labels (%s) but output_neurons is "
                  + "%d; set output_neurons: %d",
              source, encoder.size(), encoder.labels(), outputNeurons, encoder.size()));
    }
  }

  /**
   * Token ids of a transcript; outside training, characters the encoder lacks are left out (with a
   * warning).
   */
  private long[] tokens(LabelEncoder encoder, String text, boolean strict) {
    if (strict) {
      return encoder.encodeChars(text);
    }
    List<String> known = new ArrayList<>();
    TreeSet<String> unknown = new TreeSet<>();
    text.codePoints()
        .forEach(
            c -> {
              String ch = new String(Character.toChars(c));
              (encoder.contains(ch) ? known : unknown).add(ch);
            });
    if (!unknown.isEmpty() && !warnedUnknown) {
      warnedUnknown = true;
      LOG.warn(
          "transcript '{}' has characters {} that no training transcript has; they count as errors in "
              + "WER/CER and are left out of the loss target",
          text,
          unknown);
    }
    return encoder.encodeChars(String.join("", known));
  }

  @Override
  public Output computeForward(Batch batch, Stage stage) {
    PaddedData feats = batch.padded("feats");
    Tensor x = normalize.forward(feats.data(), feats.relLengths(), -1);
    Augmenter.FeatureResult aug =
        Augmentations.features(feaAugment, stage, x, feats.relLengths(), batch);
    x = aug.feats();
    Tensor lens = aug.relLengths();
    int[] source = aug.source();
    Encoder.Output h = encoder.encode(x, lens);
    Tensor logits = ctcLin.forward(h.output());
    return new Output(torch.log_softmax(logits, -1), h.relLengths(), source);
  }

  @Override
  public Tensor computeObjectives(Output out, Batch batch, Stage stage) {
    PaddedData tokens = batch.padded("tokens");
    Tensor targets = Augmenter.replicate(tokens.data(), out.source());
    Tensor targetLens = Augmenter.replicate(tokens.relLengths(), out.source());
    Tensor loss = ctc.forward(out.logProbs(), targets, out.relLengths(), targetLens);
    if (stage != Stage.TRAIN) {
      List<String> hyps = decode(out);
      RecognitionScores.append(batch, hyps, wer, cer);
    }
    return loss;
  }

  private List<String> decode(Output out) {
    return decoder.decode(out.logProbs(), out.relLengths(), labels.require().labels());
  }

  @Override
  public void onStageStart(Stage stage, int epoch) {
    wer = new ErrorRateStats();
    cer = new ErrorRateStats();
  }

  @Override
  public Map<String, Double> onStageEnd(Stage stage, int epoch, double averageLoss) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("loss", averageLoss);
    if (stage != Stage.TRAIN) {
      metrics.put("WER", wer.summary().wer());
      metrics.put("CER", cer.summary().wer());
    }
    return metrics;
  }

  @Override
  public Map<String, String> reports() {
    return wer.utterances().isEmpty() ? Map.of() : Map.of("wer", wer.report());
  }

  /** Word error statistics of the last validation or test stage. */
  public ErrorRateStats wordErrors() {
    return wer;
  }

  @Override
  public List<String> transcribe(List<float[]> signals) {
    labels.require();
    if (signals.isEmpty()) {
      return List.of();
    }
    boolean wasTraining = model.is_training();
    model.eval();
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard();
        Batch batch = AudioPipelines.featureBatch(signals, features)) {
      return decode(computeForward(batch, Stage.TEST));
    } finally {
      model.train(wasTraining);
    }
  }

  @Override
  public String toString() {
    return "CtcAsr(features="
        + features
        + ", output_neurons="
        + outputNeurons
        + ", enc="
        + encoder
        + ", decoder="
        + decoder
        + ")";
  }
}
