/**
 * Layers with SpeechBrain's layouts and parameter names ({@code Linear}, {@code Conv2d}, {@code
 * LayerNorm}, {@code BatchNorm1d}, {@code Lstm}, {@code Pooling1d}, {@code Dropout2d}, {@code
 * Dropout}, {@code Activation}, {@code Conv1d}, {@code BatchNorm2d}, {@code Gru}).
 *
 * <p>Every public {@code forward} frees its own temporaries and leaves its result in the caller's
 * current {@code PointerScope} (see {@link dev.sonus.tensor.Scopes}): code that composes layers
 * inside a scope needs nothing more for the scope to free every result.
 */
package dev.sonus.nn;
