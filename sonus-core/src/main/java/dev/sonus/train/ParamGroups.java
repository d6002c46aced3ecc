package dev.sonus.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;

/** Builds parameter groups from a module's named parameters. */
public final class ParamGroups {
  private ParamGroups() {}

  /**
   * The module's trainable parameters by name (those with {@code requires_grad}). Each value is a
   * new handle to the parameter's storage (updates reach the module); the handles the parameter
   * dictionary itself returns point into the dictionary and dangle once it is freed, so they are
   * never kept.
   */
  public static Map<String, Tensor> trainable(Module module) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    try (PointerScope scope = new PointerScope()) {
      StringTensorDict dict = module.named_parameters(true);
      for (long i = 0; i < dict.size(); i++) {
        String key = dict.get(i).key().getString();
        Tensor t = dict.get(i).value();
        if (t.requires_grad()) {
          out.put(key, new Tensor(t).retainReference());
        }
      }
    }
    return out;
  }

  /** One group with everything. */
  public static List<ParamGroup> single(Module module, double weightDecay) {
    return List.of(new ParamGroup("all", trainable(module), 1.0, weightDecay));
  }

  /**
   * Two groups: parameters where {@code noDecay} holds get no weight decay (biases and
   * normalisation weights are the usual exclusions, see {@link #BIASES_AND_NORMS}), the rest get
   * {@code weightDecay}.
   */
  public static List<ParamGroup> withDecayExclusions(
      Module module, double weightDecay, Predicate<String> noDecay) {
    Map<String, Tensor> decay = new LinkedHashMap<>();
    Map<String, Tensor> plain = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : trainable(module).entrySet()) {
      (noDecay.test(e.getKey()) ? plain : decay).put(e.getKey(), e.getValue());
    }
    List<ParamGroup> out = new ArrayList<>();
    out.add(new ParamGroup("decay", decay, 1.0, weightDecay));
    out.add(new ParamGroup("no_decay", plain, 1.0, 0.0));
    return out;
  }

  /**
   * Biases and normalisation layers by SpeechBrain's naming: names ending in {@code bias}, or
   * containing a {@code norm} component ({@code norm.norm.weight}, {@code layer_norm.weight},
   * {@code bn.weight}).
   */
  public static final Predicate<String> BIASES_AND_NORMS =
      name -> {
        if (name.endsWith("bias")) {
          return true;
        }
        for (String part : name.split("\\.")) {
          String p = part.toLowerCase(java.util.Locale.ROOT);
          if (p.contains("norm") || p.equals("bn")) {
            return true;
          }
        }
        return false;
      };
}
