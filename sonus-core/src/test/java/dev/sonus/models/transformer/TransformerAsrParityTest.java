package dev.sonus.models.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sonus.models.ConvolutionFrontEnd;
import dev.sonus.nn.Activation;
import dev.sonus.nn.Linear;
import dev.sonus.tensor.StateDict;
import dev.sonus.tensor.Tensors;
import dev.sonus.tensor.TorchCheckpoint;
import dev.sonus.testing.Close;
import dev.sonus.testing.FixtureManifest;
import dev.sonus.testing.FixtureManifest.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity with SpeechBrain v1.0.0's TransformerASR (transformer, conformer and branchformer
 * encoders, Transformer decoder) and ConvolutionFrontEnd on {@code
 * <sonus.fixtures>/speechbrain-transformer}: every model's arguments, its checkpoint, the inputs
 * and the expected outputs come from the manifest's {@code cases}; each model loads its {@code
 * .ckpt} as SpeechBrain saved it, and its encoder, decoder and head outputs must match to 1e-4.
 */
class TransformerAsrParityTest {
  static final String FOLDER = "speechbrain-transformer";
  private static final double TOLERANCE = 1e-4;

  static FixtureManifest manifest() {
    return FixtureManifest.of(FOLDER);
  }

  static Node caseNamed(FixtureManifest m, String name) {
    for (Node c : m.get("cases").list()) {
      if (c.get("name").string().equals(name)) {
        return c;
      }
    }
    return fail(m + " has no case named " + name);
  }

  /** The TransformerASR cases (those with a {@code class} ending in TransformerASR). */
  static Stream<String> modelCases() {
    return FixtureManifest.cases(
        FOLDER,
        m ->
            m.get("cases").list().stream()
                .filter(c -> c.get("class").string().endsWith(".TransformerASR"))
                .map(c -> c.get("name").string()));
  }

  static Activation activation(String torchClass) {
    String simple = torchClass.substring(torchClass.lastIndexOf('.') + 1);
    return switch (simple) {
      case "ReLU" -> Activation.RELU;
      case "GELU" -> Activation.GELU;
      case "LeakyReLU" -> Activation.LEAKY_RELU;
      case "Swish", "SiLU" -> Activation.SWISH;
      case "Identity" -> Activation.IDENTITY;
      case "Tanh" -> Activation.TANH;
      default -> fail(torchClass + " has no Sonus Activation");
    };
  }

  /** The model SpeechBrain built: its defaults overlaid with the case's {@code args}. */
  static TransformerAsr.Options options(Node args) {
    TransformerAsr.Options d = TransformerAsr.Options.defaults();
    return new TransformerAsr.Options(
        args.get("tgt_vocab").longValue(),
        args.get("input_size").longValue(),
        args.opt("d_model").map(Node::longValue).orElse(d.dModel()),
        args.opt("nhead").map(Node::longValue).orElse(d.nhead()),
        args.opt("num_encoder_layers").map(Node::intValue).orElse(d.numEncoderLayers()),
        args.opt("num_decoder_layers").map(Node::intValue).orElse(d.numDecoderLayers()),
        args.opt("d_ffn").map(Node::longValue).orElse(d.dFfn()),
        args.opt("dropout").map(Node::doubleValue).orElse(d.dropout()),
        args.opt("activation").map(n -> activation(n.string())).orElse(d.activation()),
        args.has("positional_encoding")
            ? (args.get("positional_encoding").raw() == null
                ? null
                : args.get("positional_encoding").string())
            : d.positionalEncoding(),
        args.opt("normalize_before").map(Node::bool).orElse(d.normalizeBefore()),
        args.opt("kernel_size").map(Node::longValue).orElse(d.kernelSize()),
        args.opt("bias").map(Node::bool).orElse(d.bias()),
        args.opt("encoder_module")
            .map(n -> EncoderModule.valueOf(n.string().toUpperCase(Locale.ROOT)))
            .orElse(d.encoderModule()),
        args.opt("conformer_activation")
            .map(n -> activation(n.string()))
            .orElse(d.conformerActivation()),
        args.opt("branchformer_activation")
            .map(n -> activation(n.string()))
            .orElse(d.branchformerActivation()),
        args.opt("attention_type")
            .map(
                n ->
                    switch (n.string()) {
                      case "regularMHA" -> AttentionType.REGULAR_MHA;
                      case "RelPosMHAXL" -> AttentionType.REL_POS_MHA_XL;
                      default -> fail("attention_type " + n.string() + " is not supported");
                    })
            .orElse(d.attentionType()),
        args.opt("max_length").map(Node::longValue).orElse(d.maxLength()),
        args.opt("causal").map(Node::bool).orElse(d.causal()),
        args.opt("csgu_linear_units").map(Node::longValue).orElse(d.csguLinearUnits()),
        args.opt("gate_activation").map(n -> activation(n.string())).orElse(d.gateActivation()),
        args.opt("use_linear_after_conv").map(Node::bool).orElse(d.useLinearAfterConv()));
  }

