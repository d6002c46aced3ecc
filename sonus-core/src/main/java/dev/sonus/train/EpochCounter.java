package dev.sonus.train;

/**
 * Counts epochs up to a limit, as SpeechBrain's {@code EpochCounter}; its position is part of a
 * checkpoint so that a resumed run continues with the next epoch.
 */
public final class EpochCounter {
  private final int limit;
  private int current;

  /** Counts epochs 1..{@code limit}. */
  public EpochCounter(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("epoch limit is " + limit + "; it must be 0 or more");
    }
    this.limit = limit;
  }

  /** The last epoch. */
  public int limit() {
    return limit;
  }

  /** The epoch in progress or last finished (0 before the first). */
  public int current() {
    return current;
  }

  /** Whether another epoch remains. */
  public boolean hasNext() {
    return current < limit;
  }

  /** Advances to the next epoch and returns it. */
  public int next() {
    if (!hasNext()) {
      throw new IllegalStateException("all " + limit + " epochs are done");
    }
    return ++current;
  }

  /** Sets the position (restoring a checkpoint). */
  public void restore(int epochsDone) {
    if (epochsDone < 0 || epochsDone > limit) {
      throw new IllegalArgumentException(
          "restored epoch "
              + epochsDone
              + " is outside 0.."
              + limit
              + "; the checkpoint comes from a run with more epochs; raise number_of_epochs");
    }
    this.current = epochsDone;
  }

  @Override
  public String toString() {
    return "EpochCounter(" + current + "/" + limit + ")";
  }
}
