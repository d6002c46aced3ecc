package dev.sonus.config.testing;

import java.nio.file.Path;
import java.util.List;

/** A class built from an options record with defaults, like {@code Fbank(Fbank.Options)}. */
public final class Gadget {

  /**
   * Settings.
   *
   * @param rate a rate
   * @param layers a count
   * @param color a colour
   * @param dir a folder
   * @param sizes sizes
   * @param weights weights
   */
  public record Options(
      double rate, int layers, Color color, Path dir, List<Integer> sizes, double[] weights) {
    /** Validates. */
    public Options {
      if (layers < 0) {
        throw new IllegalArgumentException("layers is " + layers + "; must be >= 0");
      }
    }

    /** The defaults. */
    public static Options defaults() {
      return new Options(0.5, 2, Color.GREEN, Path.of("out"), List.of(1, 2), new double[] {1.0});
    }
  }

  private final Options options;

  /** Builds from settings. */
  public Gadget(Options options) {
    this.options = options;
  }

  /** The settings. */
  public Options options() {
    return options;
  }
}
