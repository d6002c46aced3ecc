package dev.sonus.run;

import dev.sonus.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exclusive lock on a run folder, held by the one command that writes into it ({@code sonus
 * train}, {@code eval}, a replay's new folder) for as long as it runs, so that two runs never
 * interleave their logs or checkpoints in one folder.
 *
 * <p>The lock is the operating system's ({@link FileChannel#tryLock}) on the file {@value #FILE}
 * inside the folder, which holds the holder's process id, host name, start time and command (JSON)
 * for the message a second command gets. The operating system releases the lock when its process
 * ends, however it ends, so a lock file left by a killed process does not block: only a live lock
 * does. A second attempt fails at once (it never waits), naming the holder and the way out. Within
 * one JVM a second attempt on a held folder fails likewise.
 *
 * <p>The file is left in place when the lock is released (emptied): deleting it would let two
 * processes lock two different files of the same name. Some network file systems do not support
 * locks; there the attempt fails with a message saying so.
 */
public final class RunLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunLock.class);

  /** The lock file's name inside the run folder. */
  public static final String FILE = ".lock";

  /**
   * Where the lock sits in the file: one byte well past its content, so that on a platform with
   * mandatory locks (Windows) others can still read who holds it.
   */
  private static final long LOCK_POSITION = 1L << 30;

  /** Folders locked by this JVM (a second FileChannel lock in the same JVM would throw). */
  private static final Map<Path, Holder> HELD_HERE = new ConcurrentHashMap<>();

  /**
   * Who holds a run folder.
   *
   * @param pid process id
   * @param host host name
   * @param started when it took the lock (ISO-8601, UTC)
   * @param command what it runs ({@code train}, {@code eval}, {@code replay})
   */
  public record Holder(long pid, String host, String started, String command) {
    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("pid", pid);
      m.put("host", host);
      m.put("started", started);
      m.put("command", command);
      return m;
    }

    static Holder parse(String json) {
      try {
        if (Json.parse(json) instanceof Map<?, ?> m && m.get("pid") instanceof Number pid) {
          return new Holder(
              pid.longValue(),
              String.valueOf(m.get("host")),
              String.valueOf(m.get("started")),
              String.valueOf(m.get("command")));
        }
      } catch (RuntimeException e) {
        // not written yet, or not ours: the caller says the details are unknown
      }
      return null;
    }
  }

  private final Path folder;
  private final FileChannel channel;
  private final FileLock lock;
  private final Holder holder;

  private RunLock(Path folder, FileChannel channel, FileLock lock, Holder holder) {
    this.folder = folder;
    this.channel = channel;
    this.lock = lock;
    this.holder = holder;
  }

  /**
   * Locks a run folder (creating it if needed) for {@code command}, or fails at once.
   *
   * @throws IllegalStateException when another process (or another run in this JVM) holds it,
   *     naming its process id, host, start time and command, and the fix
   * @throws UncheckedIOException naming the folder when it cannot be created or locked
   */
  public static RunLock acquire(Path folder, String command) {
    Path key;
    try {
      Files.createDirectories(folder);
      key = folder.toRealPath();
    } catch (IOException e) {
      throw RunDirectory.cannotCreate(folder, e);
    }
    Holder me =
        new Holder(ProcessHandle.current().pid(), hostName(), Instant.now().toString(), command);
    Holder other = HELD_HERE.putIfAbsent(key, me);
    if (other != null) {
      throw busy(folder, other);
    }
    boolean ok = false;
    try {
      Path file = key.resolve(FILE);
      FileChannel ch =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      try {
        FileLock lock;
        try {
          lock = ch.tryLock(LOCK_POSITION, 1, false);
        } catch (OverlappingFileLockException e) {
          lock = null; // locked in this JVM, though not through this class
        }
        if (lock == null) {
          throw busy(folder, readHolder(file));
        }
        Holder stale = Holder.parse(read(ch));
        if (stale != null) {
          LOG.info(
              "{}: taking over the lock file left by process {} on {} (started {}), which no longer"
                  + " holds it",
              folder,
              stale.pid(),
              stale.host(),
              stale.started());
        }
        ch.truncate(0);
        ch.write(
            ByteBuffer.wrap((Json.write(me.toMap()) + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        ch.force(true);
        ok = true;
        return new RunLock(key, ch, lock, me);
      } finally {
        if (!ok) {
          ch.close();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot lock the run folder "
              + folder
              + " ("
              + FILE
              + "): "
              + e.getMessage()
              + " (a network file system without locks? use a local output_folder)",
          e);
    } finally {
      if (!ok) {
        HELD_HERE.remove(key, me);
      }
    }
  }

  /** Who holds this lock (this process). */
  public Holder holder() {
    return holder;
  }

  /** The locked folder (its real path). */
  public Path folder() {
    return folder;
  }

  /** Releases the lock and empties the lock file. */
  @Override
  public void close() {
    try {
      channel.truncate(0);
    } catch (IOException e) {
      // The lock is released below all the same; a leftover description of a finished run is
      // harmless (it is taken over as a stale one).
    }
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot release the lock of " + folder + ": " + e.getMessage(), e);
    } finally {
      HELD_HERE.remove(folder, holder);
    }
  }

  private static IllegalStateException busy(Path folder, Holder h) {
    String who =
        h == null
            ? "another process (it has not written its details into "
                + folder.resolve(FILE)
                + " yet)"
            : String.format(
                "process %d on host %s%s, running '%s' since %s",
                h.pid(),
                h.host(),
                h.pid() == ProcessHandle.current().pid() && h.host().equals(hostName())
                    ? " (this process)"
                    : "",
                h.command(),
                h.started());
    return new IllegalStateException(
        "the run folder "
            + folder
            + " is in use by "
            + who
            + ". Wait for it to finish, or give this one another --output_folder.");
  }

  /** The holder described in the lock file; retries briefly while it is being written. */
  private static Holder readHolder(Path file) {
    for (int attempt = 0; attempt < 10; attempt++) {
      try {
        Holder h = Holder.parse(Files.readString(file, StandardCharsets.UTF_8));
        if (h != null) {
          return h;
        }
        Thread.sleep(20);
      } catch (IOException e) {
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return null;
  }

  private static String read(FileChannel ch) throws IOException {
    long size = Math.min(ch.size(), 1 << 16);
    ByteBuffer buf = ByteBuffer.allocate((int) size);
    while (buf.hasRemaining() && ch.read(buf, buf.position()) > 0) {
      // read on
    }
    return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
  }

  private static String hostName() {
    return HostName.VALUE;
  }

  /** Looked up once: resolving the local host can be slow where DNS is misconfigured. */
  private static final class HostName {
    static final String VALUE = lookUp();

    private HostName() {}
  }

  private static String lookUp() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env.trim();
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }

  @Override
  public String toString() {
    return "RunLock(" + folder + ", pid " + holder.pid() + ")";
  }
}
