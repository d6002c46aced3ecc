package dev.sonus.models.transformer;

import dev.sonus.models.Encoder;
import dev.sonus.nn.Activation;
import dev.sonus.nn.AttentionMasks;
import dev.sonus.nn.Checks;
import dev.sonus.nn.Linear;
import dev.sonus.nn.PositionalEncoding;
import dev.sonus.nn.RelPosEncXl;
import dev.sonus.tensor.Scopes;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.EmbeddingImpl;
import org.bytedeco.pytorch.EmbeddingOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Sequence-to-sequence speech recognition model with SpeechBrain v1.0.0's structure and parameter
 * names ({@code speechbrain.lobes.models.transformer.TransformerASR.TransformerASR}): a linear
 * input projection ({@code custom_src_module.layers.0.w.*}), positional encodings, a Transformer,
 * Conformer or Branchformer encoder ({@code encoder.*}), and a Transformer decoder ({@code
 * decoder.*}) over scaled token embeddings ({@code
 * custom_tgt_module.layers.0.emb.Embedding.weight}). A SpeechBrain {@code
 * torch.save(model.state_dict())} file loads key by key. The CTC and attention heads are the task's
 * ({@code ctc_lin}, {@code seq_lin}).
 *
 * <p>Inputs are {@code [B, T, inputSize]} frames (or {@code [B, T, C, F]} from a {@link
 * dev.sonus.models.ConvolutionFrontEnd}, flattened) with relative lengths {@code [B]}; targets are
 * {@code [B, U]} token ids starting with bos, padded with {@code padIndex}.
 *
 * <p>As the {@link Encoder} slot (a CTC-only Conformer) it runs the encoder only; it then needs no
 * decoder ({@code num_decoder_layers: 0}).
 */
