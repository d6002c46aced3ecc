package dev.sonus.models;

import org.bytedeco.pytorch.Module;

/** Checks shared by the slot interfaces ({@link Encoder}, {@link EmbeddingModel}). */
final class Slots {
  private Slots() {}

  /**
   * {@code slot} as a libtorch module, or an error naming the slot and the class that is not one.
   */
  static Module module(Object slot, String name) {
    if (slot instanceof Module m) {
      return m;
    }
    throw new IllegalArgumentException(
        name
            + " is a "
            + slot.getClass().getName()
            + ", which is not a "
            + "org.bytedeco.pytorch.Module; an "
            + name
            + " must be a module so that its parameters are trained and "
            + "saved (extend org.bytedeco.pytorch.Module and register its layers)");
  }
}
