package dev.sonus.models.transformer;

import dev.sonus.nn.LayerNorm;
import dev.sonus.tensor.Scopes;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * A stack of encoder layers and a final layer norm, as SpeechBrain's {@code TransformerEncoder},
 * {@code ConformerEncoder} and {@code BranchformerEncoder}: parameters {@code layers.N.*} and
 * {@code norm.norm.*} (eps 1e-6). {@code [B, T, d]} in and out.
 */
final class SourceEncoder extends Module {
  private final Module layersModule;
  private final List<EncoderLayer> layers = new ArrayList<>();
  private final LayerNorm norm;
  private final EncoderModule kind;

  SourceEncoder(EncoderModule kind, long dModel, List<? extends Module> layerModules) {
    super(
        switch (kind) {
          case TRANSFORMER -> "TransformerEncoder";
          case CONFORMER -> "ConformerEncoder";
          case BRANCHFORMER -> "BranchformerEncoder";
        });
    this.kind = kind;
    this.layersModule = register_module("layers", new Module("ModuleList"));
    for (int i = 0; i < layerModules.size(); i++) {
      // the list keeps the Java objects alive (docs/native-pitfalls.md)
      layers.add(
          (EncoderLayer) layersModule.register_module(Integer.toString(i), layerModules.get(i)));
    }
    this.norm = register_module("norm", new LayerNorm(1e-6, dModel));
  }

  EncoderModule kind() {
    return kind;
  }

  int depth() {
    return layers.size();
  }

  Tensor forward(Tensor src, Tensor srcMask, Tensor keyPadding, Tensor posEmbs) {
    return Scopes.freeingTemporaries(
        () -> {
          Tensor out = src;
          for (EncoderLayer layer : layers) {
            out = layer.forward(out, srcMask, keyPadding, posEmbs);
          }
          return norm.forward(out);
        });
  }
}
