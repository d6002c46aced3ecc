package dev.sonus.train.schedule;

import java.util.Map;

/**
 * A learning rate that changes at epoch ends from a validation metric (NewBob, reduce-on-plateau):
 * a small state machine whose whole state is a map of JSON-friendly values, so a checkpoint can
 * store and restore it.
 *
 * <p>Use: train an epoch with {@link #lr()}, validate, then call {@link #onEpochEnd} with the epoch
 * number and the metric; the rate it returns is the one for the next epoch. Epochs count from 1, as
 * {@code dev.sonus.train.EpochCounter} does, and each epoch is reported once.
 */
public interface MetricSchedule {

  /** Returns the learning rate to use now: the initial one until an epoch end lowers it. */
  double lr();

  /**
   * Reports the validation metric of a finished epoch and returns the learning rate for the next
   * epoch.
   *
   * @param epoch the finished epoch, from 1; greater than any epoch reported before
   * @param metric the validation metric (a loss or error rate, or a score when the schedule
   *     maximises)
   * @throws IllegalArgumentException when the metric is not finite
   * @throws IllegalStateException when the epoch is not after the last one reported
   */
  double onEpochEnd(int epoch, double metric);

  /**
   * Returns the state: {@code format} (version), {@code type} (the simple class name) and the
   * counters, as numbers, lists of numbers and nulls that JSON can hold. The settings are not
   * included: they come from the recipe.
   */
  Map<String, Object> state();

  /**
   * Restores a state made by {@link #state()} (numbers may come back as any {@link Number}, as
   * after a JSON round trip).
   *
   * @throws IllegalArgumentException when the state is from another schedule type or a newer
   *     format, or a key is missing or has the wrong type; the schedule is unchanged then
   */
  void loadState(Map<String, Object> state);
}
