package dev.sonus.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sonus.tensor.Tensors;
import dev.sonus.testing.Close;
import dev.sonus.testing.FixtureManifest;
import dev.sonus.testing.FixtureManifest.Node;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CTC loss against SpeechBrain v1.0.0 and torch on {@code <sonus.fixtures>/speechbrain/ctc}. The
 * calls, their relative lengths, blank index and reduction are those each {@code files} entry's
 * description records (an entry "same with ..." repeats the previous call with what it changes);
 * the sizes are the listed shapes of {@code ctc/logits.npy} {@code [T, N, C]} and {@code
 * ctc/targets.npy} {@code [N, S]}.
 */
class CtcLossParityTest {
  private static final String FOLDER = "speechbrain";
  private static final String LOG_PROBS = "ctc/log_probs.npy";
  private static final String LOGITS = "ctc/logits.npy";
  private static final String TARGETS = "ctc/targets.npy";
  private static final String INPUT_LENGTHS = "ctc/input_lengths.npy";
  private static final String TARGET_LENGTHS = "ctc/target_lengths.npy";
  private static final String LOSS_NONE = "ctc/loss_none.npy";
  private static final String LOSS_SUM = "ctc/loss_sum.npy";
  private static final String GRAD_LOGITS_SUM = "ctc/grad_logits_sum.npy";
  private static final String SPEECHBRAIN_CTC = "speechbrain.nnet.losses.ctc_loss";
  private static final String FUNCTION = "(function)";
  private static final Pattern CALL = Pattern.compile("([\\w.]*ctc_loss)\\(");

  private static FixtureManifest manifest() {
    return FixtureManifest.of(FOLDER);
  }

  /**
   * The keyword arguments of the ctc_loss call each entry's description records, by file, with the
   * function under {@value #FUNCTION}. "same with k=v" takes the previous entry's call and changes
   * k.
   */
  private static Map<String, Map<String, String>> recordedCalls(FixtureManifest m) {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    Map<String, String> previous = null;
    for (Node f : m.files()) {
      String d = f.opt("description").map(Node::string).orElse("");
      Map<String, String> args = new LinkedHashMap<>();
      Matcher call = CALL.matcher(d);
      if (d.startsWith("same with") && previous != null) {
        args.putAll(previous);
      } else if (call.find()) {
        args.put(FUNCTION, call.group(1));
      } else {
        previous = null;
        continue;
      }
      args.putAll(FixtureManifest.callArgs(d));
      out.put(f.get("file").string(), args);
      previous = args;
    }
    return out;
  }

  private static Map<String, String> callOf(FixtureManifest m, String file) {
    Map<String, String> args = recordedCalls(m).get(file);
    if (args == null) {
      fail(m + ": the description of " + file + " records no ctc_loss call");
    }
    return args;
  }

  private static String arg(Map<String, String> args, String file, String... names) {
    for (String n : names) {
      if (args.containsKey(n)) {
        return args.get(n);
      }
    }
    return fail(
        "the call recorded for " + file + " has none of " + String.join(", ", names) + ": " + args);
  }

  private static CtcLoss.Reduction reduction(String name, String file) {
    return switch (name) {
      case "mean" -> CtcLoss.Reduction.MEAN;
      case "sum" -> CtcLoss.Reduction.SUM;
      case "batchmean" -> CtcLoss.Reduction.BATCHMEAN;
      case "batch", "none" -> CtcLoss.Reduction.BATCH;
      default -> fail(file + ": reduction '" + name + "' has no CtcLoss.Reduction");
    };
  }

