package dev.sonus.train.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Anneals the learning rate when the validation metric stops improving enough ("new-bob"), exactly
 * as SpeechBrain v1.0.0's {@code speechbrain.nnet.schedulers.NewBobScheduler}, with its argument
 * names and state.
 *
 * <p>At each epoch end after the first, with {@code prev} the previous epoch's metric:
 *
 * <pre>
 *   improvement = prev == 0 ? 0 : (prev - metric) / prev
 *   if improvement &lt; improvement_threshold:
 *     if current_patient == 0:  lr = lr * annealing_factor;  current_patient = patient
 *     else:                     current_patient = current_patient - 1
 * </pre>
 *
 * The first epoch only records its metric. As in SpeechBrain, a good epoch does not reset {@code
 * current_patient}: the patience is spent over the run, not per plateau. The metric is a loss or
 * error rate (lower is better). One deliberate difference: a non-finite metric is rejected with a
 * message, where SpeechBrain would store it (a NaN silently disables annealing for the next epoch).
 *
 * <p>State keys are SpeechBrain's ({@code hyperparam_value}, {@code metric_values}, {@code
 * current_patient}) plus {@code last_epoch}, {@code format} and {@code type}.
 *
 * <p>Recipe (as SpeechBrain's): {@code lr_annealing: !new:train.schedule.NewBobScheduler
 * {initial_value: 1.0, improvement_threshold: 0.0025, annealing_factor: 0.8, patient: 0}}.
 */
public final class NewBobScheduler implements MetricSchedule {

  /**
   * Settings, named as SpeechBrain's arguments. Null means not given.
   *
   * @param initialValue the learning rate before any annealing, {@code > 0}; required
   * @param annealingFactor factor applied when annealing, in {@code (0, 1]}
   * @param improvementThreshold relative improvement below which an epoch counts as not improving,
   *     finite
   * @param patient non-improving epochs tolerated before each annealing, {@code >= 0}
   */
  public record Options(
      Double initialValue, double annealingFactor, double improvementThreshold, int patient) {
    /**
     * Validates the values given (a missing {@code initialValue} is reported when the scheduler is
     * built).
     */
    public Options {
      if (initialValue != null) {
        Checks.positiveLr(initialValue, "initial_value");
      }
      if (!(annealingFactor > 0 && annealingFactor <= 1)) {
        throw new IllegalArgumentException(
            "annealing_factor is "
                + annealingFactor
                + "; it must be in (0, 1] "
                + "(the rate is multiplied by it, e.g. 0.5 halves it)");
      }
      Checks.finite(improvementThreshold, "improvement_threshold");
      Checks.nonNegative(patient, "patient");
    }

    /**
     * SpeechBrain's defaults: factor 0.5, threshold 0.0025, patient 0; {@code initial_value} must
     * be given.
     */
    public static Options defaults() {
      return new Options(null, 0.5, 0.0025, 0);
    }
  }

  private final Options options;
  private double value;
  private final List<Double> metricValues = new ArrayList<>();
  private int currentPatient;
  private int lastEpoch;

  /** Creates the scheduler from its settings. */
  public NewBobScheduler(Options options) {
    this.options = options;
    this.value = Checks.required(options.initialValue(), "initial_value", "1.0");
    this.currentPatient = options.patient();
  }

  /**
   * Creates the scheduler with SpeechBrain's defaults (factor 0.5, threshold 0.0025, patient 0).
   */
  public NewBobScheduler(double initialValue) {
    this(new Options(initialValue, 0.5, 0.0025, 0));
  }

  @Override
  public double lr() {
    return value;
  }

  /**
   * Records the epoch's metric and anneals as the class comment says; returns the rate for the next
   * epoch.
   */
  @Override
  public double onEpochEnd(int epoch, double metric) {
    States.checkEpoch(NewBobScheduler.class, epoch, lastEpoch, metric);
    if (!metricValues.isEmpty()) {
      double prev = metricValues.get(metricValues.size() - 1);
      double improvement = prev == 0 ? 0 : (prev - metric) / prev;
      if (improvement < options.improvementThreshold()) {
        if (currentPatient == 0) {
          value *= options.annealingFactor();
          currentPatient = options.patient();
        } else {
          currentPatient -= 1;
        }
      }
    }
    metricValues.add(metric);
    lastEpoch = epoch;
    return value;
  }

  /** The metrics reported so far, oldest first (unmodifiable copy). */
  public List<Double> metricValues() {
    return List.copyOf(metricValues);
  }

  @Override
  public Map<String, Object> state() {
    Map<String, Object> out = States.header(NewBobScheduler.class);
    out.put("hyperparam_value", value);
    out.put("metric_values", new ArrayList<>(metricValues));
    out.put("current_patient", (long) currentPatient);
    out.put("last_epoch", (long) lastEpoch);
    return out;
  }

  @Override
  public void loadState(Map<String, Object> state) {
    Class<?> t = NewBobScheduler.class;
    States.checkHeader(state, t);
    double v = States.number(state, "hyperparam_value", t);
    List<Double> metrics = States.numbers(state, "metric_values", t);
    long patient = States.integer(state, "current_patient", t);
    long epoch = States.integer(state, "last_epoch", t);
    if (!(v > 0)) {
      throw new IllegalArgumentException(
          "NewBobScheduler state 'hyperparam_value' is " + v + "; it must be > 0");
    }
    if (patient < 0 || patient > Integer.MAX_VALUE || epoch < 0 || epoch > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "NewBobScheduler state has current_patient "
              + patient
              + " and last_epoch "
              + epoch
              + "; both must be ints >= 0");
    }
    value = v;
    metricValues.clear();
    metricValues.addAll(metrics);
    currentPatient = (int) patient;
    lastEpoch = (int) epoch;
  }

  @Override
  public String toString() {
    return "NewBobScheduler(initial_value="
        + Checks.num(options.initialValue())
        + ", annealing_factor="
        + Checks.num(options.annealingFactor())
        + ", improvement_threshold="
        + Checks.num(options.improvementThreshold())
        + ", patient="
        + options.patient()
        + ")";
  }
}
