package dev.sonus.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * A first-order optimiser over parameter groups, with its state (moments, step counts) held as
 * named tensors so that a checkpoint can store it exactly and a resumed run continues bit for bit.
 *
 * <p>Implementations follow PyTorch's update formulas ({@code torch.optim.SGD}, {@code Adam},
 * {@code AdamW}, {@code Adadelta}). The learning rate is set from outside before each step (by the
 * schedule).
 */
public abstract class Optimizer implements AutoCloseable {
  private final List<ParamGroup> groups;
  private final Map<String, Tensor> state = new LinkedHashMap<>();
  private double lr;
  private long steps;

  /** Creates an optimiser with an initial learning rate. */
  protected Optimizer(List<ParamGroup> groups, double lr) {
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("an optimiser needs at least one parameter group");
    }
    this.groups = List.copyOf(groups);
    setLr(lr);
  }

  /** Sets the base learning rate (each group scales it). */
  public final void setLr(double lr) {
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException(
          "learning rate is " + lr + "; it must be a finite number >= 0");
    }
    this.lr = lr;
  }

  /** The base learning rate. */
  public final double lr() {
    return lr;
  }

  /** Optimiser steps taken. */
  public final long steps() {
    return steps;
  }

  /** The groups. */
  public final List<ParamGroup> groups() {
    return groups;
  }

  /**
   * Applies one update from the parameters' gradients; parameters without a gradient are left
   * alone.
   */
  public final void step() {
    steps++;
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard()) {
      for (ParamGroup g : groups) {
        double groupLr = lr * g.lrScale();
        for (String name : g.names()) {
          Tensor p = g.params().get(name);
          Tensor grad = p.grad();
          if (grad == null || !grad.defined()) {
            continue;
          }
          update(g.name() + "/" + name, p, grad, groupLr, g.weightDecay());
        }
      }
    }
  }

  /** Sets every parameter's gradient to zero (keeps the gradient tensors). */
  public final void zeroGrad() {
    try (PointerScope scope = new PointerScope()) {
      for (ParamGroup g : groups) {
        for (Tensor p : g.params().values()) {
          Tensor grad = p.grad();
          if (grad != null && grad.defined()) {
            grad.zero_();
          }
        }
      }
    }
  }

  /** All parameters with gradients, for clipping. */
  public final List<Tensor> parameters() {
    List<Tensor> out = new ArrayList<>();
    for (ParamGroup g : groups) {
      for (String n : g.names()) {
        out.add(g.params().get(n));
      }
    }
    return out;
  }

  /**
   * Updates one parameter in place (gradients are off).
   *
   * @param key unique state key of the parameter ({@code group/name})
   */
  protected abstract void update(
      String key, Tensor param, Tensor grad, double lr, double weightDecay);

  /** The state tensor {@code key.slot}, created as zeros like {@code like} on first use. */
  protected final Tensor slot(String key, String slot, Tensor like) {
    return state.computeIfAbsent(
        key + "." + slot,
        k -> {
          try (PointerScope scope = new PointerScope()) {
            return org.bytedeco.pytorch.global.torch.zeros_like(like).retainReference();
          }
        });
  }

  /** Whether a state slot exists yet. */
  protected final boolean hasSlot(String key, String slot) {
    return state.containsKey(key + "." + slot);
  }

  /** A copy of the state: tensors by name, plus {@code steps} and {@code lr} as scalars. */
  public final Map<String, Tensor> stateTensors() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    state.forEach((k, v) -> out.put(k, v));
    return out;
  }

  /** Restores the state saved by {@link #stateTensors()} and the counters. */
  public final void loadState(Map<String, Tensor> tensors, long steps, double lr) {
    for (Tensor t : state.values()) {
      t.close();
    }
    state.clear();
    try (PointerScope scope = new PointerScope()) {
      tensors.forEach((k, v) -> state.put(k, v.clone().retainReference()));
    }
    this.steps = steps;
    setLr(lr);
  }

  @Override
  public void close() {
    for (Tensor t : state.values()) {
      t.close();
    }
    state.clear();
  }
}
