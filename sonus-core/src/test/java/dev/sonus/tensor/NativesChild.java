package dev.sonus.tensor;

import java.nio.charset.StandardCharsets;

/** Loads the natives in a fresh JVM and adds two tensors (for {@link NativesTest}). */
final class NativesChild {
  private NativesChild() {}

  public static void main(String[] args) {
    Natives.load();
    float sum = Tensors.fromFloats(new float[] {1.5f, 2f}, 2).sum().item_float();
    new java.io.PrintStream(System.out, true, StandardCharsets.UTF_8).println("sum " + sum);
  }
}
