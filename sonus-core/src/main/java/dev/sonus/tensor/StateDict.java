package dev.sonus.tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;

/**
 * A module's parameters and buffers by their dotted names ({@code blocks.0.conv.weight}), as
 * PyTorch's {@code state_dict()}, and loading such a map back into a module with every key and
 * shape checked.
 */
public final class StateDict {
  private StateDict() {}

  /**
   * Parameters and buffers of {@code module}, recursively, in PyTorch's {@code state_dict()} order
   * (each module's own parameters, then its own buffers, then its children in registration order).
   * Values are new handles to the module's own storage (not copies): the caller owns the handles
   * (close them, or let them be collected).
   */
  public static Map<String, Tensor> of(Module module) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    try (PointerScope scope = new PointerScope()) {
      collect(module, "", out);
    }
    return out;
  }

  private static void collect(Module module, String prefix, Map<String, Tensor> out) {
    collect(module.named_parameters(false), prefix, out);
    collect(module.named_buffers(false), prefix, out);
    var children = module.named_children();
    for (long i = 0; i < children.size(); i++) {
      collect(children.get(i).value(), prefix + children.get(i).key().getString() + ".", out);
    }
  }

  private static void collect(StringTensorDict dict, String prefix, Map<String, Tensor> out) {
    for (long i = 0; i < dict.size(); i++) {
      // The dictionary's own handles point into it; copy them so they outlive it.
      out.put(
          prefix + dict.get(i).key().getString(),
          new Tensor(dict.get(i).value()).retainReference());
    }
  }

  /**
   * Copies {@code values} into the module's parameters and buffers, in place.
   *
   * @param strict require exactly the module's keys (else unknown keys are ignored and missing ones
   *     kept)
   * @param source where the values come from, for messages (a checkpoint path)
   * @throws IllegalArgumentException listing missing and unexpected keys, or naming a key whose
   *     shape differs
   */
  public static void load(
      Module module, Map<String, Tensor> values, boolean strict, String source) {
    Map<String, Tensor> own = of(module);
    try {
      if (strict) {
        TreeSet<String> missing = new TreeSet<>(own.keySet());
        missing.removeAll(values.keySet());
        TreeSet<String> unexpected = new TreeSet<>(values.keySet());
        unexpected.removeAll(own.keySet());
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
          throw new IllegalArgumentException(
              String.format(
                  "%s does not fit %s: missing keys %s, unexpected keys %s; "
                      + "is it a checkpoint of the same model configuration?",
                  source, describe(module), first(missing), first(unexpected)));
        }
      }
      try (PointerScope scope = new PointerScope();
          NoGradGuard noGrad = new NoGradGuard()) {
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
          Tensor v = values.get(e.getKey());
          if (v == null) {
            continue;
          }
          if (e.getValue().numel() == 0
              && v.numel() > 0
              && !java.util.Arrays.equals(Tensors.shape(v), Tensors.shape(e.getValue()))) {
            // an empty buffer that training fills (global normalisation statistics): take the
            // checkpoint's shape
            e.getValue().resize_(Tensors.shape(v));
          }
          if (!java.util.Arrays.equals(Tensors.shape(v), Tensors.shape(e.getValue()))) {
            throw new IllegalArgumentException(
                String.format(
                    "%s: '%s' has shape %s but the model expects %s; the "
                        + "checkpoint comes from a model of another size",
                    source, e.getKey(), Tensors.shapeString(v), Tensors.shapeString(e.getValue())));
          }
          e.getValue().copy_(v);
        }
      }
    } finally {
      own.values().forEach(Tensor::close);
    }
  }

  private static List<String> first(TreeSet<String> keys) {
    List<String> out = new ArrayList<>();
    for (String k : keys) {
      if (out.size() == 10) {
        out.add("... (" + keys.size() + " in all)");
        break;
      }
      out.add(k);
    }
    return out;
  }

  private static String describe(Module m) {
    try {
      return m.name().getString();
    } catch (RuntimeException e) {
      return "the model";
    }
  }
}
