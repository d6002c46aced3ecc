package dev.sonus.audio;

/**
 * Band-limited resampling with a Hann-windowed sinc filter, numerically the same as {@code
 * torchaudio.functional.resample(x, orig, new)} with its defaults ({@code lowpass_filter_width=6},
 * {@code rolloff=0.99}, {@code resampling_method="sinc_interp_hann"}), which SpeechBrain uses.
 *
 * <p>Both rates are reduced by their greatest common divisor; each of the {@code new} output phases
 * has its own kernel of {@code 2·width + orig} taps, applied with stride {@code orig} to the
 * zero-padded input. The output has {@code ceil(new·T / orig)} samples. Kernels are cached per rate
 * pair.
 */
public final class Resample {
  private static final int LOWPASS_FILTER_WIDTH = 6;
  private static final double ROLLOFF = 0.99;
  private static final java.util.concurrent.ConcurrentHashMap<Long, Kernel> CACHE =
      new java.util.concurrent.ConcurrentHashMap<>();

  private Resample() {}

  private record Kernel(int orig, int target, int width, float[][] taps) {}

  /**
   * Resamples every channel to {@code targetRate} Hz; returns {@code audio} itself when the rates
   * agree.
   */
  public static Audio resample(Audio audio, int targetRate) {
    if (audio.sampleRate() == targetRate) {
      return audio;
    }
    float[][] out = new float[audio.numChannels()][];
    for (int c = 0; c < out.length; c++) {
      out[c] = resample(audio.channel(c), audio.sampleRate(), targetRate);
    }
    return new Audio(out, targetRate);
  }

  /**
   * Resamples one channel from {@code origRate} to {@code targetRate} Hz.
   *
   * @throws IllegalArgumentException if a rate is not positive
   */
  public static float[] resample(float[] x, int origRate, int targetRate) {
    if (origRate <= 0 || targetRate <= 0) {
      throw new IllegalArgumentException(
          "cannot resample from "
              + origRate
              + " Hz to "
              + targetRate
              + " Hz: both rates must be positive");
    }
    if (origRate == targetRate) {
      return x.clone();
    }
    Kernel k = kernel(origRate, targetRate);
    int orig = k.orig;
    int target = k.target;
    int width = k.width;
    int taps = 2 * width + orig;
    int length = x.length;
    // torchaudio pads `width` zeros on the left and `width + orig` on the right, then convolves
    // with stride orig.
    int paddedLength = length + 2 * width + orig;
    int steps = (paddedLength - taps) / orig + 1;
    int outLength = (int) Math.ceil((double) target * length / orig);
    float[] out = new float[outLength];
    for (int n = 0; n < steps; n++) {
      int start = n * orig - width; // index into x of tap 0
      int lo = Math.max(0, -start);
      int hi = Math.min(taps, length - start);
      for (int phase = 0; phase < target; phase++) {
        int o = n * target + phase;
        if (o >= outLength) {
          break;
        }
        float[] w = k.taps[phase];
        double acc = 0;
        for (int j = lo; j < hi; j++) {
          acc += w[j] * x[start + j];
        }
        out[o] = (float) acc;
      }
    }
    return out;
  }

  private static Kernel kernel(int origRate, int targetRate) {
    return CACHE.computeIfAbsent(
        ((long) origRate << 32) | targetRate, key -> buildKernel(origRate, targetRate));
  }

  private static Kernel buildKernel(int origRate, int targetRate) {
    int gcd = gcd(origRate, targetRate);
    int orig = origRate / gcd;
    int target = targetRate / gcd;
    double baseFreq = Math.min(orig, target) * ROLLOFF;
    int width = (int) Math.ceil(LOWPASS_FILTER_WIDTH * orig / baseFreq);
    int taps = 2 * width + orig;
    double scale = baseFreq / orig;
    float[][] kernels = new float[target][taps];
    for (int phase = 0; phase < target; phase++) {
      for (int j = 0; j < taps; j++) {
        // Time of tap j relative to output sample `phase`, in units of the lower rate's period.
        double t = ((double) (j - width) / orig - (double) phase / target) * baseFreq;
        t = Math.max(-LOWPASS_FILTER_WIDTH, Math.min(LOWPASS_FILTER_WIDTH, t));
        double window = Math.cos(t * Math.PI / LOWPASS_FILTER_WIDTH / 2);
        window *= window;
        double tp = t * Math.PI;
        double sinc = tp == 0 ? 1.0 : Math.sin(tp) / tp;
        kernels[phase][j] = (float) (sinc * window * scale);
      }
    }
    return new Kernel(orig, target, width, kernels);
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
