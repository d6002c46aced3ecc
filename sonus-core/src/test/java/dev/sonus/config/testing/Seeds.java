package dev.sonus.config.testing;

import dev.sonus.util.RecipeCallable;
import java.util.ArrayList;
import java.util.List;

/**
 * Records calls in order, to check that {@code !apply:} runs at load time and objects build in file
 * order.
 */
public final class Seeds {
  private static final List<String> CALLS = new ArrayList<>();

  private Seeds() {}

  /** Records a seed; returns it. */
  @RecipeCallable
  public static synchronized int set(int seed) {
    CALLS.add("seed " + seed);
    return seed;
  }

  /** Records a build. */
  @RecipeCallable
  public static synchronized String note(String what) {
    CALLS.add(what);
    return what;
  }

  /** Calls so far; clears them. */
  public static synchronized List<String> drain() {
    List<String> out = new ArrayList<>(CALLS);
    CALLS.clear();
    return out;
  }
}
