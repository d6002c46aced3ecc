package dev.sonus.train;

import dev.sonus.util.RecipeCallable;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * The optimisers: SGD (momentum, Nesterov), Adam, AdamW and Adadelta, with PyTorch's update rules.
 */
public final class Optimizers {
  private Optimizers() {}

  /** {@code torch.optim.SGD}: optional momentum with dampening, Nesterov, coupled weight decay. */
  public static final class Sgd extends Optimizer {
    private final double momentum;
    private final double dampening;
    private final boolean nesterov;

    /** Creates SGD. */
    public Sgd(
        List<ParamGroup> groups, double lr, double momentum, double dampening, boolean nesterov) {
      super(groups, lr);
      if (momentum < 0 || momentum >= 1) {
        throw new IllegalArgumentException("momentum is " + momentum + "; it must be in [0, 1)");
      }
      if (nesterov && (momentum == 0 || dampening != 0)) {
        throw new IllegalArgumentException(
            "Nesterov momentum needs momentum > 0 and dampening 0 (got momentum "
                + momentum
                + ", dampening "
                + dampening
                + ")");
      }
      this.momentum = momentum;
      this.dampening = dampening;
      this.nesterov = nesterov;
    }

    @Override
    protected void update(String key, Tensor p, Tensor grad, double lr, double wd) {
      Tensor d = wd != 0 ? grad.add(p, new Scalar(wd)) : grad;
      if (momentum != 0) {
        boolean first = !hasSlot(key, "momentum_buffer");
        Tensor buf = slot(key, "momentum_buffer", p);
        if (first) {
          buf.copy_(d);
        } else {
          buf.mul_(new Scalar(momentum)).add_(d, new Scalar(1 - dampening));
        }
        d = nesterov ? d.add(buf, new Scalar(momentum)) : buf;
      }
      p.add_(d, new Scalar(-lr));
    }

    @Override
    public String toString() {
      return "Sgd(lr=" + lr() + ", momentum=" + momentum + ", nesterov=" + nesterov + ")";
    }
  }

  /**
   * {@code torch.optim.Adam} ({@code decoupled = false}) and {@code torch.optim.AdamW} ({@code
   * true}).
   */
  public static final class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final boolean decoupled;

