package dev.sonus.decode;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * Greedy CTC decoding: the most probable token per frame, repeats collapsed, blanks dropped.
 *
 * <p>Input is log-probabilities (or probabilities) {@code [time, vocab]}. Matches {@code
 * speechbrain.decoders.ctc.ctc_greedy_decode}, including its length rule for batches: {@code
 * round(relLength * T)} frames.
 */
public final class CtcGreedy implements CtcDecoder {
  private final int blankIndex;

  /** A decoder whose blank token is at {@code blankIndex} (SpeechBrain recipes use 0). */
  public CtcGreedy(int blankIndex) {
    if (blankIndex < 0) {
      throw new IllegalArgumentException(
          "blankIndex is " + blankIndex + "; expected a non-negative vocabulary index (usually 0)");
    }
    this.blankIndex = blankIndex;
  }

  /** A decoder with the blank at index 0. */
  public CtcGreedy() {
    this(0);
  }

  /** The blank token's index. */
  @Override
  public int blankIndex() {
    return blankIndex;
  }

  /** Decodes all frames of {@code logProbs [time, vocab]} into token ids. */
  public int[] decode(float[][] logProbs) {
    return decode(logProbs, logProbs.length);
  }

  /** Decodes the first {@code frames} frames of {@code logProbs [time, vocab]} into token ids. */
  public int[] decode(float[][] logProbs, int frames) {
    if (frames < 0 || frames > logProbs.length) {
      throw new IllegalArgumentException(
          String.format(
              "frames is %d; expected 0..%d (the number of rows in logProbs)",
              frames, logProbs.length));
    }
    int[] out = new int[frames];
    int n = 0;
    int previous = -1;
    for (int t = 0; t < frames; t++) {
      int best = argmax(logProbs[t]);
      if (best != previous && best != blankIndex) {
        out[n++] = best;
      }
      previous = best;
    }
    return java.util.Arrays.copyOf(out, n);
  }

  /**
   * Decodes a batch {@code logProbs [batch, time, vocab]} with relative lengths {@code relLengths
   * [batch]}.
   *
   * <p>Each utterance uses {@code round(relLength * time)} frames, as {@code ctc_greedy_decode}
   * does.
   */
  public List<int[]> decodeBatch(Tensor logProbs, Tensor relLengths) {
    float[][][] batch = CtcBatches.toArrays(logProbs, "CtcGreedy.decodeBatch");
    float[] rel = CtcBatches.relLengths(relLengths, batch.length, "CtcGreedy.decodeBatch");
    List<int[]> out = new ArrayList<>(batch.length);
    for (int b = 0; b < batch.length; b++) {
      int time = batch[b].length;
      // torch.round rounds half to even, as Math.rint does.
      int frames = (int) Math.rint(rel[b] * (float) time); // float32 product, as in torch
      out.add(decode(batch[b], Math.min(frames, time)));
    }
    return out;
  }

  /**
   * The tokens of each utterance's greedy path, joined and stripped of leading and trailing spaces.
   */
  @Override
  public List<String> decode(Tensor logProbs, Tensor relLengths, List<String> vocab) {
    List<String> texts = new ArrayList<>();
    for (int[] ids : decodeBatch(logProbs, relLengths)) {
      StringBuilder text = new StringBuilder();
      for (int id : ids) {
        if (id >= vocab.size()) {
          throw new IllegalArgumentException(
              "token "
                  + id
                  + " is outside the vocabulary of "
                  + vocab.size()
                  + " labels; the model has more outputs than the label encoder has labels");
        }
        text.append(vocab.get(id));
      }
      texts.add(text.toString().strip());
    }
    return texts;
  }

  /** Index of the first maximum, as {@code torch.max} on CPU returns for ties. */
  static int argmax(float[] row) {
    int best = 0;
    for (int v = 1; v < row.length; v++) {
      if (row[v] > row[best]) {
        best = v;
      }
    }
    return best;
  }

  @Override
  public String toString() {
    return "CtcGreedy(blankIndex=" + blankIndex + ")";
  }
}
