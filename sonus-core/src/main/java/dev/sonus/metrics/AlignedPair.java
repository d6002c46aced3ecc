package dev.sonus.metrics;

import java.util.Objects;

/**
 * One column of an alignment: an edit operation with the reference and hypothesis tokens it pairs.
 *
 * <p>{@code ref} is {@code null} for an {@link EditOp#INSERTION} and {@code hyp} is {@code null}
 * for a {@link EditOp#DELETION}; both are present otherwise. This is SpeechBrain's {@code (op, i,
 * j)} alignment tuple with the indices resolved to tokens.
 *
 * @param op the edit operation
 * @param ref the reference token, or {@code null} for an insertion
 * @param hyp the hypothesis token, or {@code null} for a deletion
 */
public record AlignedPair(EditOp op, String ref, String hyp) {
  /** Checks that the tokens present fit the operation. */
  public AlignedPair {
    Objects.requireNonNull(op, "op");
    boolean ok =
        switch (op) {
          case CORRECT -> ref != null && ref.equals(hyp);
          case SUBSTITUTION -> ref != null && hyp != null && !ref.equals(hyp);
          case INSERTION -> ref == null && hyp != null;
          case DELETION -> ref != null && hyp == null;
        };
    if (!ok) {
      throw new IllegalArgumentException(
          String.format(
              "%s pairs ref=%s with hyp=%s; expected %s",
              op,
              quote(ref),
              quote(hyp),
              switch (op) {
                case CORRECT -> "two equal tokens";
                case SUBSTITUTION -> "two different tokens";
                case INSERTION -> "ref=null and a hypothesis token";
                case DELETION -> "a reference token and hyp=null";
              }));
    }
  }

  private static String quote(String token) {
    return token == null ? "null" : "'" + token + "'";
  }

  @Override
  public String toString() {
    return "(" + op.symbol() + ", " + quote(ref) + ", " + quote(hyp) + ")";
  }
}
