package dev.sonus.features;

import dev.sonus.tensor.Scopes;
import dev.sonus.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Mean (and optionally variance) normalisation of features, as {@code
 * speechbrain.processing.features.InputNormalization}.
 *
 * <p>Shapes: {@code [batch, frames, features]} plus relative lengths {@code [batch]} in (0, 1].
 * Statistics are computed over the valid frames only ({@code round(relLength · frames)}); the whole
 * padded sequence is then normalised. Standard deviations are unbiased ({@code torch.std}) and
 * floored at 1e-10.
 *
 * <ul>
 *   <li>{@link Type#SENTENCE}: each utterance by its own statistics.
 *   <li>{@link Type#BATCH}: by the mean of the utterances' statistics.
 *   <li>{@link Type#GLOBAL}: by running statistics, updated in training mode as a cumulative
 *       average (or an exponential one with {@code avgFactor}) until epoch {@code
 *       updateUntilEpoch}, frozen afterwards and in evaluation mode.
 * </ul>
 *
 * The running statistics are buffers of this module ({@code glob_mean}, {@code glob_std}, {@code
 * count}), so they are saved and loaded with the model that owns it.
 */
public final class InputNormalization extends Module {
  /** Which statistics normalise each utterance. */
  public enum Type {
    SENTENCE,
    BATCH,
    GLOBAL
  }

  private static final double EPS = 1e-10;

  /**
   * Settings, named and defaulted as SpeechBrain's {@code InputNormalization} arguments, for
   * recipes ({@code !new:features.InputNormalization {norm_type: sentence, std_norm: false}}).
   *
   * @param normType sentence, batch or global statistics ({@code norm_type}; SpeechBrain's default
   *     is global)
   * @param meanNorm subtract the mean
   * @param stdNorm divide by the standard deviation
   * @param avgFactor weight of the new batch in the running average; {@code NaN} for a cumulative
   *     average
   * @param updateUntilEpoch global statistics are updated while {@code epoch < updateUntilEpoch}
   */
  public record Options(
      Type normType, boolean meanNorm, boolean stdNorm, double avgFactor, int updateUntilEpoch) {
    /**
     * SpeechBrain's defaults: global statistics, mean and standard deviation, cumulative average, 3
     * epochs.
     */
    public static Options defaults() {
      return new Options(Type.GLOBAL, true, true, Double.NaN, 3);
    }
  }

  private final Type type;
  private final boolean meanNorm;
  private final boolean stdNorm;
  private final int updateUntilEpoch;
  private final double avgFactor;
  private final Tensor globMean;
  private final Tensor globStd;
  private final Tensor count;

  /**
   * Creates a normaliser.
   *
   * @param type sentence, batch or global statistics
   * @param meanNorm subtract the mean
   * @param stdNorm divide by the standard deviation
   * @param updateUntilEpoch global statistics are updated while {@code epoch < updateUntilEpoch}
   *     (SpeechBrain: 3)
   * @param avgFactor weight of the new batch in the running average; {@code NaN} means a cumulative
   *     average
   */
  public InputNormalization(
      Type type, boolean meanNorm, boolean stdNorm, int updateUntilEpoch, double avgFactor) {
    super("InputNormalization");
    if (type == null) {
      throw new IllegalArgumentException(
          "norm_type is null; expected one of sentence, batch, global");
    }
    if (!Double.isNaN(avgFactor) && !(avgFactor > 0 && avgFactor <= 1)) {
      throw new IllegalArgumentException(
          "avg_factor is " + avgFactor + "; it must be in (0, 1], or unset");
    }
    this.type = type;
    this.meanNorm = meanNorm;
    this.stdNorm = stdNorm;
    this.updateUntilEpoch = updateUntilEpoch;
    this.avgFactor = avgFactor;
    // Keep our own handles: the references register_buffer returns point into the module's buffer
    // list, which
    // moves when the next buffer is added. Our handles share the same storage, so in-place updates
    // reach the
    // registered buffers.
    try (PointerScope scope = new PointerScope()) {
      this.globMean = torch.zeros(0).retainReference();
      this.globStd = torch.zeros(0).retainReference();
      this.count = Tensors.fromLongs(new long[] {0}, new long[0]).retainReference();
      register_buffer("glob_mean", globMean);
      register_buffer("glob_std", globStd);
      register_buffer("count", count);
    }
  }

  /** A normaliser with the given settings. */
  public InputNormalization(Options options) {
    this(
        options.normType(),
        options.meanNorm(),
        options.stdNorm(),
        options.updateUntilEpoch(),
        options.avgFactor());
  }

  /** The settings this normaliser was built with. */
  public Options options() {
    return new Options(type, meanNorm, stdNorm, avgFactor, updateUntilEpoch);
  }

  /** Sentence-level normalisation of the given kind, SpeechBrain's other defaults. */
  public InputNormalization(Type type, boolean meanNorm, boolean stdNorm) {
    this(type, meanNorm, stdNorm, 3, Double.NaN);
  }

  /**
   * Normalises {@code x}; in training mode with {@link Type#GLOBAL} also updates the running
   * statistics.
   *
   * @param x {@code [batch, frames, features]}
   * @param relLengths {@code [batch]}, fraction of the padded length that is valid
   * @param epoch current epoch (1-based), or -1 when unknown (statistics are then always updated in
   *     training)
   * @return a new tensor of the same shape
   */
  public Tensor forward(Tensor x, Tensor relLengths, int epoch) {
    FeatureChecks.featureBatch(x, -1, this);
    long batch = x.size(0);
    long frames = x.size(1);
    if (relLengths.dim() != 1 || relLengths.size(0) != batch) {
      throw new IllegalArgumentException(
          String.format(
              "%s: relative lengths have shape %s, expected [%d]",
              this, Tensors.shapeString(relLengths), batch));
    }
    double[] rel = Tensors.toDoubles(relLengths);
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard()) {
      Tensor[] means = new Tensor[(int) batch];
      Tensor[] stds = new Tensor[(int) batch];
      Tensor out = x.clone();
      for (int b = 0; b < batch; b++) {
        if (!(rel[b] > 0 && rel[b] <= 1.0 + 1e-6)) {
          throw new IllegalArgumentException(
              String.format(
                  "%s: relative length of item %d is %s; relative lengths must be in (0, 1]",
                  this, b, rel[b]));
        }
        long valid = Math.max(1, Math.round(rel[b] * frames));
        Tensor item = x.select(0, b).narrow(0, 0, valid);
        means[b] =
            meanNorm
                ? item.mean(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional())
                : torch.zeros(1);
        stds[b] =
            stdNorm
                ? torch.clamp_min(item.std(new long[] {0}, true, false), new Scalar(EPS))
                : torch.ones(1);
        if (type == Type.SENTENCE) {
          out.select(0, b).sub_(means[b]).div_(stds[b]);
        }
      }
      if (type != Type.SENTENCE) {
        Tensor mean =
            torch
                .stack(new TensorVector(means))
                .mean(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
        Tensor std =
            torch
                .stack(new TensorVector(stds))
                .mean(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
        if (type == Type.GLOBAL) {
          if (is_training()) {
            update(mean, std, epoch);
          }
          if (count.item_long() == 0) {
            throw new IllegalStateException(
                this
                    + ": global statistics are empty; run at least one training "
                    + "batch (train mode) or load a checkpoint that holds them before evaluating");
          }
          mean = globMean;
          std = globStd;
        }
        out.sub_(mean).div_(std);
      }
      return Scopes.toCallerScope(out);
    }
  }

  private void update(Tensor mean, Tensor std, int epoch) {
    long n = count.item_long();
    if (n == 0) {
      globMean.resize_(mean.sizes()).copy_(mean);
      globStd.resize_(std.sizes()).copy_(std);
    } else if (epoch < 0 || epoch < updateUntilEpoch) {
      double weight = Double.isNaN(avgFactor) ? 1.0 / (n + 1) : avgFactor;
      globMean.mul_(new Scalar(1 - weight)).add_(mean.mul(new Scalar(weight)));
      globStd.mul_(new Scalar(1 - weight)).add_(std.mul(new Scalar(weight)));
    }
    count.add_(new Scalar(1L));
  }

  /**
   * Sets the global statistics (e.g. from SpeechBrain's saved {@code glob_mean}, {@code glob_std}
   * and {@code count}); shapes may differ from the current (empty) buffers.
   */
  public void setStatistics(Tensor mean, Tensor std, long updates) {
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard()) {
      globMean.resize_(mean.sizes()).copy_(mean);
      globStd.resize_(std.sizes()).copy_(std);
      count.fill_(new Scalar(updates));
    }
  }

  /** Running mean of the global statistics (empty before the first update); a copy. */
  public float[] globalMean() {
    return Tensors.toFloats(globMean);
  }

  /**
   * Running standard deviation of the global statistics (empty before the first update); a copy.
   */
  public float[] globalStd() {
    return Tensors.toFloats(globStd);
  }

  /** Number of batches the global statistics were updated with. */
  public long count() {
    return count.item_long();
  }

  @Override
  public String toString() {
    return "InputNormalization(norm_type="
        + type.name().toLowerCase(java.util.Locale.ROOT)
        + ", mean_norm="
        + meanNorm
        + ", std_norm="
        + stdNorm
        + ")";
  }
}
