package dev.sonus.config.testing;

import dev.sonus.util.RecipeCallable;
import java.util.Objects;

/** A small class with overloaded constructors and static methods, for binding tests. */
public final class Widget {
  private final int size;
  private final String name;
  private final Color color;

  /** A red widget. */
  public Widget(int size, String name) {
    this(size, name, Color.RED);
  }

  /** A widget of any colour; {@code size} must be positive. */
  public Widget(int size, String name, Color color) {
    if (size <= 0) {
      throw new IllegalArgumentException("size is " + size + "; must be positive");
    }
    this.size = size;
    this.name = name;
    this.color = color;
  }

  /** A widget named after its size. */
  @RecipeCallable
  public static Widget sized(int size) {
    return new Widget(size, "w" + size);
  }

  /** Doubles a number (for {@code !apply:}). */
  @RecipeCallable
  public static int twice(int x) {
    return 2 * x;
  }

  /** Size. */
  public int size() {
    return size;
  }

  /** Name. */
  public String name() {
    return name;
  }

  /** Colour. */
  public Color color() {
    return color;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Widget w
        && w.size == size
        && Objects.equals(w.name, name)
        && w.color == color;
  }

  @Override
  public int hashCode() {
    return Objects.hash(size, name, color);
  }

  @Override
  public String toString() {
    return "Widget(" + size + ", " + name + ", " + color + ")";
  }
}
