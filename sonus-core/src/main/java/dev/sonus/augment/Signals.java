package dev.sonus.augment;

import dev.sonus.tensor.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.StringViewOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The signal kernels of the augmentations, after {@code speechbrain.processing.signal_processing}:
 * amplitudes, reverberation by FFT convolution, notch filters, 1-D filtering.
 */
final class Signals {
  private Signals() {}

  /** How an amplitude is measured, SpeechBrain's {@code amp_type}. */
  enum Amp {
    AVG,
    RMS,
    PEAK;

    static Amp of(String name, String option) {
      for (Amp a : values()) {
        if (a.name().equalsIgnoreCase(name)) {
          return a;
        }
      }
      throw new IllegalArgumentException(
          option + " is '" + name + "'; expected one of avg, rms, peak");
    }
  }

  /** Amplitude of {@code x[0..length)}, divided by {@code divisor} for avg and rms. */
  static double amplitude(float[] x, int length, double divisor, Amp type) {
    double acc = 0;
    for (int i = 0; i < length; i++) {
      double v = x[i];
      switch (type) {
        case AVG -> acc += Math.abs(v);
        case RMS -> acc += v * v;
        case PEAK -> acc = Math.max(acc, Math.abs(v));
      }
    }
    return switch (type) {
      case AVG -> acc / divisor;
      case RMS -> Math.sqrt(acc / divisor);
      case PEAK -> acc;
    };
  }

  /**
   * Checks a SpeechBrain {@code <name>_low}/{@code <name>_high} pair: {@code 0 <= low <= high}.
   *
   * @throws IllegalArgumentException naming both options and their values
   */
  static void range(int low, int high, String name) {
    if (low < 0 || low > high) {
      throw new IllegalArgumentException(
          name + "_low (" + low + ") must be between 0 and " + name + "_high (" + high + ")");
    }
  }

  /**
   * Each channel scaled to peak 1 and mapped sample by sample by {@code f} (silent channels stay
   * silent): the shared step of DoClip and RandAmp.
   */
  static float[][] perPeak(float[][] channels, PeakMap f) {
    float[][] out = new float[channels.length][];
    for (int c = 0; c < channels.length; c++) {
      float[] x = channels[c];
      float peak = absMax(x);
      float[] y = new float[x.length];
      if (peak > 0) {
        for (int i = 0; i < x.length; i++) {
          y[i] = f.map(x[i] / peak, peak);
        }
      }
      out[c] = y;
    }
    return out;
  }

  /** A sample map of {@link #perPeak}: the peak-normalised sample and the channel's peak. */
  @FunctionalInterface
  interface PeakMap {
    float map(float normalised, float peak);
  }

  /** A deep copy of {@code [channels][frames]} samples. */
  static float[][] copy(float[][] x) {
    float[][] out = new float[x.length][];
    for (int c = 0; c < x.length; c++) {
      out[c] = x[c].clone();
    }
    return out;
  }

  /** {@code 10^(dB / 20)}. */
  static double dbToAmplitude(double db) {
    return Math.pow(10, db / 20);
  }

  /** Largest absolute sample. */
  static float absMax(float[] x) {
    float m = 0;
    for (float v : x) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  /**
   * SpeechBrain's {@code reverberate} of one channel: circular FFT convolution with the RIR rotated
   * so its largest tap (the direct path) comes first, then rescaled to the input's amplitude
   * ({@code avg} or {@code peak}).
   */
  static float[] reverberate(float[] x, float[] rir, Amp rescale) {
    int t = x.length;
    if (t == 0) {
      return new float[0];
    }
    double origAmp = amplitude(x, t, t, rescale);
    int direct = 0;
    float best = -1;
    for (int i = 0; i < rir.length; i++) {
      if (Math.abs(rir[i]) > best) {
        best = Math.abs(rir[i]);
        direct = i;
      }
    }
    int k = Math.min(rir.length, t);
    int rot = Math.min(direct, k);
    float[] kernel = new float[t];
    // [rir[rot..k), zeros, rir[0..rot)]
    System.arraycopy(rir, rot, kernel, 0, k - rot);
    System.arraycopy(rir, 0, kernel, t - rot, rot);
    float[] y;
    try (PointerScope scope = new PointerScope()) {
      Tensor xs = Tensors.fromFloats(x, 1, t);
      Tensor ks = Tensors.fromFloats(kernel, 1, t);
      StringViewOptional norm = new StringViewOptional();
      Tensor f =
          torch
              .fft_rfft(xs, new LongOptional(), -1, norm)
              .mul(torch.fft_rfft(ks, new LongOptional(), -1, norm));
      y = Tensors.toFloats(torch.fft_irfft(f, new LongOptional(t), -1, norm).contiguous());
    }
    double amp = amplitude(y, t, t, rescale) + 1e-14;
    float[] out = new float[t];
    for (int i = 0; i < t; i++) {
      out[i] = (float) (y[i] / amp * origAmp);
    }
    return out;
  }

  /** {@code torch.blackman_window(n)} (periodic). */
  static double[] blackman(int n) {
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      w[i] = 0.42 - 0.5 * Math.cos(2 * Math.PI * i / n) + 0.08 * Math.cos(4 * Math.PI * i / n);
    }
    return w;
  }

