package dev.sonus.augment;

import dev.sonus.tensor.Tensors;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.global.torch;

/**
 * Lowers the bit resolution, SpeechBrain's {@code DropBitResolution}: quantises to {@code int16} or
 * {@code int8} (scaled so the peak maps to full scale, truncated toward zero as a cast does) or
 * rounds to {@code float16}, then converts back; {@code random} draws one of the three per item.
 */
public final class DropBitResolution implements WaveformAugmentation {
  private static final List<String> TYPES = List.of("int16", "int8", "float16");
  private final String targetDtype;

  /**
   * Creates it.
   *
   * @param targetDtype int16 | int8 | float16 | random (default)
   */
  public DropBitResolution(String targetDtype) {
    String t = targetDtype == null ? "random" : targetDtype.toLowerCase(Locale.ROOT);
    if (!t.equals("random") && !TYPES.contains(t)) {
      throw new IllegalArgumentException(
          "target_dtype is '" + targetDtype + "'; expected one of " + TYPES + " or random");
    }
    this.targetDtype = t;
  }

  /** A random resolution per item. */
  public DropBitResolution() {
    this("random");
  }

  @Override
  public float[][] apply(float[][] channels, int sampleRate, SplittableRandom random) {
    String t = targetDtype.equals("random") ? TYPES.get(random.nextInt(TYPES.size())) : targetDtype;
    float peak = 0;
    for (float[] x : channels) {
      peak = Math.max(peak, Signals.absMax(x));
    }
    float[][] out = new float[channels.length][];
    for (int c = 0; c < channels.length; c++) {
      float[] x = channels[c];
      if (t.equals("float16")) {
        try (PointerScope scope = new PointerScope()) {
          out[c] =
              Tensors.toFloats(
                  Tensors.fromFloats(x, x.length)
                      .to(torch.ScalarType.Half)
                      .to(torch.ScalarType.Float));
        }
        continue;
      }
      int bits = t.equals("int16") ? 16 : 8;
      float scale = peak > 0 ? (float) ((1 << (bits - 1)) - 1) / peak : 1f;
      float[] y = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        y[i] = (float) (long) (x[i] * scale) / scale;
      }
      out[c] = y;
    }
    return out;
  }

  @Override
  public String toString() {
    return "DropBitResolution(" + targetDtype + ")";
  }
}
