package dev.sonus.testing;

/** Helpers for tests that watch native memory. */
public final class NativeMemory {
  private NativeMemory() {}

  /**
   * Lets the garbage collector and JavaCPP's deallocator thread release unowned pointers of earlier
   * code.
   */
  public static void settle() {
    System.gc();
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
