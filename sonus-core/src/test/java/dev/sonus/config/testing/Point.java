package dev.sonus.config.testing;

/** A record without defaults, for mapping-to-record coercion. */
public record Point(double x, double y) {}
