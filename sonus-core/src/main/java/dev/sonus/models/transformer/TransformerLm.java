package dev.sonus.models.transformer;

import dev.sonus.nn.Activation;
import dev.sonus.nn.AttentionMasks;
import dev.sonus.nn.Checks;
import dev.sonus.nn.LayerNorm;
import dev.sonus.nn.Linear;
import dev.sonus.nn.PositionalEncoding;
import dev.sonus.tensor.Scopes;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.EmbeddingImpl;
import org.bytedeco.pytorch.EmbeddingOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A causal Transformer language model over tokens with SpeechBrain v1.0.0's structure and parameter
 * names ({@code speechbrain.lobes.models.transformer.TransformerLM.TransformerLM}, encoder layers
 * only): scaled token embeddings ({@code custom_src_module.emb.Embedding.weight}), sinusoidal
 * positions ({@code positional_encoding.pe}), masked self-attention layers ({@code encoder.*}) and
 * an output block linear → layer norm → linear to the vocabulary ({@code
 * output_proj.layers.0/1/2}). Pad tokens (id {@code padIndex}) are masked as keys. {@code [B, U]}
 * tokens in, {@code [B, U, V]} logits out.
 */
public final class TransformerLm extends Module {
  /**
   * Settings, named as SpeechBrain's.
   *
   * @param vocab tokens
   * @param dModel width
   * @param nhead heads
   * @param numEncoderLayers depth
   * @param dFfn feed-forward width
   * @param dropout dropout
   * @param activation feed-forward activation
   * @param normalizeBefore pre-norm layers
   * @param maxLength longest token sequence
   * @param padIndex the pad token, masked as a key
   */
  public record Options(
      long vocab,
      long dModel,
      long nhead,
      int numEncoderLayers,
      long dFfn,
      double dropout,
      Activation activation,
      boolean normalizeBefore,
      long maxLength,
      long padIndex) {
    /** Validates. */
    public Options {
      Checks.positive(vocab, "vocab");
      Checks.positive(dModel, "d_model");
      Checks.positive(nhead, "nhead");
      Checks.positive(numEncoderLayers, "num_encoder_layers");
      Checks.positive(dFfn, "d_ffn");
      Checks.dropRate(dropout, "dropout");
      Layers.checked(activation, "activation");
      Checks.positive(maxLength, "max_length");
    }

    /** SpeechBrain's defaults over a 1000-token vocabulary. */
    public static Options defaults() {
      return new Options(1000, 512, 8, 12, 2048, 0.1, Activation.RELU, false, 2500, 0);
    }
  }

  private final Options options;
  private final PositionalEncoding positions;
  private final SourceEncoder encoder;
  private final Module embeddingModule;
  private final Module embWrapper;
  private final EmbeddingImpl embedding;
  private final Module outputProj;
  private final Module outputLayers;
  private final Linear proj;
  private final LayerNorm norm;
  private final Linear out;

  /** A model with the given settings, Xavier-normal matrices as SpeechBrain's. */
  public TransformerLm(Options options) {
    super("TransformerLM");
    if (options == null) {
      throw new IllegalArgumentException("options is null; use TransformerLm.Options.defaults()");
    }
    this.options = options;
    long d = options.dModel();
    this.positions =
        register_module("positional_encoding", new PositionalEncoding(d, options.maxLength()));
    List<Module> layers = new ArrayList<>();
    for (int i = 0; i < options.numEncoderLayers(); i++) {
      layers.add(
          new TransformerEncoderLayer(
              options.dFfn(),
              options.nhead(),
              d,
              options.dropout(),
              options.activation(),
              options.normalizeBefore(),
              AttentionType.REGULAR_MHA,
              true));
    }
    this.encoder =
        register_module("encoder", new SourceEncoder(EncoderModule.TRANSFORMER, d, layers));
    this.embeddingModule = register_module("custom_src_module", new Module("NormalizedEmbedding"));
    this.embWrapper = embeddingModule.register_module("emb", new Module("Embedding"));
    this.embedding =
        embWrapper.register_module(
            "Embedding", new EmbeddingImpl(new EmbeddingOptions(options.vocab(), d)));
    this.outputProj = register_module("output_proj", new Module("ModuleList"));
    this.outputLayers = outputProj.register_module("layers", new Module("ModuleList"));
    this.proj = outputLayers.register_module("0", new Linear(d, d, true));
    this.norm = outputLayers.register_module("1", new LayerNorm(1e-6, d));
    this.out = outputLayers.register_module("2", new Linear(d, options.vocab(), true));
    Layers.xavierNormalMatrices(this);
  }

  /** The settings. */
  public Options options() {
    return options;
  }

  /** Next-token logits {@code [B, U, V]} for {@code tokens} {@code [B, U]} (caller's scope). */
  public Tensor forward(Tensor tokens) {
    return Scopes.freeingTemporaries(
        () -> {
          Tensor t = tokens.to(torch.ScalarType.Long);
          long u = t.size(1);
          Tensor x = embedding.forward(t).mul(new Scalar(Math.sqrt((double) options.dModel())));
          x = x.add(positions.forward(u));
          Tensor h =
              encoder.forward(
                  x,
                  AttentionMasks.lookahead(u),
                  AttentionMasks.tokenPadding(t, options.padIndex()),
                  null);
          return out.forward(norm.forward(proj.forward(h)));
        });
  }

  @Override
  public String toString() {
    return "TransformerLM(d_model="
        + options.dModel()
        + ", layers="
        + options.numEncoderLayers()
        + ", vocab="
        + options.vocab()
        + ")";
  }
}