  private static float[] floats(double[] d) {
    float[] out = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      out[i] = (float) d[i];
    }
    return out;
  }

  static Stream<String> speechBrainCalls() {
    return FixtureManifest.cases(
        FOLDER,
        m ->
            recordedCalls(m).entrySet().stream()
                .filter(e -> e.getValue().get(FUNCTION).equals(SPEECHBRAIN_CTC))
                .map(Map.Entry::getKey));
  }

  @ParameterizedTest
  @MethodSource("speechBrainCalls")
  void matchesSpeechBrainsCtcLossWithRelativeLengths(String file) {
    FixtureManifest m = manifest();
    Map<String, String> call = callOf(m, file);
    float[] inRel = floats(FixtureManifest.numbers(arg(call, file, "input_lens")));
    float[] tgtRel = floats(FixtureManifest.numbers(arg(call, file, "target_lens")));
    int blank = Integer.parseInt(arg(call, file, "blank_index"));
    CtcLoss.Reduction reduction = reduction(arg(call, file, "reduction"), file);
    try (PointerScope scope = new PointerScope()) {
      Tensor logProbs = m.npy(LOG_PROBS).toTensor().transpose(0, 1).contiguous(); // [B,T,C]
      Tensor targets = m.npy(TARGETS).toTensor();
      float expected = m.npy(file).floats()[0];
      double got =
          new CtcLoss(blank, reduction)
              .forward(
                  logProbs,
                  targets,
                  Tensors.fromFloats(inRel, inRel.length),
                  Tensors.fromFloats(tgtRel, tgtRel.length))
              .item_double();
      System.out.printf(
          "ctc %s: %.6f vs SpeechBrain's %.6f, |diff| %.3g (tolerance 1e-4)%n",
          reduction, got, expected, Math.abs(got - expected));
      assertEquals(expected, got, 1e-4, () -> file + " (" + reduction + "), tolerance 1e-4");
    }
  }

  @Test
  void perUtteranceLossesAndGradientMatchTorch() {
    FixtureManifest m = manifest();
    Map<String, String> none = callOf(m, LOSS_NONE);
    Map<String, String> sum = callOf(m, LOSS_SUM);
    long[] logitsShape = m.file(LOGITS).get("shape").longs(); // [T, N, C]
    long[] targetsShape = m.file(TARGETS).get("shape").longs(); // [N, S]
    float frames = logitsShape[0];
    float targetSlots = targetsShape[1];
    try (PointerScope scope = new PointerScope()) {
      long[] inLen = m.npy(INPUT_LENGTHS).longs();
      long[] tgtLen = m.npy(TARGET_LENGTHS).longs();
      float[] inRel = new float[inLen.length];
      float[] tgtRel = new float[tgtLen.length];
      for (int b = 0; b < inLen.length; b++) {
        inRel[b] = inLen[b] / frames;
        tgtRel[b] = tgtLen[b] / targetSlots;
      }
      Tensor logits = m.npy(LOGITS).toTensor().transpose(0, 1).contiguous().requires_grad_(true);
      Tensor logProbs = org.bytedeco.pytorch.global.torch.log_softmax(logits, 2);
      Tensor targets = m.npy(TARGETS).toTensor();
      Tensor in = Tensors.fromFloats(inRel, inRel.length);
      Tensor tgt = Tensors.fromFloats(tgtRel, tgtRel.length);
      float[] perUtterance =
          Tensors.toFloats(
              new CtcLoss(
                      Integer.parseInt(arg(none, LOSS_NONE, "blank")),
                      reduction(arg(none, LOSS_NONE, "reduction"), LOSS_NONE))
                  .forward(logProbs, targets, in, tgt));
      Close.assertClose(
          LOSS_NONE + " (tolerance 1e-4 + 1e-5 relative)",
          m.npy(LOSS_NONE).floats(),
          perUtterance,
          1e-4,
          1e-5);
      Tensor total =
          new CtcLoss(
                  Integer.parseInt(arg(sum, LOSS_SUM, "blank")),
                  reduction(arg(sum, LOSS_SUM, "reduction"), LOSS_SUM))
              .forward(logProbs, targets, in, tgt);
      total.backward();
      float[] expectedGrad = m.npy(GRAD_LOGITS_SUM).floats(); // [T, B, C]
      float[] grad = Tensors.toFloats(logits.grad().transpose(0, 1).contiguous());
      Close.assertClose(
          GRAD_LOGITS_SUM + " (tolerance 1e-5 + 1e-4 relative)", expectedGrad, grad, 1e-5, 1e-4);
    }
  }
}