public final class TransformerAsr extends Module implements Encoder {
  /**
   * Settings, named as SpeechBrain's constructor arguments (snake_case there).
   *
   * @param tgtVocab output vocabulary (tokens, including bos/eos/pad/blank)
   * @param inputSize features per input frame
   * @param dModel model width
   * @param nhead attention heads
   * @param numEncoderLayers encoder depth
   * @param numDecoderLayers decoder depth (0: encoder only)
   * @param dFfn feed-forward width
   * @param dropout dropout everywhere
   * @param activation feed-forward activation of the Transformer encoder and the decoder
   * @param positionalEncoding {@code fixed_abs_sine} or {@code null} (none)
   * @param normalizeBefore pre-norm layers (required for the Conformer)
   * @param kernelSize Conformer / Branchformer convolution kernel
   * @param bias convolution biases of the Conformer
   * @param encoderModule transformer, conformer or branchformer
   * @param conformerActivation activation of the Conformer's feed-forward and convolution modules
   * @param branchformerActivation activation of the Branchformer's cgMLP branch
   * @param attentionType regularMHA or RelPosMHAXL
   * @param maxLength longest sequence the absolute encodings cover
   * @param causal causal encoder (look-ahead mask, causal convolutions)
   * @param csguLinearUnits Branchformer cgMLP width
   * @param gateActivation activation of the Branchformer's gate
   * @param useLinearAfterConv a linear layer after the gate's convolution (Branchformer)
   */
  public record Options(
      long tgtVocab,
      long inputSize,
      long dModel,
      long nhead,
      int numEncoderLayers,
      int numDecoderLayers,
      long dFfn,
      double dropout,
      Activation activation,
      String positionalEncoding,
      boolean normalizeBefore,
      long kernelSize,
      boolean bias,
      EncoderModule encoderModule,
      Activation conformerActivation,
      Activation branchformerActivation,
      AttentionType attentionType,
      long maxLength,
      boolean causal,
      long csguLinearUnits,
      Activation gateActivation,
      boolean useLinearAfterConv) {
    /** Validates. */
    public Options {
      Checks.positive(tgtVocab, "tgt_vocab");
      Checks.positive(inputSize, "input_size");
      Checks.positive(dModel, "d_model");
      Checks.positive(nhead, "nhead");
      if (numEncoderLayers < 1) {
        throw new IllegalArgumentException(
            "num_encoder_layers is " + numEncoderLayers + "; give at least 1");
      }
      if (numDecoderLayers < 0) {
        throw new IllegalArgumentException(
            "num_decoder_layers is " + numDecoderLayers + "; give 0 (encoder only) or more");
      }
      Checks.positive(dFfn, "d_ffn");
      Checks.dropRate(dropout, "dropout");
      Layers.checked(activation, "activation");
      if (positionalEncoding != null && !positionalEncoding.equals("fixed_abs_sine")) {
        throw new IllegalArgumentException(
            "positional_encoding is '"
                + positionalEncoding
                + "'; expected fixed_abs_sine or null (none)");
      }
      Checks.positive(kernelSize, "kernel_size");
      if (encoderModule == null) {
        throw new IllegalArgumentException(
            "encoder_module is null; expected one of transformer, conformer, branchformer");
      }
      Layers.checked(conformerActivation, "conformer_activation");
      Layers.checked(branchformerActivation, "branchformer_activation");
      Layers.checked(gateActivation, "gate_activation");
      if (attentionType == null) {
        throw new IllegalArgumentException(
            "attention_type is null; expected regularMHA or RelPosMHAXL");
      }
      Checks.positive(maxLength, "max_length");
      Checks.positive(csguLinearUnits, "csgu_linear_units");
      if (encoderModule == EncoderModule.CONFORMER && !normalizeBefore) {
        throw new IllegalArgumentException(
            "normalize_before is false; the Conformer needs normalize_before: true");
      }
      if (encoderModule == EncoderModule.BRANCHFORMER && causal) {
        throw new IllegalArgumentException(
            "causal is true; the Branchformer encoder has no causal form (use the conformer)");
      }
    }

    /** SpeechBrain's defaults for a 720-token vocabulary over 80 features. */
    public static Options defaults() {
      return new Options(
          720,
          80,
          512,
          8,
          6,
          6,
          2048,
          0.1,
          Activation.RELU,
          "fixed_abs_sine",
          false,
          31,
          true,
          EncoderModule.TRANSFORMER,
          Activation.SWISH,
          Activation.GELU,
          AttentionType.REGULAR_MHA,
          2500,
          true,
          3072,
          Activation.IDENTITY,
          false);
    }
  }

  /**
   * What {@link #forward} returns: encoder states {@code [B, T, d]}, decoder states {@code [B, U,
   * d]}.
   */
  public record Output(Tensor encoderOut, Tensor decoderOut) {}

  private final Options options;
  private final PositionalEncoding absolute;
  private final RelPosEncXl relative;
  private final PositionalEncoding decoderPositions;
  private final SourceEncoder encoder;
  private final TransformerDecoder decoder;
  private final Module customSrcModule;
  private final Module srcLayers;
  private final Linear inputProjection;
  private final Module customTgtModule;
  private final Module tgtLayers;
  private final Module normalizedEmbedding;
  private final Module embWrapper;
  private final EmbeddingImpl embedding;

