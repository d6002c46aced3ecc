package dev.sonus.experiments;

import dev.sonus.data.AudioPipelines;
import dev.sonus.data.Batch;
import dev.sonus.data.DynamicItemDataset;
import dev.sonus.data.Manifest;
import dev.sonus.data.PaddedData;
import dev.sonus.data.Pipeline;
import dev.sonus.decode.CtcGreedy;
import dev.sonus.features.Fbank;
import dev.sonus.features.InputNormalization;
import dev.sonus.inference.SpeechRecognizer;
import dev.sonus.losses.CtcLoss;
import dev.sonus.metrics.ErrorRateStats;
import dev.sonus.metrics.TextTokens;
import dev.sonus.models.CRDNN;
import dev.sonus.nn.Linear;
import dev.sonus.tokenize.LabelEncoder;
import dev.sonus.train.Experiment;
import dev.sonus.train.Stage;
import java.nio.file.Files;
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
 * Character CTC speech recognition, SpeechBrain's CTC ASR recipe: Fbank features, sentence mean normalisation, a
 * {@link CRDNN} encoder, a linear layer to the characters plus blank ({@code ctc_lin}), log-softmax, CTC loss;
 * greedy decoding and word/character error rates on validation and test.
 *
 * <p>The manifest needs {@code wav} (audio path) and {@code wrd} (transcript; its characters, space included,
 * are the output labels); {@code spk_id}, when present, gives per-speaker error rates. The character set is read
 * from the training transcripts and saved as {@code label_encoder.txt} (SpeechBrain's format, blank at 0) in the
 * run folder, where inference finds it again.
 *
 * <p>Metrics: {@code loss} on every stage; {@code WER} and {@code CER} (percent) on validation and test. Report
 * {@code wer}: the per-utterance alignments of the last validation or test stage.
 *
 * <p>The encoder gets the relative lengths, so each utterance's output does not depend on the padding, hence on
 * which utterances share its batch: a file transcribed alone gets the same text as in an evaluation batch.
 */
public final class CtcAsr implements Experiment<CtcAsr.Output>, SpeechRecognizer {
  private static final Logger LOG = LoggerFactory.getLogger(CtcAsr.class);
  /** File name of the label encoder in the run folder. */
  public static final String LABEL_ENCODER_FILE = "label_encoder.txt";

  private final int sampleRate;
  private final Fbank fbank;
  private final int outputNeurons;
  private final int blankIndex;
  private final Module model = new Module("CtcAsr");
  private final InputNormalization normalize;
  private final CRDNN encoder;
  private final Linear ctcLin;
  private final CtcLoss ctc;
  private final CtcGreedy greedy;
  private Path runFolder;
  private LabelEncoder labels;
  private ErrorRateStats wer = new ErrorRateStats();
  private ErrorRateStats cer = new ErrorRateStats();
  private boolean warnedUnknown;

  /**
   * What the forward pass returns.
   *
   * @param logProbs {@code [B, T, outputNeurons]} log-probabilities
   * @param relLengths {@code [B]} valid fraction of {@code T}
   */
  public record Output(Tensor logProbs, Tensor relLengths) {}

  /**
   * Creates the experiment with blank index 0.
   *
   * @param sampleRate rate the audio is resampled to, Hz ({@code sample_rate})
   * @param nMels Fbank filters ({@code n_mels}); must equal the encoder's input size
   * @param encoder the acoustic encoder ({@code enc})
   * @param outputNeurons outputs of the final linear layer ({@code output_neurons}): characters plus blank
   */
  public CtcAsr(int sampleRate, int nMels, CRDNN encoder, int outputNeurons) {
    this(sampleRate, nMels, encoder, outputNeurons, 0);
  }

  /**
   * Creates the experiment.
   *
   * @param blankIndex index of the CTC blank ({@code blank_index}); the label encoder puts it at 0
   */
  public CtcAsr(int sampleRate, int nMels, CRDNN encoder, int outputNeurons, int blankIndex) {
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sample_rate is " + sampleRate + "; expected a rate in Hz, e.g. 16000");
    }
    if (encoder == null) {
      throw new IllegalArgumentException("encoder is missing; give one, e.g. encoder: !new:models.CRDNN {}");
    }
    if (encoder.options().inputSize() != nMels) {
      throw new IllegalArgumentException("n_mels is " + nMels + " but the encoder's input_size is "
          + encoder.options().inputSize() + "; set both to the same value (input_size: !ref <n_mels>)");
    }
    if (outputNeurons < 2) {
      throw new IllegalArgumentException("output_neurons is " + outputNeurons
          + "; it must cover the blank and every character of the transcripts");
    }
    if (blankIndex != 0) {
      throw new IllegalArgumentException("blank_index is " + blankIndex + "; the label encoder keeps the blank at 0, "
          + "set blank_index: 0");
    }
    this.sampleRate = sampleRate;
    this.fbank = new Fbank(sampleRate, nMels);
    this.outputNeurons = outputNeurons;
    this.blankIndex = blankIndex;
    this.normalize = model.register_module("normalize",
        new InputNormalization(InputNormalization.Type.SENTENCE, true, false));
    this.encoder = model.register_module("enc", encoder);
    this.ctcLin = model.register_module("ctc_lin", new Linear(encoder.outputSize(), outputNeurons, true));
    this.ctc = new CtcLoss(blankIndex, CtcLoss.Reduction.MEAN);
    this.greedy = new CtcGreedy(blankIndex);
  }

  @Override
  public Module model() {
    return model;
  }

  @Override
  public int sampleRate() {
    return sampleRate;
  }

  /** The label encoder, once built from the training transcripts or loaded from the run folder; else null. */
  public LabelEncoder labelEncoder() {
    return labels;
  }

  @Override
  public void useRunFolder(Path folder) {
    this.runFolder = folder;
    Path file = folder.resolve(LABEL_ENCODER_FILE);
    if (Files.isRegularFile(file)) {
      useLabels(LabelEncoder.load(file), file.toString());
    }
  }

  @Override
  public DynamicItemDataset dataset(Manifest manifest, Stage stage) {
    for (String column : List.of("wav", "wrd")) {
      if (!manifest.keys().contains(column)) {
        throw new IllegalArgumentException(manifest.source() + " has no '" + column + "' column (it has "
            + manifest.keys() + "); CTC recognition needs wav (audio path) and wrd (transcript)");
      }
    }
    if (labels == null) {
      if (stage != Stage.TRAIN) {
        throw new IllegalStateException("no label encoder: build the training dataset first, or load a run folder "
            + "that has " + LABEL_ENCODER_FILE);
      }
      List<String> texts = new ArrayList<>();
      manifest.rows().forEach(r -> texts.add(String.valueOf(r.get("wrd"))));
      LabelEncoder built = LabelEncoder.forCtc(texts, false);
      useLabels(built, manifest.source() + " (wrd column)");
      if (runFolder != null) {
        built.save(runFolder.resolve(LABEL_ENCODER_FILE));
      }
      LOG.info("label encoder: {} labels {} from {}", built.size(), built.labels(), manifest.source());
    }
    List<String> keys = new ArrayList<>(List.of("id", "feats", "tokens", "wrd"));
    if (manifest.keys().contains("spk_id")) {
      keys.add("spk_id");
    }
    LabelEncoder encoder = labels;
    boolean strict = stage == Stage.TRAIN;
    return DynamicItemDataset.fromManifest(manifest)
        .addPipeline(AudioPipelines.readAudio("wav", "sig", sampleRate))
        .addPipeline(AudioPipelines.fbank("sig", "feats", fbank))
        .addPipeline(Pipeline.of("wrd", "tokens", w -> tokens(encoder, String.valueOf(w), strict)))
        .withOutputKeys(keys.toArray(String[]::new));
  }

  private void useLabels(LabelEncoder encoder, String source) {
    if (encoder.blankIndex() != blankIndex) {
      throw new IllegalArgumentException(source + ": the label encoder has the blank at " + encoder.blankIndex()
          + ", expected " + blankIndex);
    }
    if (encoder.size() > outputNeurons) {
      throw new IllegalArgumentException(String.format("%s: the transcripts use %d labels (%s) but output_neurons is "
          + "%d; set output_neurons: %d", source, encoder.size(), encoder.labels(), outputNeurons, encoder.size()));
    }
    this.labels = encoder;
  }

  /** Token ids of a transcript; outside training, characters the encoder lacks are left out (with a warning). */
  private long[] tokens(LabelEncoder encoder, String text, boolean strict) {
    if (strict) {
      return encoder.encodeChars(text);
    }
    List<String> known = new ArrayList<>();
    TreeSet<String> unknown = new TreeSet<>();
    text.codePoints().forEach(c -> {
      String ch = new String(Character.toChars(c));
      (encoder.contains(ch) ? known : unknown).add(ch);
    });
    if (!unknown.isEmpty() && !warnedUnknown) {
      warnedUnknown = true;
      LOG.warn("transcript '{}' has characters {} that no training transcript has; they count as errors in "
          + "WER/CER and are left out of the loss target", text, unknown);
    }
    return encoder.encodeChars(String.join("", known));
  }

  @Override
  public Output computeForward(Batch batch, Stage stage) {
    PaddedData feats = batch.padded("feats");
    Tensor x = normalize.forward(feats.data(), feats.relLengths(), -1);
    Tensor h = encoder.forward(x, feats.relLengths());
    Tensor logits = ctcLin.forward(h);
    return new Output(torch.log_softmax(logits, -1), feats.relLengths());
  }

  @Override
  public Tensor computeObjectives(Output out, Batch batch, Stage stage) {
    PaddedData tokens = batch.padded("tokens");
    Tensor loss = ctc.forward(out.logProbs(), tokens.data(), out.relLengths(), tokens.relLengths());
    if (stage != Stage.TRAIN) {
      List<String> hyps = decode(out);
      List<Object> refs = batch.list("wrd");
      List<Object> speakers = batch.keys().contains("spk_id") ? batch.list("spk_id") : null;
      for (int i = 0; i < hyps.size(); i++) {
        String ref = String.valueOf(refs.get(i));
        String speaker = speakers == null ? null : String.valueOf(speakers.get(i));
        String id = batch.ids().get(i);
        wer.append(id, TextTokens.words(ref), TextTokens.words(hyps.get(i)), speaker);
        cer.append(id, TextTokens.characters(ref), TextTokens.characters(hyps.get(i)), speaker);
      }
    }
    return loss;
  }

  private List<String> decode(Output out) {
    List<String> texts = new ArrayList<>();
    for (int[] ids : greedy.decodeBatch(out.logProbs(), out.relLengths())) {
      long[] asLong = new long[ids.length];
      for (int i = 0; i < ids.length; i++) {
        asLong[i] = ids[i];
      }
      texts.add(labels.decodeChars(asLong).strip());
    }
    return texts;
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
    if (labels == null) {
      throw new IllegalStateException("no label encoder: load a trained run folder (it holds "
          + LABEL_ENCODER_FILE + ") before transcribing");
    }
    if (signals.isEmpty()) {
      return List.of();
    }
    boolean wasTraining = model.is_training();
    model.eval();
    try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard();
        Batch batch = AudioPipelines.fbankBatch(signals, fbank)) {
      return decode(computeForward(batch, Stage.TEST));
    } finally {
      model.train(wasTraining);
    }
  }

  @Override
  public String toString() {
    return "CtcAsr(sample_rate=" + sampleRate + ", output_neurons=" + outputNeurons + ", enc=" + encoder + ")";
  }
}
