package dev.sonus.train;

import dev.sonus.data.Batch;
import dev.sonus.data.BatchSampler;
import dev.sonus.data.DataLoader;
import dev.sonus.data.DynamicItemDataset;
import dev.sonus.data.Manifest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** A tiny linear-regression task on generated data: y = x · [1, -2, 0.5] + 0.3 + noise. */
final class TinyRegression implements Task<Tensor> {
  final Module model = new Module("tiny");
  final LinearImpl linear;

  /** Batch indices whose loss is replaced by NaN (to exercise the guard). */
  final java.util.Set<String> poisoned = new java.util.HashSet<>();

  TinyRegression(long seed) {
    torch.manual_seed(seed);
    linear = model.register_module("w", new LinearImpl(3, 1));
  }

  static DynamicItemDataset data(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<Manifest.Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] x = {
        (float) rng.nextGaussian(), (float) rng.nextGaussian(), (float) rng.nextGaussian()
      };
      float y = x[0] - 2 * x[1] + 0.5f * x[2] + 0.3f + (float) (0.01 * rng.nextGaussian());
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("x", x);
      f.put("y", new float[] {y});
      rows.add(new Manifest.Row("u" + i, f, i + 2));
    }
    return DynamicItemDataset.fromRows(rows).withOutputKeys("id", "x", "y");
  }

  static DataLoader loader(DynamicItemDataset ds, int batchSize, long seed, int workers) {
    return new DataLoader(
        ds,
        BatchSampler.fixed(ds.size(), batchSize, BatchSampler.Order.RANDOM, null, seed, false),
        workers,
        2,
        seed);
  }

  @Override
  public Module model() {
    return model;
  }

  @Override
  public Tensor computeForward(Batch batch, Stage stage) {
    return linear.forward(batch.padded("x").data());
  }

  @Override
  public Tensor computeObjectives(Tensor predictions, Batch batch, Stage stage) {
    Tensor loss =
        predictions.sub(batch.padded("y").data()).pow(new org.bytedeco.pytorch.Scalar(2.0)).mean();
    for (String id : batch.ids()) {
      if (poisoned.contains(id) && stage == Stage.TRAIN) {
        return loss.mul(new org.bytedeco.pytorch.Scalar(Double.NaN));
      }
    }
    return loss;
  }

  float[] parameters() {
    List<Float> all = new ArrayList<>();
    for (Tensor t : ParamGroups.trainable(model).values()) {
      for (float v : dev.sonus.tensor.Tensors.toFloats(t)) {
        all.add(v);
      }
    }
    float[] out = new float[all.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = all.get(i);
    }
    return out;
  }
}
