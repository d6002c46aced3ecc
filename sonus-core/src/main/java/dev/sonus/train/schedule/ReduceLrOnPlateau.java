package dev.sonus.train.schedule;

import java.util.Map;

/**
 * Lowers the learning rate when the validation metric has stopped improving for a while, with the
 * semantics of PyTorch's {@code torch.optim.lr_scheduler.ReduceLROnPlateau} (same options, defaults
 * and arithmetic).
 *
 * <p>At each epoch end:
 *
 * <pre>
 *   better = mode min, rel: metric &lt; best * (1 - threshold)    mode min, abs: metric &lt; best - threshold
 *            mode max, rel: metric &gt; best * (1 + threshold)    mode max, abs: metric &gt; best + threshold
 *   if better: best = metric; bad_epochs = 0   else: bad_epochs += 1
 *   if cooldown_counter &gt; 0: cooldown_counter -= 1; bad_epochs = 0
 *   if bad_epochs &gt; patience:
 *     new = max(lr * factor, min_lr); if lr - new &gt; eps: lr = new
 *     cooldown_counter = cooldown; bad_epochs = 0
 * </pre>
 *
 * The first metric is always better (PyTorch starts {@code best} at the worst value, infinity). As
 * in PyTorch, a negative {@code best} in rel mode compares against {@code best * (1 - threshold)}
 * all the same. One deliberate difference: a non-finite metric is rejected with a message, where
 * PyTorch counts NaN as a bad epoch.
 *
 * <p>This is not SpeechBrain's {@code ReduceLROnPlateau} (arguments {@code lr_min, factor,
 * patience, dont_halve_until_epoch}, which compares with the last good loss). State keys follow
 * PyTorch's {@code state_dict}: {@code lr}, {@code best} (null before the first epoch), {@code
 * num_bad_epochs}, {@code cooldown_counter}, {@code last_epoch}, plus {@code format} and {@code
 * type}.
 *
 * <p>Recipe: {@code !new:train.schedule.ReduceLrOnPlateau {initial_lr: 0.001, factor: 0.5,
 * patience: 2}}.
 */
public final class ReduceLrOnPlateau implements MetricSchedule {

  /** Whether a lower or a higher metric is better. */
  public enum Mode {
    /** Lower is better (losses, error rates). */
    MIN,
    /** Higher is better (accuracy). */
    MAX
  }

  /** How {@code threshold} defines a significant improvement. */
  public enum ThresholdMode {
    /** Relative: better than {@code best * (1 -/+ threshold)}. */
    REL,
    /** Absolute: better than {@code best -/+ threshold}. */
    ABS
  }

