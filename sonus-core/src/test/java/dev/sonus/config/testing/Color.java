package dev.sonus.config.testing;

/** Colours for enum-coercion tests. */
public enum Color {
  RED,
  GREEN,
  BLUE_GREEN
}
