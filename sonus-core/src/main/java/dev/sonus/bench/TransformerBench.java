package dev.sonus.bench;

import dev.sonus.losses.CtcLoss;
import dev.sonus.models.ConvolutionFrontEnd;
import dev.sonus.models.transformer.AttentionType;
import dev.sonus.models.transformer.EncoderModule;
import dev.sonus.models.transformer.TransformerAsr;
import dev.sonus.nn.Activation;
import dev.sonus.nn.Linear;
import dev.sonus.tensor.Tensors;
import dev.sonus.tensor.Threads;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code sonus bench transformer}: training steps (forward and backward, no optimiser update) of
 * the AN4 joint CTC/attention model on one fixed batch of seeded random features, and how close
 * they come to the machine: the step's multiply-adds are counted layer by layer (the matrix
 * products, attention scores and convolutions, backward counted as twice the forward) and divided
 * by the step time, then set against a plain libtorch matrix product of the encoder's feed-forward
 * shape timed in the same run.
 */
public final class TransformerBench {
  private TransformerBench() {}

  /**
   * The model and batch.
   *
   * @param encoder conformer, transformer or branchformer encoder layers
   * @param batch utterances per batch
   * @param frames feature frames per utterance (100 per second)
   * @param tokens target tokens per utterance
   * @param dModel model width
   * @param encoderLayers encoder depth
   * @param decoderLayers decoder depth
   * @param dFfn feed-forward width (Conformer and Transformer encoder layers, the decoder)
   * @param csgu cgMLP width of the Branchformer's convolution branch ({@code csgu_linear_units})
   * @param heads attention heads
   * @param kernel Conformer convolution kernel
   * @param vocab output pieces
   */
  public record Shape(
      EncoderModule encoder,
      int batch,
      int frames,
      int tokens,
      long dModel,
      int encoderLayers,
      int decoderLayers,
      long dFfn,
      long csgu,
      long heads,
      long kernel,
      long vocab) {
    /** Validates. */
    public Shape {
      if (encoder == null) {
        throw new IllegalArgumentException(
            "encoder is null; give conformer, transformer or branchformer");
      }
      if (csgu < 2 || csgu % 2 != 0) {
        throw new IllegalArgumentException(
            "csgu_linear_units is " + csgu + "; the gate halves it, so give an even width");
      }
      if (batch < 1 || frames < 8 || tokens < 1 || dModel < 1 || encoderLayers < 1) {
        throw new IllegalArgumentException(
            "batch, tokens, d_model and encoder layers must be positive and frames at least 8");
      }
      if (decoderLayers < 1 || dFfn < 1 || heads < 1 || dModel % heads != 0 || vocab < 4) {
        throw new IllegalArgumentException(
            "decoder layers, d_ffn and heads must be positive, d_model a multiple of heads and"
                + " the vocabulary at least 4 pieces");
      }
      if (kernel < 1 || kernel % 2 == 0) {
        throw new IllegalArgumentException("kernel is " + kernel + "; give an odd kernel size");
      }
    }

    /**
     * recipes/an4/conformer: 16 utterances of 3 s (300 frames), 20 tokens, width 144, 8 Conformer
     * and 4 decoder layers, feed-forward 576, 4 heads, kernel 15, 128 pieces; the cgMLP width 864
     * is recipes/an4/branchformer's.
     */
    public static Shape an4Conformer() {
      return new Shape(EncoderModule.CONFORMER, 16, 300, 20, 144, 8, 4, 576, 864, 4, 15, 128);
    }

    /** Frames after the front end's two stride-2 blocks. */
    long encoderFrames() {
      return ((frames + 1L) / 2 + 1) / 2;
    }
  }

  /**
   * What one benchmark run measured.
   *
   * @param stepGflop multiply-adds × 2 of one training step, in GFLOP
   * @param stepSeconds median step time
   * @param tokensPerSecond median decoder tokens (batch × tokens) trained per second
   * @param modelGflops median GFLOP/s of the model's step
   * @param matmulGflops median GFLOP/s of the plain matrix product
   * @param matmulShape the product's shape, {@code [m, k] x [k, n]}
   */
  public record Result(
      double stepGflop,
      double stepSeconds,
      double tokensPerSecond,
      double modelGflops,
      double matmulGflops,
      String matmulShape) {}

