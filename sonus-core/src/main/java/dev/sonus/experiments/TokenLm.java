package dev.sonus.experiments;

import dev.sonus.data.Batch;
import dev.sonus.data.DynamicItemDataset;
import dev.sonus.data.Manifest;
import dev.sonus.data.PaddedData;
import dev.sonus.data.Pipeline;
import dev.sonus.decode.PrefixLm;
import dev.sonus.models.transformer.TransformerLm;
import dev.sonus.tokenize.TextTokenizer;
import dev.sonus.train.Experiment;
import dev.sonus.train.Stage;
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
 * A token language model trained on transcripts (SpeechBrain's LM recipes): the text column of each
 * manifest row, tokenized, is the target; {@code bos + tokens} goes in and {@code tokens + eos} is
 * predicted, with the NLL averaged over the valid tokens. Metrics: {@code loss} and, on validation
 * and test, perplexity {@code PPL}. The trained model fuses into a sequence-to-sequence search
 * through {@link #asPrefixLm}.
 *
 * <pre>
 * experiment: !new:experiments.TokenLm
 *   model: !new:models.transformer.TransformerLm {vocab: 128, d_model: 256, num_encoder_layers: 4}
 *   tokenizer: !apply:tokenize.SentencePiece.load [tokenizer.model]
 * </pre>
 */
public final class TokenLm implements Experiment<Tensor>, dev.sonus.inference.LanguageModel {
  /**
   * Slots and settings.
   *
   * @param model the language model; required
   * @param tokenizer text to ids; required, of the model's vocabulary size
   * @param textColumn the manifest column of the transcripts
   * @param bosIndex begin-of-sentence token
   * @param eosIndex end-of-sentence token
   */
  public record Options(
      TransformerLm model, TextTokenizer tokenizer, String textColumn, int bosIndex, int eosIndex) {
    /** Transcripts in {@code wrd}, bos 1, eos 2; model and tokenizer must be given. */
    public static Options defaults() {
      return new Options(null, null, "wrd", 1, 2);
    }
  }

  private final Options options;
  private final TransformerLm model;
  private double tokenLoss;
  private long tokens;

  /** The task with its slots. */
  public TokenLm(Options options) {
    if (options.model() == null || options.tokenizer() == null) {
      throw new IllegalArgumentException(
          "model and tokenizer are required: give model: !new:models.transformer.TransformerLm {...} "
              + "and tokenizer: !apply:tokenize.SentencePiece.load [FILE]");
    }
    if (options.tokenizer().size() != options.model().options().vocab()) {
      throw new IllegalArgumentException(
          "the tokenizer has "
              + options.tokenizer().size()
              + " tokens but the model's vocab is "
              + options.model().options().vocab()
              + "; set vocab: "
              + options.tokenizer().size());
    }
    this.options = options;
    this.model = options.model();
  }

  @Override
  public Module model() {
    return model;
  }

  @Override
  public List<String> audioColumns() {
    return List.of();
  }

  @Override
  public DynamicItemDataset dataset(Manifest manifest, Stage stage) {
    String col = options.textColumn();
    RunLabels.requireColumns(manifest, List.of(col), "a token language model reads transcripts");
    long bos = options.bosIndex();
    long eos = options.eosIndex();
    TextTokenizer tok = options.tokenizer();
    return DynamicItemDataset.fromManifest(manifest)
        .addPipeline(Pipeline.of(col, "tokens", w -> tok.encodeIds(String.valueOf(w))))
        .addPipeline(
            Pipeline.of(
                "tokens",
                "tokens_bos",
                t -> {
                  long[] a = (long[]) t;
                  long[] o = new long[a.length + 1];
                  o[0] = bos;
                  System.arraycopy(a, 0, o, 1, a.length);
                  return o;
                }))
        .addPipeline(
            Pipeline.of(
                "tokens",
                "tokens_eos",
                t -> {
                  long[] a = (long[]) t;
                  long[] o = java.util.Arrays.copyOf(a, a.length + 1);
                  o[a.length] = eos;
                  return o;
                }))
        .withOutputKeys("id", "tokens_bos", "tokens_eos");
  }

  @Override
  public Tensor computeForward(Batch batch, Stage stage) {
    return torch.log_softmax(model.forward(batch.padded("tokens_bos").data()), -1);
  }

  @Override
  public Tensor computeObjectives(Tensor logProbs, Batch batch, Stage stage) {
    PaddedData eos = batch.padded("tokens_eos");
    long b = logProbs.size(0);
    long u = logProbs.size(1);
    Tensor mask = dev.sonus.nn.Lengths.mask(eos.relLengths(), u).reshape(b * u);
    Tensor nll =
        logProbs
            .reshape(b * u, logProbs.size(2))
            .gather(1, eos.data().to(torch.ScalarType.Long).reshape(b * u).unsqueeze(1))
            .squeeze(1)
            .neg()
            .mul(mask);
    Tensor sum = nll.sum();
    double count = mask.sum().item_double();
    tokenLoss += sum.item_double();
    tokens += (long) count;
    return sum.div(new Scalar(Math.max(1.0, count)));
  }

  @Override
  public void onStageStart(Stage stage, int epoch) {
    tokenLoss = 0;
    tokens = 0;
  }

  @Override
  public Map<String, Double> onStageEnd(Stage stage, int epoch, double averageLoss) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("loss", averageLoss);
    if (stage != Stage.TRAIN && tokens > 0) {
      m.put("PPL", Math.exp(tokenLoss / tokens));
    }
    return m;
  }

  /**
   * {@code model} as a language model for shallow fusion: the log-softmax of its logits divided by
   * {@code temperature} (SpeechBrain's {@code TransformerLMScorer}), hypotheses scored in one batch
   * with {@code bos} prepended.
   */
  public static PrefixLm asPrefixLm(TransformerLm model, int bos, double temperature) {
    return new PrefixLm() {
      @Override
      public float[] nextLogProbs(long[] prefix, int vocab) {
        return nextLogProbs(new long[][] {prefix}, vocab)[0];
      }

      @Override
      public float[][] nextLogProbs(long[][] prefixes, int vocab) {
        int n = prefixes.length;
        int u = prefixes[0].length + 1;
        long[] flat = new long[n * u];
        for (int i = 0; i < n; i++) {
          flat[i * u] = bos;
          System.arraycopy(prefixes[i], 0, flat, i * u + 1, u - 1);
        }
        try (PointerScope scope = new PointerScope();
            NoGradGuard g = new NoGradGuard()) {
          boolean was = model.is_training();
          model.eval();
          try {
            Tensor logits = model.forward(dev.sonus.tensor.Tensors.fromLongs(flat, n, u));
            Tensor last =
                torch.log_softmax(logits.select(1, u - 1).div(new Scalar(temperature)), -1);
            float[] all = dev.sonus.tensor.Tensors.toFloats(last);
            float[][] out = new float[n][];
            for (int i = 0; i < n; i++) {
              out[i] = java.util.Arrays.copyOfRange(all, i * vocab, (i + 1) * vocab);
            }
            return out;
          } finally {
            model.train(was);
          }
        }
      }
    };
  }

  @Override
  public PrefixLm prefixLm(double temperature) {
    return asPrefixLm(model, options.bosIndex(), temperature);
  }

  @Override
  public String toString() {
    return "TokenLm(" + model + ")";
  }
}
