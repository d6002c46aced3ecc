package dev.sonus.data;

import java.util.List;
import java.util.function.Function;

/**
 * One step of a dataset's item computation: takes some keys, provides others (as SpeechBrain's
 * {@code @takes/@provides} dynamic items). Steps are computed lazily, only when an output needs
 * them.
 *
 * @param takes keys it reads, static (manifest columns, {@code id}) or provided by other steps
 * @param provides keys it produces, in the order {@link Step#apply} returns them
 * @param step the computation
 */
public record Pipeline(List<String> takes, List<String> provides, Step step) {

  /** The computation of a pipeline step. */
  @FunctionalInterface
  public interface Step {
    /**
     * Computes the provided values from the taken ones.
     *
     * @param inputs values of {@code takes}, in order
     * @param context the item's seed, epoch and ID, for per-item randomness
     * @return one value per {@code provides} key, in order
     */
    Object[] apply(Object[] inputs, ItemContext context) throws Exception;
  }

  /** Validates the key lists. */
  public Pipeline {
    takes = List.copyOf(takes);
    provides = List.copyOf(provides);
    if (provides.isEmpty()) {
      throw new IllegalArgumentException(
          "a pipeline step must provide at least one key (takes " + takes + ")");
    }
    if (step == null) {
      throw new IllegalArgumentException(
          "pipeline step providing " + provides + " has no function");
    }
  }

  /** A one-in, one-out step. */
  public static Pipeline of(String take, String provide, Function<Object, Object> fn) {
    return new Pipeline(
        List.of(take), List.of(provide), (in, ctx) -> new Object[] {fn.apply(in[0])});
  }

  /** A one-in, one-out step that uses the item's context (for randomness). */
  public static Pipeline withContext(
      String take, String provide, java.util.function.BiFunction<Object, ItemContext, Object> fn) {
    return new Pipeline(
        List.of(take), List.of(provide), (in, ctx) -> new Object[] {fn.apply(in[0], ctx)});
  }

  @Override
  public String toString() {
    return "Pipeline(takes=" + takes + ", provides=" + provides + ")";
  }
}
