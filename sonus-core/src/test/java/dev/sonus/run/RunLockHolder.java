package dev.sonus.run;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Holds a run folder's lock in a separate JVM until its standard input closes or it is killed (for
 * {@link RunLockTest}).
 */
final class RunLockHolder {
  private RunLockHolder() {}

  public static void main(String[] args) throws Exception {
    try (RunLock lock = RunLock.acquire(Path.of(args[0]), "train")) {
      java.io.PrintStream out = new java.io.PrintStream(System.out, true, StandardCharsets.UTF_8);
      out.println("locked " + lock.holder().pid());
      while (System.in.read() >= 0) {
        // wait for the parent
      }
    }
  }
}
