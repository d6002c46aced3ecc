package dev.sonus.features;

import dev.sonus.tensor.Scopes;
import dev.sonus.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Mel filterbank applied to a power spectrogram, optionally followed by the conversion to decibels,
 * as {@code speechbrain.processing.features.Filterbank} in its frozen (non-learnable) form.
 *
 * <p>Shapes: {@code [batch, frames, nFft/2+1]} in, {@code [batch, frames, nMels]} out. Filter
 * centres are equally spaced on the mel scale {@code 2595·log10(1 + f/700)} between {@code fMin}
 * and {@code fMax}; each filter's half-width is the distance to its lower neighbour. In dB mode the
 * output is {@code 10·log10(max(x, amin)) - 10·log10(max(amin, ref))}, floored at {@code (max over
 * the sequence) - topDb} separately for each batch item.
 */
public final class Filterbank implements AutoCloseable {
  /** Filter shape; SpeechBrain's default is {@link #TRIANGULAR}. */
  public enum Shape {
    /** Triangles from the lower to the upper neighbouring centre, peak 1 at the centre. */
    TRIANGULAR,
    /** 1 within one band of the centre, 0 elsewhere. */
    RECTANGULAR
  }

  private final int nMels;
  private final int nFft;
  private final int sampleRate;
  private final double fMin;
  private final double fMax;
  private final boolean logMel;
  private final double multiplier;
  private final double amin;
  private final double refValue;
  private final double topDb;
  private final Tensor matrix;
  private final Tensor interleavedMatrix;
  private final float[] matrixValues;

  /**
   * Creates a filterbank with SpeechBrain's numerics.
   *
   * @param nMels number of mel filters
   * @param nFft FFT size the spectrogram was computed with ({@code nFft/2 + 1} bins)
   * @param sampleRate Hz
   * @param fMin lowest filter edge, Hz
   * @param fMax highest filter edge, Hz (SpeechBrain's Fbank uses {@code sampleRate / 2})
   * @param shape filter shape
   * @param logMel convert to decibels
   * @param powerSpectrogram 2 when the input is a power spectrum (dB multiplier 10), 1 for
   *     magnitudes (20)
   * @param amin floor before the logarithm (SpeechBrain: 1e-10)
   * @param refValue reference for 0 dB (SpeechBrain: 1.0)
   * @param topDb dynamic range kept below each sequence's maximum, dB (SpeechBrain: 80)
   */
  public Filterbank(
      int nMels,
      int nFft,
      int sampleRate,
      double fMin,
      double fMax,
      Shape shape,
      boolean logMel,
      int powerSpectrogram,
      double amin,
      double refValue,
      double topDb) {
    this.nMels = FeatureChecks.positive(nMels, "n_mels");
    this.nFft = FeatureChecks.positive(nFft, "n_fft");
    this.sampleRate = FeatureChecks.positive(sampleRate, "sample_rate");
    if (fMin < 0 || fMax <= fMin || fMax > sampleRate / 2.0) {
      throw new IllegalArgumentException(
          String.format(
              "filterbank range f_min=%.1f Hz .. f_max=%.1f Hz is invalid at %d Hz; need 0 <= f_min < f_max <= %d "
                  + "(half the sample rate)",
              fMin, fMax, sampleRate, sampleRate / 2));
    }
    if (powerSpectrogram != 1 && powerSpectrogram != 2) {
      throw new IllegalArgumentException(
          "power_spectrogram is "
              + powerSpectrogram
              + "; expected 2 (power spectrum) or 1 (magnitude spectrum)");
    }
    this.fMin = fMin;
    this.fMax = fMax;
    this.logMel = logMel;
    this.multiplier = powerSpectrogram == 2 ? 10 : 20;
    this.amin = FeatureChecks.positive(amin, "amin");
    this.refValue = FeatureChecks.positive(refValue, "ref_value");
    this.topDb = FeatureChecks.positive(topDb, "top_db");
    this.matrixValues = melMatrix(nMels, nFft, sampleRate, fMin, fMax, shape);
    try (PointerScope scope = new PointerScope()) {
      this.matrix = Tensors.fromFloats(matrixValues, nFft / 2 + 1, nMels).retainReference();
      this.interleavedMatrix =
          Tensors.fromFloats(interleaveRows(matrixValues, nMels), nFft + 2, nMels)
              .retainReference();
    }
  }

  /**
   * SpeechBrain's Fbank defaults: triangular, dB with amin 1e-10, ref 1, top_db 80, power input.
   */
  public static Filterbank speechBrainDefaults(
      int nMels, int nFft, int sampleRate, double fMin, double fMax) {
    return new Filterbank(
        nMels, nFft, sampleRate, fMin, fMax, Shape.TRIANGULAR, true, 2, 1e-10, 1.0, 80.0);
  }

  /** The filter matrix {@code [nFft/2+1, nMels]}, a copy in row-major order. */
  public float[] matrix() {
    return matrixValues.clone();
  }

