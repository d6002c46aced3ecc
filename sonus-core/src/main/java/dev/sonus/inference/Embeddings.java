package dev.sonus.inference;

import dev.sonus.data.AudioPipelines;
import dev.sonus.data.Batch;
import dev.sonus.data.PaddedData;
import dev.sonus.features.FeatureExtractor;
import dev.sonus.features.InputNormalization;
import dev.sonus.models.EmbeddingModel;
import dev.sonus.tensor.Tensors;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * Embeddings of waveforms: features per signal, padding, normalisation, embedding model, optional
 * global normalisation.
 */
public final class Embeddings {
  private Embeddings() {}

  /**
   * Embeds signals (mono, at the features' rate) in one padded batch, as SpeechBrain's {@code
   * encode_batch}: the relative lengths keep each embedding independent of the others. Modules are
   * used as they are (put them in eval mode first).
   *
   * @param norm sentence/batch normalisation of the features ({@code mean_var_norm}), or null
   * @param embeddingNorm global normalisation of the embeddings ({@code mean_var_norm_emb}), or
   *     null
   */
  public static float[][] compute(
      List<float[]> signals,
      FeatureExtractor features,
      InputNormalization norm,
      EmbeddingModel model,
      InputNormalization embeddingNorm) {
    if (signals.isEmpty()) {
      return new float[0][];
    }
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard();
        Batch batch = AudioPipelines.featureBatch(signals, features)) {
      PaddedData feats = batch.padded("feats");
      Tensor x = norm == null ? feats.data() : norm.forward(feats.data(), feats.relLengths(), -1);
      Tensor emb = model.embed(x, feats.relLengths()); // [B, 1, D]
      if (embeddingNorm != null) {
        emb =
            embeddingNorm.forward(
                emb, Tensors.fromFloats(ones(signals.size()), signals.size()), -1);
      }
      float[] flat = Tensors.toFloats(emb);
      int dim = (int) model.embeddingSize();
      float[][] out = new float[signals.size()][];
      for (int i = 0; i < out.length; i++) {
        out[i] = java.util.Arrays.copyOfRange(flat, i * dim, (i + 1) * dim);
      }
      return out;
    }
  }

  private static float[] ones(int n) {
    float[] out = new float[n];
    java.util.Arrays.fill(out, 1f);
    return out;
  }
}
