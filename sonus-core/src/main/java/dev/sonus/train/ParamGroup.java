package dev.sonus.train;

import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * Parameters that share optimiser settings, as a PyTorch parameter group: e.g. a pretrained encoder
 * at a tenth of the learning rate, or norms and biases without weight decay.
 *
 * @param name group name (used in logs and checkpoints)
 * @param params parameter name → tensor (the module's own parameters, updated in place)
 * @param lrScale the group's LR is the schedule's LR times this
 * @param weightDecay L2 penalty (coupled for SGD/Adam/Adadelta, decoupled for AdamW)
 */
public record ParamGroup(
    String name, Map<String, Tensor> params, double lrScale, double weightDecay) {
  /** Validates the settings. */
  public ParamGroup {
    if (!(lrScale >= 0) || Double.isInfinite(lrScale)) {
      throw new IllegalArgumentException(
          "group '" + name + "': lr scale is " + lrScale + "; it must be >= 0");
    }
    if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
      throw new IllegalArgumentException(
          "group '" + name + "': weight decay is " + weightDecay + "; it must be >= 0");
    }
    params = Map.copyOf(params);
  }

  /** Parameter names in a stable order. */
  public List<String> names() {
    return params.keySet().stream().sorted().toList();
  }
}