  /** A model with the given settings, initialised as SpeechBrain's (Xavier-normal matrices). */
  public TransformerAsr(Options options) {
    super("TransformerASR");
    if (options == null) {
      throw new IllegalArgumentException("options is null; use TransformerAsr.Options.defaults()");
    }
    this.options = options;
    long d = options.dModel();
    boolean relPos = options.attentionType() == AttentionType.REL_POS_MHA_XL;
    if (relPos) {
      this.absolute = null;
      this.relative = register_module("positional_encoding", new RelPosEncXl(d));
      this.decoderPositions =
          register_module(
              "positional_encoding_decoder", new PositionalEncoding(d, options.maxLength()));
    } else {
      this.relative = null;
      this.decoderPositions = null;
      this.absolute =
          options.positionalEncoding() == null
              ? null
              : register_module(
                  "positional_encoding", new PositionalEncoding(d, options.maxLength()));
    }
    this.encoder = register_module("encoder", buildEncoder(options));
    this.decoder =
        options.numDecoderLayers() == 0
            ? null
            : register_module(
                "decoder",
                new TransformerDecoder(
                    options.numDecoderLayers(),
                    options.nhead(),
                    options.dFfn(),
                    d,
                    options.dropout(),
                    options.activation(),
                    options.normalizeBefore()));
    this.customSrcModule = register_module("custom_src_module", new Module("ModuleList"));
    this.srcLayers = customSrcModule.register_module("layers", new Module("ModuleList"));
    this.inputProjection = srcLayers.register_module("0", new Linear(options.inputSize(), d, true));
    if (decoder != null) {
      this.customTgtModule = register_module("custom_tgt_module", new Module("ModuleList"));
      this.tgtLayers = customTgtModule.register_module("layers", new Module("ModuleList"));
      this.normalizedEmbedding = tgtLayers.register_module("0", new Module("NormalizedEmbedding"));
      this.embWrapper = normalizedEmbedding.register_module("emb", new Module("Embedding"));
      this.embedding =
          embWrapper.register_module(
              "Embedding", new EmbeddingImpl(new EmbeddingOptions(options.tgtVocab(), d)));
    } else {
      this.customTgtModule = null;
      this.tgtLayers = null;
      this.normalizedEmbedding = null;
      this.embWrapper = null;
      this.embedding = null;
    }
    initParams();
  }

  private SourceEncoder buildEncoder(Options o) {
    List<Module> layers = new ArrayList<>();
    for (int i = 0; i < o.numEncoderLayers(); i++) {
      layers.add(
          switch (o.encoderModule()) {
            case TRANSFORMER ->
                new TransformerEncoderLayer(
                    o.dFfn(),
                    o.nhead(),
                    o.dModel(),
                    o.dropout(),
                    o.activation(),
                    o.normalizeBefore(),
                    o.attentionType(),
                    o.causal());
            case CONFORMER ->
                new ConformerEncoderLayer(
                    o.dModel(),
                    o.dFfn(),
                    o.nhead(),
                    o.kernelSize(),
                    o.conformerActivation(),
                    o.bias(),
                    o.dropout(),
                    o.causal(),
                    o.attentionType());
            case BRANCHFORMER ->
                new BranchformerEncoderLayer(
                    o.dModel(),
                    o.nhead(),
                    o.kernelSize(),
                    o.branchformerActivation(),
                    o.dropout(),
                    o.attentionType(),
                    o.csguLinearUnits(),
                    o.gateActivation(),
                    o.useLinearAfterConv());
          });
    }
    return new SourceEncoder(o.encoderModule(), o.dModel(), layers);
  }

  private void initParams() {
    Layers.xavierNormalMatrices(this);
  }

  /** The settings. */
  public Options options() {
    return options;
  }

  private static Tensor flatten(Tensor src) {
    if (src.dim() == 4) {
      return src.reshape(src.size(0), src.size(1), src.size(2) * src.size(3));
    }
    Checks.rank(
        src, "TransformerASR input", "[batch, time, features] or [batch, time, channels, freq]", 3);
    return src;
  }

  private Tensor srcMask(long frames) {
    return options.causal() ? AttentionMasks.lookahead(frames) : null;
  }

  /**
   * Encoder states {@code [B, T, d]} of {@code src} (caller's scope): SpeechBrain's {@code encode}.
   *
   * @param wavLen {@code [B]} relative lengths, or {@code null} when nothing is padded
   */
  public Tensor encodeStates(Tensor src, Tensor wavLen) {
    return encodeStates(src, wavLen, null);
  }

