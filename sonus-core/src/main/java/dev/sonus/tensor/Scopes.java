package dev.sonus.tensor;

import java.util.Iterator;
import java.util.function.Supplier;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;

/**
 * The one ownership rule for native results: a method that returns a tensor (a layer's {@code
 * forward}, a loss, a feature extractor) leaves it in the caller's current {@link PointerScope},
 * exactly as a tensor made directly by the caller would be. Inside a training or inference step the
 * step's scope therefore frees every result; with no scope open, the caller owns the result and
 * closes it (or leaves it to the garbage collector).
 *
 * <pre>{@code
 * public Tensor forward(Tensor x) {
 *   return Scopes.freeingTemporaries(() -> apply(x));   // apply's temporaries freed, its result is the caller's
 * }
 * }</pre>
 */
public final class Scopes {
  private Scopes() {}

  /**
   * Runs {@code body} in a scope of its own, which frees every temporary the body makes, and hands
   * the tensor (or other pointer) it returns to the caller's current scope.
   */
  public static <T extends Pointer> T freeingTemporaries(Supplier<T> body) {
    T result;
    try (PointerScope scope = new PointerScope()) {
      result = body.get();
      result.retainReference();
    }
    return intoCurrentScope(result);
  }

  /**
   * Hands {@code pointer}, made inside the calling method's own scope (the innermost one open), to
   * the scope around it, so that it survives the method's scope and is freed with its caller's;
   * with no scope around it the caller owns it. Call it on the value a method returns from inside
   * its {@code try (PointerScope ...)} block:
   *
   * <pre>{@code
   * try (PointerScope scope = new PointerScope()) {
   *   Tensor loss = ...;
   *   return Scopes.toCallerScope(loss);
   * }
   * }</pre>
   *
   * @throws IllegalStateException when no scope is open (the method has none of its own)
   */
  public static <T extends Pointer> T toCallerScope(T pointer) {
    Iterator<PointerScope> scopes = PointerScope.getScopeIterator();
    if (scopes == null || !scopes.hasNext()) {
      throw new IllegalStateException(
          "toCallerScope is called outside any PointerScope; call it inside the "
              + "method's own try (PointerScope scope = new PointerScope()) block");
    }
    scopes.next();
    if (scopes.hasNext()) {
      scopes.next().attach(pointer);
    } else {
      pointer.retainReference();
    }
    return pointer;
  }

  /**
   * Moves a pointer that was retained out of a closed inner scope (one extra reference, owned by
   * nobody) into the current scope, which then frees it when it closes; with no scope open it is
   * returned as is, for the caller to close. Returns {@code pointer} for chaining.
   */
  public static <T extends Pointer> T intoCurrentScope(T pointer) {
    PointerScope current = PointerScope.getInnerScope();
    if (current != null) {
      current.attach(pointer);
      pointer.releaseReference();
    }
    return pointer;
  }
}
