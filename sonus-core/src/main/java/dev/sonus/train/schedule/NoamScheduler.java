package dev.sonus.train.schedule;

/**
 * The Noam schedule exactly as SpeechBrain's {@code speechbrain.nnet.schedulers.NoamScheduler}
 * computes it, with its argument names, so that its recipes port line by line.
 *
 * <p>With {@code w = n_warmup_steps}:
 *
 * <pre>
 *   lr(step) = lr_initial * normalize * min(step^-0.5, step * w^-1.5)
 *   normalize = w^0.5            without model_size  (peak lr_initial at step w)
 *   normalize = model_size^-0.5  with model_size     (peak lr_initial / sqrt(model_size * w) at step w)
 * </pre>
 *
 * Without {@code model_size} this equals {@link InverseSqrtSchedule}{@code (peak_lr=lr_initial,
 * warmup_steps=w)}; with it, the original Transformer schedule ({@code d_model^-0.5 * min(...)},
 * scaled by {@code lr_initial}).
 *
 * <p>Steps: SpeechBrain counts its calls, made after each update, so after {@code k} updates it
 * sets {@code lr_initial * scale(k)} for the next one; here {@code lr(k)} is that same rate (see
 * {@link LrSchedule}). The one difference is the very first update: SpeechBrain has not been called
 * yet and uses the optimiser's own rate, while {@code lr(0)} is the formula's value, 0.
 *
 * <p>Recipe: {@code !new:train.schedule.NoamScheduler {lr_initial: 1.0, n_warmup_steps: 25000,
 * model_size: 256}}.
 */
public final class NoamScheduler implements LrSchedule {
  private final double lrInitial;
  private final long nWarmupSteps;
  private final Long modelSize;
  private final double normalize;

  /**
   * Creates {@code lr_initial * min(sqrt(w / step), step / w)}, peaking at {@code lrInitial} at
   * step {@code w}.
   *
   * @param lrInitial peak rate, finite and {@code >= 0}
   * @param nWarmupSteps warm-up steps {@code w}, {@code >= 1}
   */
  public NoamScheduler(double lrInitial, long nWarmupSteps) {
    this(lrInitial, nWarmupSteps, null);
  }

  /**
   * Creates {@code lr_initial * model_size^-0.5 * min(step^-0.5, step * w^-1.5)}.
   *
   * @param lrInitial scale of the rate, finite and {@code >= 0}
   * @param nWarmupSteps warm-up steps {@code w}, {@code >= 1}
   * @param modelSize the model's embedding size ({@code d_model}), {@code >= 1}
   */
  public NoamScheduler(double lrInitial, long nWarmupSteps, long modelSize) {
    this(lrInitial, nWarmupSteps, Long.valueOf(modelSize));
  }

  private NoamScheduler(double lrInitial, long nWarmupSteps, Long modelSize) {
    this.lrInitial = Checks.lr(lrInitial, "lr_initial");
    this.nWarmupSteps = Checks.positive(nWarmupSteps, "n_warmup_steps");
    this.modelSize = modelSize;
    if (modelSize != null) {
      Checks.positive(modelSize, "model_size");
    }
    this.normalize =
        modelSize == null
            ? Math.pow((double) nWarmupSteps, 0.5)
            : Math.pow((double) modelSize, -0.5);
  }

  /** Returns {@code lr_initial * normalize * min(step^-0.5, step * w^-1.5)}; 0 at step 0. */
  @Override
  public double lr(long step) {
    Checks.step(step);
    // Same operations as SpeechBrain's _get_lr_scale; at step 0, pow gives +Infinity and min picks
    // 0.
    double scale =
        normalize
            * Math.min(Math.pow((double) step, -0.5), step * Math.pow((double) nWarmupSteps, -1.5));
    return lrInitial * scale;
  }

  /** The highest rate, reached at step {@code n_warmup_steps}. */
  public double peakLr() {
    return lr(nWarmupSteps);
  }

  @Override
  public long warmupSteps() {
    return nWarmupSteps;
  }

  @Override
  public String toString() {
    return "NoamScheduler(lr_initial="
        + Checks.num(lrInitial)
        + ", n_warmup_steps="
        + nWarmupSteps
        + (modelSize == null ? "" : ", model_size=" + modelSize)
        + ")";
  }
}
