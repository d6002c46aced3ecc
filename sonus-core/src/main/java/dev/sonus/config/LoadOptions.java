package dev.sonus.config;

import java.util.List;

/**
 * How much a loaded file is trusted.
 *
 * @param policy the classes that may be built (besides what {@code trusted_classes} adds)
 * @param recipeTrust whether the file's own {@code trusted_classes:} key is honoured without
 *     asking: true for a recipe the user runs ({@code sonus train}, {@code sonus config}), false
 *     for a run folder opened by an inference command, where the key is refused unless {@code
 *     trust}
 * @param trust the user vouches for the file ({@code --trust}): its {@code trusted_classes} are
 *     honoured and its {@code !include:}s may leave its folder
 * @param maxNodes how many nodes resolution may create (references, copies, interpolated text
 *     count); bounds "billion laughs" files
 */
public record LoadOptions(ClassPolicy policy, boolean recipeTrust, boolean trust, long maxNodes) {
  /** Default node budget: far above any real recipe, far below what exhausts a 2 GB heap. */
  public static final long DEFAULT_MAX_NODES = 500_000;

  /** Validates the budget. */
  public LoadOptions {
    if (policy == null) {
      throw new IllegalArgumentException("policy is null; use ClassPolicy.sonusOnly()");
    }
    if (maxNodes < 1) {
      throw new IllegalArgumentException("maxNodes is " + maxNodes + "; expected at least 1");
    }
  }

  /**
   * A recipe the user runs: Sonus's classes, the recipe's trusted_classes, includes inside its
   * folder.
   */
  public static LoadOptions recipe() {
    return new LoadOptions(ClassPolicy.sonusOnly(), true, false, DEFAULT_MAX_NODES);
  }

  /** A run folder opened for inference: Sonus's classes only, its trusted_classes refused. */
  public static LoadOptions runFolder() {
    return new LoadOptions(ClassPolicy.sonusOnly(), false, false, DEFAULT_MAX_NODES);
  }

  /** These options, also allowing the classes under {@code prefixes} ({@code --allow-classes}). */
  public LoadOptions allowing(List<String> prefixes) {
    return new LoadOptions(policy.allowing(prefixes), recipeTrust, trust, maxNodes);
  }

  /** These options with the user's vouching ({@code --trust}) on or off. */
  public LoadOptions trusting(boolean on) {
    return new LoadOptions(policy, recipeTrust, on, maxNodes);
  }
}
