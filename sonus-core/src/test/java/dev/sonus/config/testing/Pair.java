package dev.sonus.config.testing;

/** Two objects, for identity tests of {@code !ref} and {@code !copy}. */
public record Pair(Object first, Object second) {}
