package dev.sonus.experiments;

import dev.sonus.augment.Augmenter;
import dev.sonus.data.AudioPipelines;
import dev.sonus.data.Batch;
import dev.sonus.data.DynamicItemDataset;
import dev.sonus.data.Manifest;
import dev.sonus.data.PaddedData;
import dev.sonus.data.Pipeline;
import dev.sonus.decode.S2SBeamSearch;
import dev.sonus.features.FeatureExtractor;
import dev.sonus.features.InputNormalization;
import dev.sonus.inference.Seq2SeqRecognizer;
import dev.sonus.losses.CtcLoss;
import dev.sonus.metrics.ErrorRateStats;
import dev.sonus.models.ConvolutionFrontEnd;
import dev.sonus.models.transformer.TransformerAsr;
import dev.sonus.nn.Linear;
import dev.sonus.tokenize.TextTokenizer;
import dev.sonus.train.Experiment;
import dev.sonus.train.Stage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Joint CTC/attention sequence-to-sequence recognition, SpeechBrain's Transformer ASR recipes
 * ({@code recipes/LibriSpeech/ASR/transformer/train.py}), as slots: features and their
 * normalisation, an optional {@link ConvolutionFrontEnd} ({@code CNN}), a {@link TransformerAsr}
 * ({@code Transformer}), the CTC and attention heads ({@code ctc_lin}, {@code seq_lin}) and a
 * {@link TextTokenizer}. The loss is {@code ctc_weight · CTC + (1 − ctc_weight) · NLL} (label
 * smoothed as SpeechBrain's {@code kldiv_loss}, both {@code batchmean}); validation reports token
 * accuracy and, every {@code valid_search_interval} epochs, WER/CER of the validation search; test
 * decodes with the test search (beam, joint CTC weight).
 *
 * <pre>
 * experiment: !new:experiments.Seq2SeqAsr
 *   features: !new:features.Fbank {sample_rate: 16000, n_mels: 80}
 *   frontend: !ref &lt;CNN&gt;
 *   model: !ref &lt;Transformer&gt;
 *   tokenizer: !ref &lt;tokenizer&gt;
 *   ctc_weight: 0.3
 * </pre>
 *
 * <p>Manifests need {@code wav} and {@code wrd}; {@code spk_id}, when present, gives per-speaker
 * error rates. Targets are {@code bos + tokens} into the decoder and {@code tokens + eos} out.
 */
public final class Seq2SeqAsr implements Experiment<Seq2SeqAsr.Output>, Seq2SeqRecognizer {

  /**
   * The slots and settings; unset ones take their defaults.
   *
   * @param features waveform to features; required
   * @param normalize feature normalisation; null for sentence mean normalisation
   * @param frontend convolutional front end before the model, or null
   * @param model the encoder-decoder; required
   * @param tokenizer text to ids; required, its size must equal the model's {@code tgt_vocab}
   * @param ctcWeight CTC share of the training loss ({@code ctc_weight})
   * @param labelSmoothing of the attention loss
   * @param bosIndex begin-of-sentence token
   * @param eosIndex end-of-sentence token
   * @param padIndex padding token of the decoder input
   * @param blankIndex CTC blank
   * @param validSearchInterval decode the validation set every this many epochs (others report loss
   *     and accuracy only)
   * @param validSearch search for validation (beam 1 is greedy)
   * @param testSearch search for test, {@code sonus eval} and {@code sonus transcribe}
   * @param lmPath token-level ARPA n-gram model (its words are the tokenizer's pieces) fused into
   *     the test search, or null
   * @param lmWeight weight of that model
   * @param wavAugment waveform augmentation of the training batches ({@code wav_augment}), in the
   *     loader threads before the features; null for none
   * @param feaAugment feature augmentation of the training batches after normalisation ({@code
   *     fea_augment}); null for none
   */
  public record Options(
      FeatureExtractor features,
      InputNormalization normalize,
      ConvolutionFrontEnd frontend,
      TransformerAsr model,
      TextTokenizer tokenizer,
      double ctcWeight,
      double labelSmoothing,
      int bosIndex,
      int eosIndex,
      int padIndex,
      int blankIndex,
      int validSearchInterval,
      S2SBeamSearch.Options validSearch,
      S2SBeamSearch.Options testSearch,
      java.nio.file.Path lmPath,
      double lmWeight,
      Augmenter wavAugment,
      Augmenter feaAugment) {
    /** SpeechBrain's recipe defaults; features, model and tokenizer must be given. */
    public static Options defaults() {
      return new Options(
          null,
          null,
          null,
          null,
          null,
          0.3,
          0.1,
          1,
          2,
          0,
          0,
          1,
          new S2SBeamSearch.Options(1, 2, 0, 1, 0.0, 1.0, 0.0, false, 1.5, true, 1),
          new S2SBeamSearch.Options(1, 2, 0, 10, 0.0, 1.0, 0.4, false, 1.5, true, 1),
          null,
          0.0,
          null,
          null);
    }
  }

  /**
   * What the forward pass returns.
   *
   * @param ctcLogProbs {@code [B, T', V]}
   * @param seqLogProbs {@code [B, U + 1, V]}
   * @param encoderOut {@code [B, T', d]}
   * @param relLengths {@code [B]} valid fraction of {@code T'}
   * @param source for each output item, the batch item it came from (feature augmentation may add
   *     copies); null when it is the batch's own order
   */
  public record Output(
      Tensor ctcLogProbs, Tensor seqLogProbs, Tensor encoderOut, Tensor relLengths, int[] source) {}

  private final Options options;
  private final FeatureExtractor features;
  private final Module model = new Module("Seq2SeqAsr");
  private final InputNormalization normalize;
  private final ConvolutionFrontEnd frontend;
  private final TransformerAsr transformer;
  private final Linear ctcLin;
  private final Linear seqLin;
  private final CtcLoss ctc;
  private final TextTokenizer tokenizer;
  private S2SBeamSearch testSearch;
  private java.nio.file.Path lmPath;
  private double lmWeight;
  private dev.sonus.decode.PrefixLm lm;
  private final S2SBeamSearch validSearch;
  private ErrorRateStats wer = new ErrorRateStats();
  private ErrorRateStats cer = new ErrorRateStats();
  private long correct;
  private long counted;
  private boolean decodeThisStage;
  private final Augmenter wavAugment;
  private final Augmenter feaAugment;

  /** Builds the task from its slots; see {@link Options}. */
  public Seq2SeqAsr(Options options) {
    if (options.features() == null) {
      throw new IllegalArgumentException(
          "features is missing; give one, e.g. features: !new:features.Fbank {n_mels: 80}");
    }
    if (options.model() == null) {
      throw new IllegalArgumentException(
          "model is missing; give a models.transformer.TransformerAsr");
    }
    if (options.tokenizer() == null) {
      throw new IllegalArgumentException(
          "tokenizer is missing; give one, e.g. tokenizer: !apply:tokenize.SentencePiece.load [path]");
    }
    long expectedInput =
        options.frontend() != null
            ? options.frontend().outputSize()
            : options.features().outputSize();
    if (options.model().inputSize() != expectedInput) {
      throw new IllegalArgumentException(
          "the model's input_size is "
              + options.model().inputSize()
              + " but "
              + (options.frontend() != null
                  ? "the front end gives "
                      + expectedInput
                      + " values per frame (frequency × channels)"
                  : "the features give " + expectedInput + " values per frame")
              + "; set input_size: "
              + expectedInput);
    }
    if (options.tokenizer().size() != options.model().options().tgtVocab()) {
      throw new IllegalArgumentException(
          "the tokenizer has "
              + options.tokenizer().size()
              + " tokens but the model's tgt_vocab is "
              + options.model().options().tgtVocab()
              + "; set tgt_vocab (and output_neurons) to "
              + options.tokenizer().size());
    }
    if (!(options.ctcWeight() >= 0 && options.ctcWeight() <= 1)) {
      throw new IllegalArgumentException(
          "ctc_weight is " + options.ctcWeight() + "; expected a value from 0 to 1");
    }
    if (!(options.labelSmoothing() >= 0 && options.labelSmoothing() < 1)) {
      throw new IllegalArgumentException(
          "label_smoothing is " + options.labelSmoothing() + "; expected 0 or more, below 1");
    }
    if (options.validSearchInterval() < 1) {
      throw new IllegalArgumentException(
          "valid_search_interval is " + options.validSearchInterval() + "; expected 1 or more");
    }
    this.options = options;
    this.wavAugment = Augmentations.checkWaveform(options.wavAugment());
    this.feaAugment = Augmentations.checkFeature(options.feaAugment());
    this.features = options.features();
    this.tokenizer = options.tokenizer();
    this.normalize =
        model.register_module(
            "normalize",
            options.normalize() != null
                ? options.normalize()
                : new InputNormalization(InputNormalization.Type.SENTENCE, true, false));
    this.frontend =
        options.frontend() == null ? null : model.register_module("CNN", options.frontend());
    this.transformer = model.register_module("Transformer", options.model());
    long d = transformer.options().dModel();
    long vocab = transformer.options().tgtVocab();
    this.ctcLin = model.register_module("ctc_lin", new Linear(d, vocab, true));
    this.seqLin = model.register_module("seq_lin", new Linear(d, vocab, true));
    this.ctc = new CtcLoss(options.blankIndex(), CtcLoss.Reduction.BATCHMEAN);
    this.validSearch = new S2SBeamSearch(checkedSearch(options.validSearch(), "valid_search"));
    this.testSearch = new S2SBeamSearch(checkedSearch(options.testSearch(), "test_search"));
    useLm(options.lmPath(), options.lmWeight());
  }

  @Override
  public java.nio.file.Path lmPath() {
    return lmPath;
  }

  @Override
  public double lmWeight() {
    return lmWeight;
  }

  @Override
  public void useLm(dev.sonus.decode.PrefixLm neural, java.nio.file.Path where, double weight) {
    if (!(weight >= 0 && Double.isFinite(weight))) {
      throw new IllegalArgumentException("lm_weight is " + weight + "; expected 0 or more");
    }
    this.lm = neural;
    this.lmPath = where;
    this.lmWeight = weight;
  }

  @Override
  public void useLm(java.nio.file.Path path, double weight) {
    if (!(weight >= 0 && Double.isFinite(weight))) {
      throw new IllegalArgumentException("lm_weight is " + weight + "; expected 0 or more");
    }
    if (path == null) {
      this.lm = null;
      this.lmPath = null;
      this.lmWeight = 0;
      return;
    }
    dev.sonus.decode.ArpaLm arpa = dev.sonus.decode.ArpaLm.read(path);
    this.lm =
        new dev.sonus.decode.ArpaTokenLm(
            arpa, tokenizer::piece, options.eosIndex(), options.bosIndex(), options.blankIndex());
    this.lmPath = path;
    this.lmWeight = weight;
  }

  private S2SBeamSearch.Options checkedSearch(S2SBeamSearch.Options s, String name) {
    if (s == null) {
      throw new IllegalArgumentException(name + " is null; give the search settings");
    }
    if (s.bosIndex() != options.bosIndex()
        || s.eosIndex() != options.eosIndex()
        || s.blankIndex() != options.blankIndex()) {
      throw new IllegalArgumentException(
          name
              + " uses bos "
              + s.bosIndex()
              + ", eos "
              + s.eosIndex()
              + ", blank "
              + s.blankIndex()
              + " but the task uses "
              + options.bosIndex()
              + ", "
              + options.eosIndex()
              + ", "
              + options.blankIndex()
              + "; give the same tokens");
    }
    return s;
  }

  /** Replaces the test search (beam, CTC weight) for evaluation or transcription. */
  @Override
  public void useSearch(S2SBeamSearch.Options search) {
    this.testSearch = new S2SBeamSearch(checkedSearch(search, "the test search"));
  }

  /** The test search settings. */
  @Override
  public S2SBeamSearch.Options search() {
    return testSearch.options();
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
  public DynamicItemDataset dataset(Manifest manifest, Stage stage) {
    RunLabels.requireColumns(
        manifest,
        List.of("wav", "wrd"),
        "sequence-to-sequence recognition needs wav (audio path) and wrd (transcript)");
    List<String> keys =
        new ArrayList<>(List.of("id", "feats", "tokens_bos", "tokens_eos", "tokens", "wrd"));
    if (manifest.keys().contains("spk_id")) {
      keys.add("spk_id");
    }
    long bos = options.bosIndex();
    long eos = options.eosIndex();
    DynamicItemDataset ds =
        DynamicItemDataset.fromManifest(manifest)
            .addPipeline(AudioPipelines.readAudio("wav", "sig", sampleRate()))
            .addPipeline(AudioPipelines.features("sig", "feats", features))
            .addPipeline(Pipeline.of("wrd", "tokens", w -> tokenizer.encodeIds(String.valueOf(w))))
            .addPipeline(Pipeline.of("tokens", "tokens_bos", t -> prepend(bos, (long[]) t)))
            .addPipeline(Pipeline.of("tokens", "tokens_eos", t -> append((long[]) t, eos)));
    return Augmentations.dataset(
        ds, keys, stage == Stage.TRAIN ? wavAugment : null, sampleRate(), features);
  }

  private static long[] prepend(long first, long[] t) {
    long[] out = new long[t.length + 1];
    out[0] = first;
    System.arraycopy(t, 0, out, 1, t.length);
    return out;
  }

  private static long[] append(long[] t, long last) {
    long[] out = Arrays.copyOf(t, t.length + 1);
    out[t.length] = last;
    return out;
  }

  private Tensor encoderInput(Tensor feats, Tensor relLengths, int epoch) {
    Tensor x = normalize.forward(feats, relLengths, epoch);
    return frontend == null ? x : frontend.forward(x);
  }

  @Override
  public Output computeForward(Batch batch, Stage stage) {
    PaddedData feats = batch.padded("feats");
    PaddedData bos = batch.padded("tokens_bos");
    Tensor x = normalize.forward(feats.data(), feats.relLengths(), -1);
    Augmenter.FeatureResult aug =
        Augmentations.features(feaAugment, stage, x, feats.relLengths(), batch);
    x = aug.feats();
    Tensor lens = aug.relLengths();
    int[] source = aug.source();
    Tensor tokensBos = aug.replicate(bos.data());
    Tensor src = frontend == null ? x : frontend.forward(x);
    TransformerAsr.Output out = transformer.forward(src, tokensBos, lens, options.padIndex());
    Tensor pCtc = torch.log_softmax(ctcLin.forward(out.encoderOut()), -1);
    Tensor pSeq = torch.log_softmax(seqLin.forward(out.decoderOut()), -1);
    return new Output(pCtc, pSeq, out.encoderOut(), lens, source);
  }

  /**
   * SpeechBrain's {@code kldiv_loss} ({@code batchmean}): KL divergence to the label-smoothed
   * target distribution ({@code 1 − ls} on the target, {@code ls / (V − 1)} elsewhere), pad
   * positions left out; plain NLL over the valid positions without smoothing.
   */
  private Tensor seqLoss(Tensor logProbs, Tensor targets, Tensor relLengths) {
    long b = logProbs.size(0);
    long u = logProbs.size(1);
    long v = logProbs.size(2);
    double ls = options.labelSmoothing();
    Tensor flat = logProbs.reshape(b * u, v);
    Tensor tgt = targets.to(torch.ScalarType.Long).reshape(b * u);
    if (ls > 0) {
      Tensor ignore = tgt.eq(new Scalar(options.padIndex()));
      Tensor safe = tgt.masked_fill(ignore, new Scalar(0));
      double off = ls / (v - 1);
      double on = 1 - ls;
      // KL(t || p) = sum t (log t - log p): constant entropy part plus the cross entropy
      Tensor crossOff =
          flat.sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
      Tensor pTarget = flat.gather(1, safe.unsqueeze(1)).squeeze(1);
      Tensor cross = crossOff.sub(pTarget).mul(new Scalar(-off)).sub(pTarget.mul(new Scalar(on)));
      double entropy = (v - 1) * off * Math.log(off) + on * Math.log(on);
      Tensor perPosition = cross.add(new Scalar(entropy)).masked_fill(ignore, new Scalar(0.0));
      return perPosition.sum().div(new Scalar((double) b));
    }
    Tensor mask = dev.sonus.nn.Lengths.mask(relLengths, u).reshape(b * u);
    Tensor nll = flat.gather(1, tgt.unsqueeze(1)).squeeze(1).neg().mul(mask);
    return nll.sum().div(new Scalar((double) b));
  }

  @Override
  public Tensor computeObjectives(Output out, Batch batch, Stage stage) {
    PaddedData eos = batch.padded("tokens_eos");
    PaddedData tokens = batch.padded("tokens");
    int[] source = out.source();
    Tensor lossSeq =
        seqLoss(
            out.seqLogProbs(),
            Augmenter.replicate(eos.data(), source),
            Augmenter.replicate(eos.relLengths(), source));
    Tensor lossCtc =
        ctc.forward(
            out.ctcLogProbs(),
            Augmenter.replicate(tokens.data(), source),
            out.relLengths(),
            Augmenter.replicate(tokens.relLengths(), source));
    double w = options.ctcWeight();
    Tensor loss = lossCtc.mul(new Scalar(w)).add(lossSeq.mul(new Scalar(1 - w)));
    if (stage != Stage.TRAIN) {
      accumulateAccuracy(out.seqLogProbs(), eos);
      if (decodeThisStage) {
        List<String> hyps =
            decode(
                stage == Stage.TEST ? testSearch : validSearch,
                out.encoderOut(),
                out.ctcLogProbs(),
                out.relLengths());
        RecognitionScores.append(batch, hyps, wer, cer);
      }
    }
    return loss;
  }

  private void accumulateAccuracy(Tensor seqLogProbs, PaddedData eos) {
    long u = seqLogProbs.size(1);
    Tensor predicted = seqLogProbs.argmax(new org.bytedeco.pytorch.LongOptional(-1), false);
    Tensor mask = dev.sonus.nn.Lengths.mask(eos.relLengths(), u).gt(new Scalar(0.5));
    Tensor hit = predicted.eq(eos.data().to(torch.ScalarType.Long)).logical_and(mask);
    correct += hit.sum().item_long();
    counted += mask.sum().item_long();
  }

  private List<String> decode(
      S2SBeamSearch search, Tensor enc, Tensor ctcLogProbs, Tensor relLengths) {
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard()) {
      Tensor encStates = enc.detach();
      S2SBeamSearch.DecoderStep step =
          (prefixes, e, lens) -> {
            Tensor pred = transformer.decode(prefixes, e, lens);
            return torch.log_softmax(seqLin.forward(pred), -1).select(1, pred.size(1) - 1);
          };
      boolean fuse = search == testSearch && lm != null;
      List<List<S2SBeamSearch.Hypothesis>> found =
          search.search(
              step,
              encStates,
              relLengths,
              ctcLogProbs.detach(),
              fuse ? lm : null,
              fuse ? lmWeight : 0);
      List<String> texts = new ArrayList<>();
      for (List<S2SBeamSearch.Hypothesis> h : found) {
        texts.add(h.isEmpty() ? "" : tokenizer.decodeIds(h.get(0).tokens()));
      }
      return texts;
    }
  }

  @Override
  public void onStageStart(Stage stage, int epoch) {
    wer = new ErrorRateStats();
    cer = new ErrorRateStats();
    correct = 0;
    counted = 0;
    decodeThisStage =
        stage == Stage.TEST || (stage == Stage.VALID && epoch % options.validSearchInterval() == 0);
  }

  @Override
  public Map<String, Double> onStageEnd(Stage stage, int epoch, double averageLoss) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("loss", averageLoss);
    if (stage != Stage.TRAIN) {
      metrics.put("ACC", counted == 0 ? 0.0 : 100.0 * correct / counted);
      if (decodeThisStage) {
        metrics.put("WER", wer.summary().wer());
        metrics.put("CER", cer.summary().wer());
      }
    }
    return metrics;
  }

  @Override
  public Map<String, String> reports() {
    return wer.utterances().isEmpty() ? Map.of() : Map.of("wer", wer.report());
  }

  @Override
  public List<String> transcribe(List<float[]> signals) {
    if (signals.isEmpty()) {
      return List.of();
    }
    boolean wasTraining = model.is_training();
    model.eval();
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard();
        Batch batch = AudioPipelines.featureBatch(signals, features)) {
      PaddedData feats = batch.padded("feats");
      Tensor src = encoderInput(feats.data(), feats.relLengths(), -1);
      Tensor enc = transformer.encodeStates(src, feats.relLengths());
      Tensor pCtc = torch.log_softmax(ctcLin.forward(enc), -1);
      return decode(testSearch, enc, pCtc, feats.relLengths());
    } finally {
      model.train(wasTraining);
    }
  }

  @Override
  public String toString() {
    return "Seq2SeqAsr(" + transformer + ", ctc_weight=" + options.ctcWeight() + ")";
  }
}
