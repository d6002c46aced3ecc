package dev.sonus.decode;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * The decoder slot of a CTC task: per-frame log-probabilities to text. {@link CtcGreedy} and {@link
 * CtcPrefixBeamSearch} (beam size, pruning, ARPA n-gram shallow fusion with a weight and a word
 * insertion bonus, an optional lexicon) implement it; a recipe picks one with {@code decoder:
 * !new:decode.CtcPrefixBeamSearch {beam_size: 10, lm_path: lm.arpa, lm_weight: 0.5}}.
 */
public interface CtcDecoder {

  /** Index of the blank token; the task checks it against its own. */
  int blankIndex();

  /**
   * The best text of each utterance.
   *
   * @param logProbs {@code [B, T, V]} log-probabilities
   * @param relLengths {@code [B]} valid fraction of {@code T}
   * @param vocab the token of each of the {@code V} outputs (characters, the blank included at
   *     {@link #blankIndex()}); a text is its tokens joined, with leading and trailing spaces
   *     removed
   */
  List<String> decode(Tensor logProbs, Tensor relLengths, List<String> vocab);
}