  /**
   * SpeechBrain's {@code notch_filter}: a band-stop FIR of {@code width} taps around {@code freq}
   * (a fraction of the Nyquist rate, in (0, 1]).
   */
  static double[] notchFilter(double freq, int width, double notchWidth) {
    int pad = width / 2;
    double[] window = blackman(width);
    double[] low = sincFilter(3 * freq, width, pad, window);
    double[] high = sincFilter(3 * (freq + 2 * notchWidth), width, pad, window);
    double sumLow = 0;
    double sumHigh = 0;
    for (int i = 0; i < width; i++) {
      sumLow += low[i];
      sumHigh += high[i];
    }
    double[] out = new double[width];
    for (int i = 0; i < width; i++) {
      out[i] = low[i] / sumLow - high[i] / sumHigh;
    }
    out[pad] += 1;
    return out;
  }

  private static double[] sincFilter(double scale, int width, int pad, double[] window) {
    double[] h = new double[width];
    for (int i = 0; i < width; i++) {
      double x = scale * (i - pad);
      h[i] = (i == pad ? 1 : Math.sin(x) / x) * window[i];
    }
    return h;
  }

  /**
   * {@code conv1d} with zero padding {@code pad} on both sides (cross-correlation, as {@code
   * torch.nn.functional.conv1d}): {@code out[t] = sum_j x[t + j - pad] k[j]}.
   */
  static double[] correlate(double[] x, double[] k, int pad) {
    int n = x.length + 2 * pad - k.length + 1;
    double[] out = new double[Math.max(0, n)];
    for (int t = 0; t < out.length; t++) {
      double acc = 0;
      for (int j = 0; j < k.length; j++) {
        int i = t + j - pad;
        if (i >= 0 && i < x.length) {
          acc += x[i] * k[j];
        }
      }
      out[t] = acc;
    }
    return out;
  }

  /** {@link #correlate} of float samples, keeping the length ({@code pad = (k - 1) / 2}). */
  static float[] filter(float[] x, double[] k) {
    int pad = k.length / 2;
    float[] out = new float[x.length];
    for (int t = 0; t < out.length; t++) {
      double acc = 0;
      int jFrom = Math.max(0, pad - t);
      int jTo = Math.min(k.length, x.length + pad - t);
      for (int j = jFrom; j < jTo; j++) {
        acc += x[t + j - pad] * k[j];
      }
      out[t] = (float) acc;
    }
    return out;
  }

  /**
   * SpeechBrain's {@code pink_noise_like} of one channel: white noise whose spectrum is shaped by
   * {@code 1 / f^alpha} over a frequency axis running to {@code sampleRate / 2}.
   */
  static float[] pinkNoise(int n, double alpha, double sampleRate, java.util.SplittableRandom r) {
    float[] white = new float[n];
    for (int i = 0; i < n; i++) {
      white[i] = (float) r.nextGaussian();
    }
    int half = n / 2;
    if (half < 2) {
      return white;
    }
    float[] mask = new float[n];
    double[] f = new double[half];
    for (int i = 0; i < half; i++) {
      f[i] = half == 1 ? 0 : sampleRate / 2 * i / (half - 1);
    }
    float[] m = new float[half];
    for (int i = 0; i < half; i++) {
      m[i] = (float) (1 / Math.pow(f[i], alpha));
    }
    m[0] = m[1];
    System.arraycopy(m, 0, mask, 0, half);
    int at = half;
    if (n % 2 == 1) {
      mask[at++] = m[half - 1];
    }
    for (int i = 0; i < half; i++) {
      mask[at + i] = m[half - 1 - i];
    }
    try (PointerScope scope = new PointerScope()) {
      Tensor w = Tensors.fromFloats(white, n);
      StringViewOptional norm = new StringViewOptional();
      Tensor spec = torch.fft_fft(w, new LongOptional(), -1, norm).mul(Tensors.fromFloats(mask, n));
      return Tensors.toFloats(
          torch.real(torch.fft_ifft(spec, new LongOptional(), -1, norm)).contiguous());
    }
  }
}
