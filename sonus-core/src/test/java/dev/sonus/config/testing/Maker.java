package dev.sonus.config.testing;

import java.util.function.Function;
import java.util.function.Supplier;

/** Takes factories as functional interfaces, like a trainer taking an optimizer class. */
public final class Maker {
  private final Supplier<Widget> defaults;
  private final Function<Integer, Widget> sized;

  /** Stores the two functions. */
  public Maker(Supplier<Widget> defaults, Function<Integer, Widget> sized) {
    this.defaults = defaults;
    this.sized = sized;
  }

  /** Calls the supplier. */
  public Widget make() {
    return defaults.get();
  }

  /** Calls the function. */
  public Widget make(int size) {
    return sized.apply(size);
  }
}