  /**
   * As {@link #encodeStates(Tensor, Tensor)}, with an explicit {@code [T, T]} source attention mask
   * (e.g. {@link AttentionMasks#dynamicChunk}) instead of the causal one.
   */
  public Tensor encodeStates(Tensor src, Tensor wavLen, Tensor srcMask) {
    return Scopes.freeingTemporaries(
        () -> {
          Tensor x = flatten(src);
          long frames = x.size(1);
          Tensor padding = wavLen == null ? null : AttentionMasks.keyPadding(wavLen, frames);
          Tensor mask = srcMask != null ? srcMask : srcMask(frames);
          return runEncoder(x, mask, padding);
        });
  }

  private Tensor runEncoder(Tensor x, Tensor mask, Tensor padding) {
    Tensor h = inputProjection.forward(x);
    h = torch.dropout(h, options.dropout(), is_training());
    Tensor pos = null;
    if (relative != null) {
      pos = relative.forward(h.size(1));
    } else if (absolute != null) {
      h = h.add(absolute.forward(h.size(1)));
    }
    return encoder.forward(h, mask, padding, pos);
  }

  private Tensor embedTargets(Tensor tgt) {
    Tensor e =
        embedding
            .forward(tgt.to(torch.ScalarType.Long))
            .mul(new Scalar(Math.sqrt((double) options.dModel())));
    PositionalEncoding positions = decoderPositions != null ? decoderPositions : absolute;
    return positions == null ? e : e.add(positions.forward(tgt.size(1)));
  }

  private void requireDecoder() {
    if (decoder == null) {
      throw new IllegalStateException(
          "this TransformerASR has no decoder (num_decoder_layers: 0); use encode() or give it decoder layers");
    }
  }

  /**
   * Encoder and decoder states for teacher forcing (caller's scope).
   *
   * @param tgt {@code [B, U]} decoder input tokens (bos first)
   * @param wavLen {@code [B]} relative lengths, or {@code null}
   * @param padIndex the pad token, masked in the decoder's self-attention
   */
  public Output forward(Tensor src, Tensor tgt, Tensor wavLen, long padIndex) {
    requireDecoder();
    try (PointerScope scope = new PointerScope()) {
      Tensor x = flatten(src);
      long frames = x.size(1);
      Tensor padding = wavLen == null ? null : AttentionMasks.keyPadding(wavLen, frames);
      Tensor enc = runEncoder(x, srcMask(frames), padding);
      Tensor dec =
          decoder.forward(
              embedTargets(tgt),
              enc,
              AttentionMasks.lookahead(tgt.size(1)),
              AttentionMasks.tokenPadding(tgt, padIndex),
              padding);
      return new Output(Scopes.toCallerScope(enc), Scopes.toCallerScope(dec));
    }
  }

  /**
   * One decoding pass for search: decoder states {@code [B, U, d]} of the token prefixes {@code
   * tgt} over {@code encoderOut} (caller's scope).
   *
   * @param encLen {@code [B]} valid encoder frames (absolute), or {@code null}
   */
  public Tensor decode(Tensor tgt, Tensor encoderOut, Tensor encLen) {
    requireDecoder();
    return Scopes.freeingTemporaries(
        () -> {
          Tensor padding =
              encLen == null
                  ? null
                  : AttentionMasks.keyPaddingFromLengths(encLen, encoderOut.size(1));
          return decoder.forward(
              embedTargets(tgt), encoderOut, AttentionMasks.lookahead(tgt.size(1)), null, padding);
        });
  }

  @Override
  public long inputSize() {
    return options.inputSize();
  }

  @Override
  public long outputSize() {
    return options.dModel();
  }

  @Override
  public Encoder.Output encode(Tensor features, Tensor relLengths) {
    Tensor out = encodeStates(features, relLengths, null);
    return new Encoder.Output(out, relLengths);
  }

  @Override
  public String toString() {
    return "TransformerASR("
        + options.encoderModule().name().toLowerCase(java.util.Locale.ROOT)
        + ", d_model="
        + options.dModel()
        + ", encoder="
        + options.numEncoderLayers()
        + ", decoder="
        + options.numDecoderLayers()
        + ")";
  }
}
