package dev.sonus.config;

import java.util.Map;

/**
 * Builds an object later from a {@code !name:} entry, with the recipe's arguments plus more given
 * at call time, like Python's {@code functools.partial}.
 *
 * <p>{@code optimizer: !name:train.Adam {lr: 0.001}} gives a factory; {@code
 * create(Map.of("params", p))} then calls the constructor (or static method) with {@code lr =
 * 0.001} and {@code params = p}. Arguments given at call time win over the recipe's. Keys may be
 * snake_case or camelCase. Arguments are bound and checked as for {@code !new:}; a problem is
 * reported as a {@link ConfigException} at the {@code !name:} line of the recipe.
 */
public interface Factory {

  /**
   * Builds an object with the recipe's keyword arguments and {@code moreArgs} (which win on a
   * clash).
   *
   * @throws ConfigException when the arguments do not fit a public constructor or method, or it
   *     throws
   */
  Object create(Map<String, ?> moreArgs);

  /** Builds an object with the recipe's arguments only. */
  default Object create() {
    return create(Map.of());
  }

  /**
   * Builds an object as {@link #create(Map)} and checks that it is a {@code type}.
   *
   * @throws ConfigException when the object built is not a {@code type}
   */
  <T> T create(Class<T> type, Map<String, ?> moreArgs);

  /**
   * Calls with positional arguments: the recipe's positional arguments, then {@code moreArgs}, then
   * its keywords.
   */
  Object call(Object... moreArgs);

  /**
   * Returns this factory as an instance of a functional interface: calling its single abstract
   * method calls {@link #call} with the method's arguments, e.g. {@code
   * factory.as(Supplier.class).get()}.
   *
   * @throws IllegalArgumentException when {@code functionalInterface} is not an interface with one
   *     abstract method
   */
  <F> F as(Class<F> functionalInterface);

  /**
   * What this factory calls: a class name ({@code dev.sonus.features.Fbank}) or {@code
   * Class.staticMethod}.
   */
  String target();
}