    /** Creates Adam or AdamW. */
    public Adam(
        List<ParamGroup> groups,
        double lr,
        double beta1,
        double beta2,
        double eps,
        boolean decoupled) {
      super(groups, lr);
      if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1) {
        throw new IllegalArgumentException(
            "betas are (" + beta1 + ", " + beta2 + "); each must be in [0, 1)");
      }
      if (!(eps > 0)) {
        throw new IllegalArgumentException("eps is " + eps + "; it must be > 0");
      }
      this.beta1 = beta1;
      this.beta2 = beta2;
      this.eps = eps;
      this.decoupled = decoupled;
    }

    /** Adam with PyTorch's defaults (betas 0.9, 0.999, eps 1e-8). */
    public static Adam adam(List<ParamGroup> groups, double lr) {
      return new Adam(groups, lr, 0.9, 0.999, 1e-8, false);
    }

    /** AdamW with PyTorch's defaults (betas 0.9, 0.999, eps 1e-8). */
    public static Adam adamW(List<ParamGroup> groups, double lr) {
      return new Adam(groups, lr, 0.9, 0.999, 1e-8, true);
    }

    @Override
    protected void update(String key, Tensor p, Tensor grad, double lr, double wd) {
      Tensor g = grad;
      if (wd != 0) {
        if (decoupled) {
          p.mul_(new Scalar(1 - lr * wd));
        } else {
          g = grad.add(p, new Scalar(wd));
        }
      }
      Tensor stepCount = slot(key, "step", doubleScalar());
      stepCount.add_(new Scalar(1.0));
      double t = stepCount.item_double();
      Tensor m = slot(key, "exp_avg", p);
      Tensor v = slot(key, "exp_avg_sq", p);
      m.mul_(new Scalar(beta1)).add_(g, new Scalar(1 - beta1));
      v.mul_(new Scalar(beta2)).addcmul_(g, g, new Scalar(1 - beta2));
      double bc1 = 1 - Math.pow(beta1, t);
      double bc2 = 1 - Math.pow(beta2, t);
      Tensor denom = v.sqrt().div_(new Scalar(Math.sqrt(bc2))).add_(new Scalar(eps));
      p.addcdiv_(m, denom, new Scalar(-lr / bc1));
    }

    @Override
    public String toString() {
      return (decoupled ? "AdamW" : "Adam")
          + "(lr="
          + lr()
          + ", betas=("
          + beta1
          + ", "
          + beta2
          + "), eps="
          + eps
          + ")";
    }
  }

  /** {@code torch.optim.Adadelta}. */
  public static final class Adadelta extends Optimizer {
    private final double rho;
    private final double eps;

    /** Creates Adadelta (PyTorch defaults: lr 1.0, rho 0.9, eps 1e-6). */
    public Adadelta(List<ParamGroup> groups, double lr, double rho, double eps) {
      super(groups, lr);
      if (rho < 0 || rho > 1) {
        throw new IllegalArgumentException("rho is " + rho + "; it must be in [0, 1]");
      }
      this.rho = rho;
      this.eps = eps;
    }

    @Override
    protected void update(String key, Tensor p, Tensor grad, double lr, double wd) {
      Tensor g = wd != 0 ? grad.add(p, new Scalar(wd)) : grad;
      Tensor sq = slot(key, "square_avg", p);
      Tensor acc = slot(key, "acc_delta", p);
      sq.mul_(new Scalar(rho)).addcmul_(g, g, new Scalar(1 - rho));
      Tensor std = sq.add(new Scalar(eps)).sqrt_();
      Tensor delta = acc.add(new Scalar(eps)).sqrt_().div_(std).mul_(g);
      acc.mul_(new Scalar(rho)).addcmul_(delta, delta, new Scalar(1 - rho));
      p.add_(delta, new Scalar(-lr));
    }

    @Override
    public String toString() {
      return "Adadelta(lr=" + lr() + ", rho=" + rho + ", eps=" + eps + ")";
    }
  }

  /** Adam with PyTorch's defaults; for recipes: {@code !name:train.Optimizers.adam {lr: 0.001}}. */
  @RecipeCallable
  public static Optimizer adam(List<ParamGroup> groups, double lr) {
    return Adam.adam(groups, lr);
  }

  /**
   * Adam with the given betas and eps; SpeechBrain's Transformer and Conformer recipes use {@code
   * beta2: 0.98, eps: 1e-9}: {@code !name:train.Optimizers.adam {lr: 0.001, beta1: 0.9, beta2:
   * 0.98, eps: 1.0e-9}}.
   */
  @RecipeCallable
  public static Optimizer adam(
      List<ParamGroup> groups, double lr, double beta1, double beta2, double eps) {
    return new Adam(groups, lr, beta1, beta2, eps, false);
  }

  /** AdamW with PyTorch's defaults (decay from the groups' weight decay). */
  @RecipeCallable
  public static Optimizer adamw(List<ParamGroup> groups, double lr) {
    return Adam.adamW(groups, lr);
  }

  /** SGD with momentum (0 for plain SGD) and optional Nesterov. */
  @RecipeCallable
  public static Optimizer sgd(
      List<ParamGroup> groups, double lr, double momentum, boolean nesterov) {
    return new Sgd(groups, lr, momentum, 0, nesterov);
  }

  /** Adadelta with PyTorch's defaults for rho (0.9) and eps (1e-6). */
  @RecipeCallable
  public static Optimizer adadelta(List<ParamGroup> groups, double lr) {
    return new Adadelta(groups, lr, 0.9, 1e-6);
  }

  private static Tensor doubleScalar() {
    return org.bytedeco
        .pytorch
        .global
        .torch
        .zeros(1)
        .to(org.bytedeco.pytorch.global.torch.ScalarType.Double);
  }
}
