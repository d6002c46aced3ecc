package dev.sonus.metrics;

/**
 * One step of a Levenshtein alignment between a reference and a hypothesis.
 *
 * <p>The symbols match {@code speechbrain.utils.edit_distance.EDIT_SYMBOLS} (and Kaldi's {@code
 * compute-wer} alignment output): {@code =} correct, {@code S} substitution, {@code I} insertion,
 * {@code D} deletion.
 */
public enum EditOp {
  /** Reference and hypothesis tokens are equal; costs nothing. */
  CORRECT("="),
  /** A reference token was recognised as a different hypothesis token. */
  SUBSTITUTION("S"),
  /** The hypothesis has a token that is not in the reference. */
  INSERTION("I"),
  /** A reference token is missing from the hypothesis. */
  DELETION("D");

  private final String symbol;

  EditOp(String symbol) {
    this.symbol = symbol;
  }

  /**
   * Returns the one-character marker used in reports: {@code =}, {@code S}, {@code I} or {@code D}.
   */
  public String symbol() {
    return symbol;
  }

  /** Returns whether this step counts as an error (every op except {@link #CORRECT}). */
  public boolean isError() {
    return this != CORRECT;
  }
}