  static ConvolutionFrontEnd.Options frontendOptions(Node args) {
    ConvolutionFrontEnd.Options d = ConvolutionFrontEnd.Options.defaults();
    List<Node> shape = args.get("input_shape").list();
    int blocks = args.opt("num_blocks").map(Node::intValue).orElse(d.numBlocks());
    List<Boolean> residuals = new ArrayList<>();
    if (args.has("residuals")) {
      for (Node r : args.get("residuals").list()) {
        residuals.add(r.bool());
      }
    } else {
      residuals.addAll(d.residuals());
    }
    return new ConvolutionFrontEnd.Options(
        shape.get(shape.size() - 1).longValue(),
        blocks,
        args.opt("num_layers_per_block").map(Node::intValue).orElse(d.numLayersPerBlock()),
        args.opt("out_channels").map(Node::longList).orElse(d.outChannels()),
        args.opt("kernel_sizes").map(Node::longList).orElse(d.kernelSizes()),
        args.opt("strides").map(Node::longList).orElse(d.strides()),
        residuals,
        args.opt("activation").map(n -> activation(n.string())).orElse(d.activation()),
        args.opt("dropout").map(Node::doubleValue).orElse(d.dropout()));
  }

  /** The model of case {@code name}, with its checkpoint loaded, in eval mode. */
  static TransformerAsr loadModel(FixtureManifest m, String name) {
    Node c = caseNamed(m, name);
    TransformerAsr model = new TransformerAsr(options(c.get("args")));
    try (PointerScope scope = new PointerScope()) {
      String ckpt = name + "/model.ckpt";
      StateDict.load(model, TorchCheckpoint.read(m.path(ckpt)), true, m.path(ckpt).toString());
    }
    model.eval();
    return model;
  }

  static Linear loadHead(FixtureManifest m, String name, String head, long dModel, long vocab) {
    Linear lin = new Linear(dModel, vocab, true);
    try (PointerScope scope = new PointerScope()) {
      String ckpt = name + "/" + head + ".ckpt";
      StateDict.load(lin, TorchCheckpoint.read(m.path(ckpt)), true, m.path(ckpt).toString());
    }
    lin.eval();
    return lin;
  }

  /** The case's encoder input: the front end's output file named by its {@code input}. */
  static Tensor modelInput(FixtureManifest m, Node c) {
    String input = c.get("input").string();
    return m.npy(input.split(" ")[0]).toTensor();
  }

  static void assertClose(FixtureManifest m, String file, Tensor actual) {
    assertArrayEquals(m.file(file).get("shape").longs(), Tensors.shape(actual), file + " shape");
    Close.Diff d = Close.diff(m.npy(file).floats(), Tensors.toFloats(actual));
    System.out.printf("%s: %s (tolerance %.0e)%n", file, d, TOLERANCE);
    assertTrue(d.maxAbs() <= TOLERANCE, () -> file + ": " + d + " exceeds " + TOLERANCE);
  }

  @Test
  void frontendMatchesSpeechBrains() {
    FixtureManifest m = manifest();
    for (Node c : m.get("cases").list()) {
      if (!c.get("class").string().endsWith(".ConvolutionFrontEnd")) {
        continue;
      }
      ConvolutionFrontEnd fe = new ConvolutionFrontEnd(frontendOptions(c.get("args")));
      try (PointerScope scope = new PointerScope();
          NoGradGuard noGrad = new NoGradGuard()) {
        String ckpt = c.get("state_dict").string();
        Map<String, Tensor> sd = TorchCheckpoint.read(m.path(ckpt));
        assertEquals(new ArrayList<>(sd.keySet()), new ArrayList<>(StateDict.of(fe).keySet()));
        StateDict.load(fe, sd, true, ckpt);
        fe.eval();
        assertClose(
            m, c.get("output").string(), fe.forward(m.npy(c.get("input").string()).toTensor()));
      }
    }
  }

  @ParameterizedTest
  @MethodSource("modelCases")
  void stateDictKeysAreSpeechBrains(String name) {
    FixtureManifest m = manifest();
    TransformerAsr model = new TransformerAsr(options(caseNamed(m, name).get("args")));
    List<String> expected = new ArrayList<>();
    for (Node k : m.file(name + "/model.ckpt").get("keys").list()) {
      expected.add(k.get("key").string());
    }
    assertEquals(expected, new ArrayList<>(StateDict.of(model).keySet()));
  }

  @ParameterizedTest
  @MethodSource("modelCases")
  void encoderDecoderAndHeadsMatchSpeechBrains(String name) {
    FixtureManifest m = manifest();
    Node c = caseNamed(m, name);
    TransformerAsr model = loadModel(m, name);
    long vocab = model.options().tgtVocab();
    long d = model.options().dModel();
    Linear ctc = loadHead(m, name, "ctc_lin", d, vocab);
    Linear seq = loadHead(m, name, "seq_lin", d, vocab);
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard()) {
      Tensor src = modelInput(m, c);
      Tensor wavLen = m.npy(c.get("wav_len").string()).toTensor();
      Tensor tokens = m.npy(c.get("tokens").string()).toTensor();
      long pad = c.get("pad_idx").longValue();
      TransformerAsr.Output out = model.forward(src, tokens, wavLen, pad);
      assertClose(m, name + "/encoder_out.npy", out.encoderOut());
      assertClose(m, name + "/decoder_out.npy", out.decoderOut());
      assertClose(m, name + "/encode_out.npy", model.encodeStates(src, wavLen));
      assertClose(
          m, name + "/ctc_logprobs.npy", torch.log_softmax(ctc.forward(out.encoderOut()), -1));
      assertClose(
          m, name + "/seq_logprobs.npy", torch.log_softmax(seq.forward(out.decoderOut()), -1));
    }
  }
}
