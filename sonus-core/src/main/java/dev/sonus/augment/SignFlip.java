package dev.sonus.augment;

import java.util.SplittableRandom;

/**
 * Inverts the signal's polarity with probability {@code flip_prob}, SpeechBrain's {@code SignFlip}
 * (added to its augment package after 1.0.0; same name and option).
 */
public final class SignFlip implements WaveformAugmentation {
  private final double flipProb;

  /**
   * Creates it.
   *
   * @param flipProb probability of a flip (default 0.5)
   */
  public SignFlip(double flipProb) {
    if (flipProb < 0 || flipProb > 1) {
      throw new IllegalArgumentException(
          "flip_prob is " + flipProb + "; it must be between 0 and 1");
    }
    this.flipProb = flipProb;
  }

  /** Flips half the time. */
  public SignFlip() {
    this(0.5);
  }

  @Override
  public float[][] apply(float[][] channels, int sampleRate, SplittableRandom random) {
    boolean flip = random.nextDouble() < flipProb;
    float[][] out = Signals.copy(channels);
    if (flip) {
      for (float[] y : out) {
        for (int i = 0; i < y.length; i++) {
          y[i] = -y[i];
        }
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "SignFlip(" + flipProb + ")";
  }
}
