package dev.sonus.config.testing;

import java.util.List;
import java.util.Map;

/** Takes records, lists of records and maps, for nested coercion tests. */
public record Shape(Point origin, List<Point> corners, Map<String, Integer> tags, long[] ids) {}
