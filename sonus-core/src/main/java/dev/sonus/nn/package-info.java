/**
 * Layers with SpeechBrain's layouts and parameter names ({@code Linear}, {@code Conv2d}, {@code LayerNorm},
 * {@code BatchNorm1d}, {@code Lstm}, {@code Pooling1d}, {@code Dropout2d}, {@code Dropout}, {@code Activation},
 * {@code Conv1d}, {@code BatchNorm2d}, {@code Gru}).
 *
 * <p>Every public {@code forward} opens its own {@code PointerScope} and returns a tensor the caller owns; code that
 * composes layers inside its own scope hands such results to that scope with {@link dev.sonus.nn.Checks#adopt}.
 */
package dev.sonus.nn;
