package dev.sonus.train.schedule;

/**
 * Keeps the learning rate constant: {@code lr(step) = lr}.
 *
 * <p>Counterparts: fairseq's {@code fixed} scheduler (without {@code force_anneal}), or a PyTorch
 * optimiser with no scheduler. Recipe: {@code lr_annealing: !new:train.schedule.ConstantSchedule
 * {lr: 0.001}}.
 */
public final class ConstantSchedule implements LrSchedule {
  private final double lr;

  /**
   * Creates a constant schedule.
   *
   * @param lr the learning rate, finite and {@code >= 0}
   */
  public ConstantSchedule(double lr) {
    this.lr = Checks.lr(lr, "lr");
  }

  /** Returns the constant rate for any {@code step >= 0}. */
  @Override
  public double lr(long step) {
    Checks.step(step);
    return lr;
  }

  @Override
  public String toString() {
    return "ConstantSchedule(lr=" + Checks.num(lr) + ")";
  }
}
