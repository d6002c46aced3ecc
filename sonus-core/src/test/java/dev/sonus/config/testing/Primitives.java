package dev.sonus.config.testing;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** One parameter of each convertible kind. */
public record Primitives(
    long count,
    float ratio,
    short small,
    Double boxed,
    Path dir,
    File file,
    int[] dims,
    String[] names,
    List<Double> scales,
    Set<String> labels,
    Optional<String> note,
    char letter,
    Object anything) {}