  /**
   * Settings, named as PyTorch's arguments (snake_case in recipes). Null means not given.
   *
   * @param initialLr the learning rate before any reduction, {@code > 0}; required
   * @param mode min or max
   * @param factor multiplier applied at a reduction, in {@code (0, 1)}
   * @param patience bad epochs tolerated; the rate drops at the {@code patience + 1}-th in a row
   * @param threshold smallest improvement that counts, {@code >= 0}
   * @param thresholdMode rel or abs
   * @param cooldown epochs after a reduction during which bad epochs are not counted, {@code >= 0}
   * @param minLr the rate never goes below this, {@code >= 0}
   * @param eps a reduction smaller than this is skipped, {@code >= 0}
   */
  public record Options(
      Double initialLr,
      Mode mode,
      double factor,
      int patience,
      double threshold,
      ThresholdMode thresholdMode,
      int cooldown,
      double minLr,
      double eps) {
    /**
     * Validates the values given (a missing {@code initialLr} is reported when the scheduler is
     * built).
     */
    public Options {
      if (initialLr != null) {
        Checks.positiveLr(initialLr, "initial_lr");
      }
      if (mode == null) {
        throw new IllegalArgumentException("mode is null; expected one of min, max");
      }
      if (thresholdMode == null) {
        throw new IllegalArgumentException("threshold_mode is null; expected one of rel, abs");
      }
      if (!(factor > 0 && factor < 1)) {
        throw new IllegalArgumentException(
            "factor is "
                + factor
                + "; it must be in (0, 1) (the rate is "
                + "multiplied by it at each reduction)");
      }
      Checks.nonNegative(patience, "patience");
      Checks.nonNegative(cooldown, "cooldown");
      if (!(threshold >= 0) || Double.isInfinite(threshold)) {
        throw new IllegalArgumentException(
            "threshold is " + threshold + "; it must be a finite number >= 0");
      }
      Checks.lr(minLr, "min_lr");
      if (!(eps >= 0) || Double.isInfinite(eps)) {
        throw new IllegalArgumentException("eps is " + eps + "; it must be a finite number >= 0");
      }
    }

    /**
     * PyTorch's defaults: min, factor 0.1, patience 10, threshold 1e-4 rel, cooldown 0, min_lr 0,
     * eps 1e-8.
     */
    public static Options defaults() {
      return new Options(null, Mode.MIN, 0.1, 10, 1e-4, ThresholdMode.REL, 0, 0, 1e-8);
    }

    /** Returns a copy with another initial rate. */
    public Options withInitialLr(double lr) {
      return new Options(
          lr, mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
    }
  }

  private final Options options;
  private double lr;
  private Double best;
  private int numBadEpochs;
  private int cooldownCounter;
  private int lastEpoch;

  /** Creates the scheduler from its settings. */
  public ReduceLrOnPlateau(Options options) {
    this.options = options;
    this.lr = Checks.required(options.initialLr(), "initial_lr", "0.001");
    Checks.notAbove(options.minLr(), "min_lr", lr, "initial_lr");
  }

  /** Creates the scheduler with PyTorch's defaults for everything but the rate. */
  public ReduceLrOnPlateau(double initialLr) {
    this(Options.defaults().withInitialLr(initialLr));
  }

  @Override
  public double lr() {
    return lr;
  }

  /**
   * Counts good and bad epochs and reduces the rate as the class comment says; returns the rate for
   * the next epoch.
   */
  @Override
  public double onEpochEnd(int epoch, double metric) {
    States.checkEpoch(ReduceLrOnPlateau.class, epoch, lastEpoch, metric);
    lastEpoch = epoch;
    if (isBetter(metric)) {
      best = metric;
      numBadEpochs = 0;
    } else {
      numBadEpochs++;
    }
    if (cooldownCounter > 0) {
      cooldownCounter--;
      numBadEpochs = 0;
    }
    if (numBadEpochs > options.patience()) {
      double reduced = Math.max(lr * options.factor(), options.minLr());
      if (lr - reduced > options.eps()) {
        lr = reduced;
      }
      cooldownCounter = options.cooldown();
      numBadEpochs = 0;
    }
    return lr;
  }

  private boolean isBetter(double metric) {
    if (best == null) {
      return true;
    }
    double t = options.threshold();
    boolean rel = options.thresholdMode() == ThresholdMode.REL;
    if (options.mode() == Mode.MIN) {
      return rel ? metric < best * (1.0 - t) : metric < best - t;
    }
    return rel ? metric > best * (t + 1.0) : metric > best + t;
  }

  /** The best metric so far, or null before the first epoch end. */
  public Double best() {
    return best;
  }

  /** Consecutive epochs without improvement counted so far (PyTorch's {@code num_bad_epochs}). */
  public int numBadEpochs() {
    return numBadEpochs;
  }

  @Override
  public Map<String, Object> state() {
    Map<String, Object> out = States.header(ReduceLrOnPlateau.class);
    out.put("lr", lr);
    out.put("best", best);
    out.put("num_bad_epochs", (long) numBadEpochs);
    out.put("cooldown_counter", (long) cooldownCounter);
    out.put("last_epoch", (long) lastEpoch);
    return out;
  }

  @Override
  public void loadState(Map<String, Object> state) {
    Class<?> t = ReduceLrOnPlateau.class;
    States.checkHeader(state, t);
    double l = States.number(state, "lr", t);
    Double b = States.numberOrNull(state, "best", t);
    long bad = States.integer(state, "num_bad_epochs", t);
    long cool = States.integer(state, "cooldown_counter", t);
    long epoch = States.integer(state, "last_epoch", t);
    if (!(l > 0)) {
      throw new IllegalArgumentException(
          "ReduceLrOnPlateau state 'lr' is " + l + "; it must be > 0");
    }
    for (long v : new long[] {bad, cool, epoch}) {
      if (v < 0 || v > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "ReduceLrOnPlateau state has num_bad_epochs "
                + bad
                + ", cooldown_counter "
                + cool
                + " and last_epoch "
                + epoch
                + "; each must be an int >= 0");
      }
    }
    lr = l;
    best = b;
    numBadEpochs = (int) bad;
    cooldownCounter = (int) cool;
    lastEpoch = (int) epoch;
  }

  @Override
  public String toString() {
    Options o = options;
    return "ReduceLrOnPlateau(initial_lr="
        + Checks.num(o.initialLr())
        + ", mode="
        + Checks.name(o.mode())
        + ", factor="
        + Checks.num(o.factor())
        + ", patience="
        + o.patience()
        + ", threshold="
        + Checks.num(o.threshold())
        + ", threshold_mode="
        + Checks.name(o.thresholdMode())
        + ", cooldown="
        + o.cooldown()
        + ", min_lr="
        + Checks.num(o.minLr())
        + ")";
  }
}