  /**
   * Runs {@code warmup} untimed steps, then {@code runs} timed runs of {@code iters} steps each,
   * alternating each run with a timed run of the plain product so both see the same machine load.
   */
  public static Result run(
      Shape s, int threads, int warmup, int runs, int iters, Benchmarks.Listener listener) {
    if (threads < 1 || warmup < 0 || runs < 1 || iters < 1) {
      throw new IllegalArgumentException(
          "threads, runs and iters must be positive and warmup at least 0");
    }
    Threads.setIntraOp(threads);
    ConvolutionFrontEnd cnn =
        new ConvolutionFrontEnd(
            new ConvolutionFrontEnd.Options(
                80,
                2,
                1,
                List.of(64L, 32L),
                List.of(3L, 3L),
                List.of(2L, 2L),
                List.of(false, false),
                Activation.LEAKY_RELU,
                0.1));
    TransformerAsr model = new TransformerAsr(options(s));
    Linear ctcHead = new Linear(s.dModel(), s.vocab(), true);
    Linear seqHead = new Linear(s.dModel(), s.vocab(), true);
    CtcLoss ctc = new CtcLoss(0, CtcLoss.Reduction.BATCHMEAN);
    SplittableRandom rng = new SplittableRandom(1234);
    float[] feats = new float[s.batch() * s.frames() * 80];
    for (int i = 0; i < feats.length; i++) {
      feats[i] = (float) rng.nextGaussian();
    }
    long[] tgt = new long[s.batch() * s.tokens()];
    for (int i = 0; i < tgt.length; i++) {
      tgt[i] = 3L + rng.nextInt((int) s.vocab() - 3);
    }
    double[] stepSeconds = new double[runs];
    double[] matmul = new double[runs];
    long m = s.batch() * s.encoderFrames();
    double flop = 3 * forwardFlops(s);
    try (PointerScope outer = new PointerScope()) {
      Tensor x = Tensors.fromFloats(feats, s.batch(), s.frames(), 80);
      Tensor tokens = Tensors.fromLongs(tgt, s.batch(), s.tokens());
      Tensor bos =
          torch.cat(
              new org.bytedeco.pytorch.TensorVector(
                  torch.ones(s.batch(), 1).to(torch.ScalarType.Long),
                  tokens.narrow(1, 0, s.tokens() - 1)),
              1);
      Tensor full = torch.ones(s.batch());
      Tensor a = torch.randn(m, s.dModel());
      Tensor b = torch.randn(s.dModel(), s.dFfn());
      Runnable step =
          () -> {
            try (PointerScope scope = new PointerScope()) {
              TransformerAsr.Output out = model.forward(cnn.forward(x), bos, full, 0);
              Tensor pCtc = torch.log_softmax(ctcHead.forward(out.encoderOut()), -1);
              Tensor pSeq = torch.log_softmax(seqHead.forward(out.decoderOut()), -1);
              Tensor nll = pSeq.gather(2, tokens.unsqueeze(2)).mean().neg();
              Tensor loss = ctc.forward(pCtc, tokens, full, full).mul(new Scalar(0.3)).add(nll);
              loss.backward();
            }
          };
      int products = (int) Math.max(1, Math.round(flop / (2.0 * m * s.dModel() * s.dFfn())));
      Runnable product =
          () -> {
            try (PointerScope scope = new PointerScope()) {
              for (int i = 0; i < products; i++) {
                torch.matmul(a, b);
              }
            }
          };
      for (int i = 0; i < warmup; i++) {
        step.run();
        product.run();
      }
      for (int r = 0; r < runs; r++) {
        long start = System.nanoTime();
        for (int i = 0; i < iters; i++) {
          step.run();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        stepSeconds[r] = elapsed / iters;
        listener.run(r + 1, flop / stepSeconds[r] / 1e9, elapsed, iters);
        start = System.nanoTime();
        product.run();
        double p = (System.nanoTime() - start) / 1e9;
        matmul[r] = products * 2.0 * m * s.dModel() * s.dFfn() / p / 1e9;
      }
      double median = Benchmarks.Runs.of(stepSeconds).median();
      return new Result(
          flop / 1e9,
          median,
          s.batch() * s.tokens() / median,
          flop / median / 1e9,
          Benchmarks.Runs.of(matmul).median(),
          "[" + m + ", " + s.dModel() + "] x [" + s.dModel() + ", " + s.dFfn() + "]");
    }
  }

  private static TransformerAsr.Options options(Shape s) {
    TransformerAsr.Options d = TransformerAsr.Options.defaults();
    boolean relative = s.encoder() != EncoderModule.TRANSFORMER;
    return new TransformerAsr.Options(
        s.vocab(),
        640,
        s.dModel(),
        s.heads(),
        s.encoderLayers(),
        s.decoderLayers(),
        s.dFfn(),
        0.1,
        Activation.GELU,
        d.positionalEncoding(),
        true,
        s.kernel(),
        true,
        s.encoder(),
        Activation.SWISH,
        d.branchformerActivation(),
        relative ? AttentionType.REL_POS_MHA_XL : AttentionType.REGULAR_MHA,
        d.maxLength(),
        false,
        s.csgu(),
        d.gateActivation(),
        d.useLinearAfterConv());
  }

  /**
   * FLOP (2 per multiply-add) of one forward pass: convolutions, matrix products and attention
   * products; element-wise work (norms, activations, softmax) is left out, so the figure is a lower
   * bound of the work done.
   */
  static double forwardFlops(Shape s) {
    double b = s.batch();
    double t2 = Math.floorDiv(s.frames() + 1, 2);
    double t = s.encoderFrames();
    double u = s.tokens();
    double d = s.dModel();
    double f = s.dFfn();
    List<Double> parts = new ArrayList<>();
    parts.add(2 * b * t2 * 40 * 64 * 9); // front end block 1: 1 -> 64 channels, 3x3
    parts.add(2 * b * t * 20 * 32 * 64 * 9); // block 2: 64 -> 32 channels
    parts.add(2 * b * t * 640 * d); // input projection
    double attention = 2 * b * t * d * 3 * d + 2 * b * t * t * d * 2 + 2 * b * t * d * d;
    double relative = 2 * (2 * t - 1) * d * d + 2 * b * t * (2 * t - 1) * d;
    double layer =
        switch (s.encoder()) {
          case CONFORMER -> {
            double ffn = 2 * (2 * b * t * d * f);
            double conv = 2 * b * t * d * 2 * d + 2 * b * t * d * s.kernel() + 2 * b * t * d * d;
            yield attention + relative + 2 * ffn + conv;
          }
          case BRANCHFORMER -> {
            // cgMLP: d -> csgu, depthwise convolution over half of it, half -> d; then the merge
            double h = s.csgu() / 2.0;
            double cgmlp =
                2 * b * t * d * s.csgu() + 2 * b * t * h * s.kernel() + 2 * b * t * h * d;
            yield attention + relative + cgmlp + 2 * b * t * 2 * d * d;
          }
          case TRANSFORMER -> attention + 2 * (2 * b * t * d * f);
        };
    parts.add(s.encoderLayers() * layer);
    double self = 2 * b * u * d * 4 * d + 2 * b * u * u * d * 2;
    double cross = 2 * b * u * d * 2 * d + 2 * b * t * d * 2 * d + 2 * b * u * t * d * 2;
    double ffn = 2 * (2 * b * u * d * f);
    parts.add(s.decoderLayers() * (self + cross + ffn));
    parts.add(2 * b * t * d * s.vocab() + 2 * b * u * d * s.vocab()); // CTC and attention heads
    return parts.stream().mapToDouble(Double::doubleValue).sum();
  }
}