  /**
   * Applies the filters (and the dB conversion when enabled): {@code [B, frames, bins] -> [B,
   * frames, nMels]}.
   */
  public Tensor forward(Tensor power) {
    FeatureChecks.featureBatch(power, nFft / 2 + 1, this);
    return Scopes.freeingTemporaries(() -> apply(power));
  }

  /** {@link #forward} without the checks; the result belongs to the caller's scope. */
  Tensor apply(Tensor power) {
    Tensor mel = power.matmul(matrix);
    return logMel ? toDecibels(mel) : mel;
  }

  /**
   * Filters the power of a complex spectrum {@code [B, frames, bins]} (complex64, contiguous),
   * squaring its real and imaginary parts in place, so the argument is consumed. Summing {@code
   * re²} and {@code im²} happens inside the matrix product (each filter row appears twice), which
   * saves a pass over the spectrum. The result belongs to the caller's scope.
   */
  Tensor applyToSpectrum(Tensor complex) {
    Tensor parts = torch.view_as_real(complex);
    if (!parts.is_contiguous()) {
      parts = parts.contiguous();
    }
    parts.square_();
    Tensor mel =
        parts.view(complex.size(0), complex.size(1), 2 * complex.size(2)).matmul(interleavedMatrix);
    return logMel ? toDecibels(mel) : mel;
  }

  /**
   * The decibel conversion alone, for {@code [B, frames, nMels]}; result belongs to the caller's
   * scope.
   */
  Tensor toDecibels(Tensor mel) {
    Tensor db = mel.clamp_min(new Scalar(amin)).log10_().mul_(new Scalar(multiplier));
    double offset = multiplier * Math.log10(Math.max(amin, refValue));
    if (offset != 0) {
      db.sub_(new Scalar(offset));
    }
    Tensor floor = db.amax(new long[] {-2, -1}, true).sub_(new Scalar(topDb));
    return torch.maximum(db, floor);
  }

  static float[] melMatrix(
      int nMels, int nFft, int sampleRate, double fMin, double fMax, Shape shape) {
    int bins = nFft / 2 + 1;
    // SpeechBrain computes the mel grid and the bin frequencies in float32; do the same so the
    // matrices agree
    // to the last bit where possible.
    float melMin = (float) toMel(fMin);
    float melMax = (float) toMel(fMax);
    float[] hz = new float[nMels + 2];
    float[] melGrid = linspace(melMin, melMax, nMels + 2);
    for (int i = 0; i < hz.length; i++) {
      // Each step rounded to float32 as torch does: 10^(mel/2595) - 1 cancels digits near f = 0.
      float power = (float) Math.pow(10.0, melGrid[i] / 2595.0f);
      hz[i] = 700f * (power - 1f);
    }
    // Integer halving, as SpeechBrain's linspace(0, sample_rate // 2, n_stft).
    float[] freqs = linspace(0f, (float) Math.floorDiv(sampleRate, 2), bins);
    float[] out = new float[bins * nMels];
    for (int m = 0; m < nMels; m++) {
      float centre = hz[m + 1];
      float band = hz[m + 1] - hz[m];
      for (int k = 0; k < bins; k++) {
        float value;
        if (shape == Shape.TRIANGULAR) {
          float slope = (freqs[k] - centre) / band;
          value = Math.max(0f, Math.min(slope + 1f, -slope + 1f));
        } else {
          value = freqs[k] >= centre - band && freqs[k] <= centre + band ? 1f : 0f;
        }
        out[k * nMels + m] = value;
      }
    }
    return out;
  }

  /**
   * Repeats each row of a row-major {@code [rows, cols]} matrix: rows {@code 2k} and {@code 2k+1}
   * equal row k.
   */
  private static float[] interleaveRows(float[] m, int cols) {
    int rows = m.length / cols;
    float[] out = new float[2 * m.length];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(m, r * cols, out, 2 * r * cols, cols);
      System.arraycopy(m, r * cols, out, (2 * r + 1) * cols, cols);
    }
    return out;
  }

  /**
   * {@code torch.linspace} in float32: the first half counts up from start, the second half down
   * from end.
   */
  static float[] linspace(float start, float end, int steps) {
    float[] out = new float[steps];
    if (steps == 1) {
      out[0] = start;
      return out;
    }
    float step = (end - start) / (steps - 1);
    int half = steps / 2;
    for (int i = 0; i < steps; i++) {
      out[i] = i < half ? start + step * i : end - step * (steps - i - 1);
    }
    return out;
  }

  static double toMel(double hz) {
    return 2595.0 * Math.log10(1.0 + hz / 700.0);
  }

  /** Number of mel filters. */
  public int nMels() {
    return nMels;
  }

  @Override
  public void close() {
    matrix.close();
    interleavedMatrix.close();
  }

  @Override
  public String toString() {
    return String.format(
        "Filterbank(n_mels=%d, n_fft=%d, sample_rate=%d, f_min=%.1f, f_max=%.1f, log_mel=%s)",
        nMels, nFft, sampleRate, fMin, fMax, logMel);
  }
}
