package dev.sonus.losses;

import dev.sonus.tensor.Scopes;
import dev.sonus.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Additive angular margin softmax (AAM, "ArcFace") on cosine similarities, as SpeechBrain's {@code
 * LogSoftmaxWrapper(AdditiveAngularMargin(margin, scale))}: the target class's cosine {@code cos θ}
 * becomes {@code cos(θ + m)} (or {@code cos θ - sin(π - m)·m} past {@code θ = π - m}, unless {@code
 * easyMargin}), every cosine is multiplied by {@code scale}, and the loss is the mean cross-entropy
 * of the softmax over classes. With margin 0 and scale 1 it is a plain softmax cross-entropy on the
 * cosines.
 *
 * <p>Shapes: cosines {@code [B, C]} or {@code [B, 1, C]} (a {@code CosineClassifier}'s output),
 * targets {@code [B]} or {@code [B, 1]} class indices.
 */
public final class AamSoftmax implements ClassificationLoss {
  private final double margin;
  private final double scale;
  private final boolean easyMargin;

  /**
   * Creates the loss.
   *
   * @param margin angular margin in radians (SpeechBrain's recipes: 0.2)
   * @param scale logit scale (SpeechBrain's recipes: 30)
   * @param easyMargin apply the margin only where {@code cos θ > 0}
   */
  public AamSoftmax(double margin, double scale, boolean easyMargin) {
    if (!(margin >= 0 && margin < Math.PI / 2)) {
      throw new IllegalArgumentException(
          "margin is " + margin + "; expected radians in [0, π/2), e.g. 0.2");
    }
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException(
          "scale is " + scale + "; expected a positive number, e.g. 30");
    }
    this.margin = margin;
    this.scale = scale;
    this.easyMargin = easyMargin;
  }

  /** SpeechBrain's non-easy margin. */
  public AamSoftmax(double margin, double scale) {
    this(margin, scale, false);
  }

  /** The margin-adjusted, scaled logits ({@code [B, C]}); the result is in the caller's scope. */
  public Tensor logits(Tensor cosines, Tensor targets) {
    try (PointerScope scope = new PointerScope()) {
      Tensor cos = cosines.dim() == 3 ? cosines.squeeze(1) : cosines;
      Tensor tg = targets.dim() == 2 ? targets.squeeze(1) : targets;
      if (cos.dim() != 2 || tg.dim() != 1 || tg.size(0) != cos.size(0)) {
        throw new IllegalArgumentException(
            "AAM expects cosines [B, C] (or [B, 1, C]) and targets [B] (or [B, 1]); "
                + "got "
                + Tensors.shapeString(cosines)
                + " and "
                + Tensors.shapeString(targets));
      }
      Tensor oneHot =
          torch.one_hot(tg.to(torch.ScalarType.Long), cos.size(1)).to(torch.ScalarType.Float);
      Tensor c =
          torch.clamp(
              cos.to(torch.ScalarType.Float),
              new org.bytedeco.pytorch.ScalarOptional(new Scalar(-1 + 1e-7)),
              new org.bytedeco.pytorch.ScalarOptional(new Scalar(1 - 1e-7)));
      Tensor sine = torch.sqrt(c.pow(new Scalar(2.0)).neg().add(new Scalar(1.0)));
      Tensor phi = c.mul(new Scalar(Math.cos(margin))).sub(sine.mul(new Scalar(Math.sin(margin))));
      if (easyMargin) {
        phi = torch.where(c.gt(new Scalar(0.0)), phi, c);
      } else {
        phi =
            torch.where(
                c.gt(new Scalar(Math.cos(Math.PI - margin))),
                phi,
                c.sub(new Scalar(Math.sin(Math.PI - margin) * margin)));
      }
      Tensor out = oneHot.mul(phi).add(oneHot.neg().add(new Scalar(1.0)).mul(c));
      return Scopes.toCallerScope(out.mul(new Scalar(scale)));
    }
  }

  /** Mean cross-entropy over the batch; differentiable; the result is in the caller's scope. */
  @Override
  public Tensor forward(Tensor cosines, Tensor targets) {
    try (PointerScope scope = new PointerScope()) {
      Tensor logits = logits(cosines, targets);
      Tensor tg = targets.dim() == 2 ? targets.squeeze(1) : targets;
      return Scopes.toCallerScope(
          torch.nll_loss(torch.log_softmax(logits, 1), tg.to(torch.ScalarType.Long)));
    }
  }

  @Override
  public String toString() {
    return "AamSoftmax(margin="
        + margin
        + ", scale="
        + scale
        + (easyMargin ? ", easy_margin" : "")
        + ")";
  }
}
