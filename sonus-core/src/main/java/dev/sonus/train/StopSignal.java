package dev.sonus.train;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Stopping a training or evaluation run cleanly: Ctrl-C, {@code kill} (SIGTERM) or a call to {@link
 * #request} make every running {@link Brain#fit} and {@link Brain#evaluate} stop at the end of the
 * batch under way. A training run first saves a checkpoint of that point (mid-epoch, so that
 * running the same command again continues exactly where it stopped and ends with the model an
 * uninterrupted run gives), then throws {@link Stopped}.
 *
 * <p>Without this, the JVM's exit tears libtorch's global state down while the training thread is
 * still inside a libtorch call, which crashes the process (SIGSEGV) instead of ending it. The
 * shutdown hook, installed with the first run, therefore waits (up to {@link #WAIT_SECONDS}) for
 * the running stages to reach their batch boundary and return before the JVM goes on exiting.
 */
public final class StopSignal {
  private StopSignal() {}

  /** How long the JVM's exit waits for the running stages to stop. */
  public static final long WAIT_SECONDS = 120;

  private static final Set<Scope> ACTIVE = ConcurrentHashMap.newKeySet();
  private static volatile boolean hookInstalled;

  /**
   * Asks every running fit or evaluation of this JVM to stop at its next batch boundary; returns at
   * once. A run started afterwards is not affected.
   */
  public static void request() {
    for (Scope s : ACTIVE) {
      s.requested = true;
    }
  }

  /**
   * Registers a running fit or evaluation, or a command that runs them: the JVM's exit waits until
   * it is closed. Brain opens one per fit and evaluation; a program that reports a stopped run
   * (prints its message, exits with a status) opens one around that too, so the report is made
   * before the process ends.
   */
  public static Scope open() {
    installHook();
    Scope s = new Scope();
    ACTIVE.add(s);
    return s;
  }

  private static synchronized void installHook() {
    if (hookInstalled) {
      return;
    }
    Thread hook = new Thread(StopSignal::stopAndWait, "sonus-stop");
    try {
      Runtime.getRuntime().addShutdownHook(hook);
      hookInstalled = true;
    } catch (IllegalStateException exiting) {
      // the JVM is already exiting: nothing left to protect a new run from
    }
  }

  /** The shutdown hook: request a stop, then wait for the running stages to return. */
  private static void stopAndWait() {
    request();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    for (Scope s : ACTIVE) {
      long left = deadline - System.nanoTime();
      try {
        if (left <= 0 || !s.finished.await(left, TimeUnit.NANOSECONDS)) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** One running fit, evaluation or command; see {@link #open}. */
  public static final class Scope implements AutoCloseable {
    private volatile boolean requested;
    private final CountDownLatch finished = new CountDownLatch(1);

    /** Whether a stop was requested since this scope was opened. */
    public boolean requested() {
      return requested;
    }

    @Override
    public void close() {
      ACTIVE.remove(this);
      finished.countDown();
    }
  }

  /** Thrown by a run that stopped on request. */
  public static final class Stopped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stopped(String message) {
      super(message);
    }
  }
}
