package dev.sonus.train.schedule;

/**
 * What a warm-up schedule does once the peak is reached at step {@code W} (the end of warm-up).
 *
 * <p>Recipes write the lower-case name ({@code decay: inverse_sqrt}). With {@code peak} the peak
 * rate, {@code final} the {@code final_lr} and {@code T} the {@code total_steps}:
 *
 * <ul>
 *   <li>{@link #NONE}: hold {@code peak}.
 *   <li>{@link #LINEAR}: {@code final + (peak - final) * (T - step) / (T - W)}, then {@code final}
 *       from step {@code T} on (Hugging Face {@code get_linear_schedule_with_warmup} when {@code
 *       final} is 0).
 *   <li>{@link #COSINE}: {@code final + (peak - final) * (1 + cos(pi * (step - W) / (T - W))) / 2},
 *       then {@code final} from step {@code T} on (Hugging Face {@code
 *       get_cosine_schedule_with_warmup}).
 *   <li>{@link #INVERSE_SQRT}: {@code max(final, peak * sqrt(W / step))} (fairseq {@code
 *       inverse_sqrt}, the Noam decay); needs no {@code T}, and {@code W >= 1}.
 * </ul>
 */
public enum Decay {
  /** Hold the peak rate. */
  NONE,
  /** Linear decay to {@code final_lr} at {@code total_steps}. */
  LINEAR,
  /** Half-cosine decay to {@code final_lr} at {@code total_steps}. */
  COSINE,
  /** Inverse square root decay, {@code peak * sqrt(W / step)}, never below {@code final_lr}. */
  INVERSE_SQRT;

  /**
   * The rate at {@code step >= warmupEnd}; {@code totalSteps} is ignored by NONE and INVERSE_SQRT.
   */
  double at(long step, long warmupEnd, long totalSteps, double peakLr, double finalLr) {
    switch (this) {
      case NONE:
        return peakLr;
      case LINEAR:
        if (step >= totalSteps) {
          return finalLr;
        }
        return finalLr
            + (peakLr - finalLr) * (double) (totalSteps - step) / (double) (totalSteps - warmupEnd);
      case COSINE:
        if (step >= totalSteps) {
          return finalLr;
        }
        double progress = (double) (step - warmupEnd) / (double) (totalSteps - warmupEnd);
        return finalLr + (peakLr - finalLr) * 0.5 * (1.0 + Math.cos(Math.PI * progress));
      case INVERSE_SQRT:
        return Math.max(finalLr, peakLr * Math.sqrt((double) warmupEnd / (double) step));
      default:
        throw new AssertionError(this);
    }
  }

  /**
   * Checks the decay settings of a schedule whose warm-up ends at {@code warmupEnd}: LINEAR and
   * COSINE need {@code totalSteps > warmupEnd}; NONE and INVERSE_SQRT take no {@code totalSteps};
   * INVERSE_SQRT needs {@code warmupEnd >= 1}; {@code finalLr} must not exceed {@code peakLr}, and
   * NONE takes none.
   */
  static void check(Decay decay, long warmupEnd, Long totalSteps, double peakLr, double finalLr) {
    nonNull(decay);
    Checks.lr(finalLr, "final_lr");
    switch (decay) {
      case LINEAR:
      case COSINE:
        if (totalSteps == null) {
          throw new IllegalArgumentException(
              "total_steps is not set but decay is "
                  + Checks.name(decay)
                  + "; give the step where the decay ends, e.g. total_steps: 100000");
        }
        if (totalSteps <= warmupEnd) {
          throw new IllegalArgumentException(
              "total_steps is "
                  + totalSteps
                  + " but warm-up ends at step "
                  + warmupEnd
                  + "; total_steps must be greater (it is where the "
                  + Checks.name(decay)
                  + " decay ends)");
        }
        break;
      case NONE:
      case INVERSE_SQRT:
        if (totalSteps != null) {
          throw new IllegalArgumentException(
              "total_steps is "
                  + totalSteps
                  + " but decay is "
                  + Checks.name(decay)
                  + ", which does not use it; remove total_steps or set decay: linear or "
                  + "decay: cosine");
        }
        if (decay == NONE && finalLr != 0) {
          throw new IllegalArgumentException(
              "final_lr is "
                  + Checks.num(finalLr)
                  + " but decay is none, which "
                  + "holds the peak; remove final_lr or set a decay");
        }
        if (decay == INVERSE_SQRT && warmupEnd < 1) {
          throw new IllegalArgumentException(
              "decay is inverse_sqrt with a warm-up of "
                  + warmupEnd
                  + " steps; "
                  + "peak * sqrt(W / step) needs W >= 1: give warmup steps");
        }
        break;
      default:
        throw new AssertionError(decay);
    }
    Checks.notAbove(finalLr, "final_lr", peakLr, "peak_lr");
  }

  /** Returns {@code decay}, or throws when it is null. */
  static Decay nonNull(Decay decay) {
    if (decay == null) {
      throw new IllegalArgumentException(
          "decay is null; expected one of none, linear, cosine, inverse_sqrt");
    }
    return decay;
  }

  /**
   * {@code , decay=linear, total_steps=1000, final_lr=0} for toString, omitting what the decay does
   * not use.
   */
  static String describe(Decay decay, Long totalSteps, double finalLr) {
    StringBuilder sb = new StringBuilder(", decay=").append(Checks.name(decay));
    if (totalSteps != null) {
      sb.append(", total_steps=").append(totalSteps);
    }
    if (decay != NONE) {
      sb.append(", final_lr=").append(Checks.num(finalLr));
    }
    return sb.toString();
  }
}
