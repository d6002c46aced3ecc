package dev.sonus.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {
  @TempDir Path dir;

  @Test
  void aSecondLockInTheSameJvmIsRefusedNamingTheHolderAndTheFix() {
    Path run = dir.resolve("run");
    try (RunLock first = RunLock.acquire(run, "train")) {
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> RunLock.acquire(run, "eval"));
      String m = e.getMessage();
      assertTrue(m.contains("process " + ProcessHandle.current().pid()), m);
      assertTrue(m.contains("on host " + first.holder().host()), m);
      assertTrue(m.contains("'train' since " + first.holder().started()), m);
      assertTrue(m.contains("Wait for it to finish") && m.contains("--output_folder"), m);
      assertTrue(m.contains(run.toString()), m);
    }
  }

  @Test
  void aReleasedLockCanBeTakenAgain() {
    Path run = dir.resolve("run");
    RunLock.acquire(run, "train").close();
    try (RunLock again = RunLock.acquire(run, "train")) {
      assertEquals(ProcessHandle.current().pid(), again.holder().pid());
    }
  }

  @Test
  void theLockFileNamesItsHolderWhileHeld() throws Exception {
    Path run = dir.resolve("run");
    try (RunLock lock = RunLock.acquire(run, "eval")) {
      RunLock.Holder h = RunLock.Holder.parse(Files.readString(run.resolve(RunLock.FILE)));
      assertEquals(lock.holder(), h);
    }
  }

  @Test
  void aLockFileLeftWithoutALiveLockDoesNotBlock() throws Exception {
    Path run = Files.createDirectories(dir.resolve("run"));
    Files.writeString(
        run.resolve(RunLock.FILE),
        "{\"pid\": 999999999, \"host\": \"gone\", \"started\": \"2020-01-01T00:00:00Z\","
            + " \"command\": \"train\"}\n");
    try (RunLock lock = RunLock.acquire(run, "train")) {
      assertEquals(ProcessHandle.current().pid(), lock.holder().pid());
      assertEquals(
          lock.holder(), RunLock.Holder.parse(Files.readString(run.resolve(RunLock.FILE))));
    }
  }

  @Test
  void anotherProcessHoldingTheFolderIsRefusedAtOnceAndItsDeathFreesIt() throws Exception {
    Path run = dir.resolve("run");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process holder =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    RunLockHolder.class.getName(),
                    run.toString()))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertEquals("locked " + holder.pid(), line, "the holder process did not start");
      long t0 = System.nanoTime();
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> RunLock.acquire(run, "train"));
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertTrue(seconds < 2, "refused after " + seconds + " s: it must not wait");
      assertTrue(e.getMessage().contains("process " + holder.pid() + " on host "), e.getMessage());
      assertTrue(e.getMessage().contains("running 'train' since "), e.getMessage());
      // Killed without a chance to clean up: its lock file stays, its lock goes with it.
      holder.destroyForcibly();
      assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
      assertTrue(Files.size(run.resolve(RunLock.FILE)) > 0, "the killed holder's file remains");
      try (RunLock lock = RunLock.acquire(run, "train")) {
        assertEquals(ProcessHandle.current().pid(), lock.holder().pid());
      }
    } finally {
      holder.destroyForcibly();
    }
  }
}
