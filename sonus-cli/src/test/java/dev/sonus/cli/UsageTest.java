package dev.sonus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's help and usage errors: well formatted, and usage errors exit with status 2. */
class UsageTest {
  /** Command paths under {@code sonus}, each command once (aliases skipped). */
  private static List<List<String>> commandPaths() {
    List<List<String>> out = new ArrayList<>();
    out.add(List.of());
    walk(new CommandLine(new Main()), new ArrayList<>(), out, new IdentityHashMap<>());
    return out;
  }

  private static void walk(
      CommandLine cl, List<String> path, List<List<String>> out, Map<CommandLine, Boolean> seen) {
    for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
      CommandLine sub = e.getValue();
      if (seen.put(sub, true) != null || !e.getKey().equals(sub.getCommandName())) {
        continue;
      }
      List<String> p = new ArrayList<>(path);
      p.add(e.getKey());
      out.add(p);
      walk(sub, p, out, seen);
    }
  }

  /**
   * Runs the command line with picocli's tracer (which reports a description that cannot be
   * formatted as "[picocli WARN]") writing into the returned text.
   */
  private static String[] runTraced(List<String> args) throws ReflectiveOperationException {
    Field tracerField = CommandLine.class.getDeclaredField("TRACER");
    tracerField.setAccessible(true);
    Object tracer = tracerField.get(null);
    Field streamField = tracer.getClass().getDeclaredField("stream");
    streamField.setAccessible(true);
    PrintStream saved = (PrintStream) streamField.get(tracer);
    ByteArrayOutputStream traced = new ByteArrayOutputStream();
    PrintStream savedErr = System.err;
    try (PrintStream capture = new PrintStream(traced, true, StandardCharsets.UTF_8)) {
      streamField.set(tracer, capture);
      System.setErr(capture);
      MainTest.Result r = MainTest.run(args.toArray(new String[0]));
      capture.flush();
      return new String[] {
        String.valueOf(r.status()), r.out(), r.err(), traced.toString(StandardCharsets.UTF_8)
      };
    } finally {
      streamField.set(tracer, saved);
      System.setErr(savedErr);
    }
  }

  @Test
  void everyCommandsHelpFormatsWithoutPicocliWarnings() throws Exception {
    List<List<String>> paths = commandPaths();
    assertTrue(paths.size() > 15, "found the commands: " + paths);
    for (List<String> path : paths) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      String[] r = runTraced(args);
      String all = r[1] + r[2] + r[3];
      assertEquals("0", r[0], args + ": " + all);
      assertTrue(r[1].contains("Usage: sonus"), args + ": " + all);
      assertFalse(all.contains("[picocli WARN]"), args + ": " + all);
    }
  }

  @Test
  void aBadArgumentToAnyCommandIsAUsageErrorWithoutPicocliWarnings() throws Exception {
    for (List<String> path : commandPaths()) {
      List<String> args = new ArrayList<>(path);
      // help takes a command name, every other command options.
      args.add(path.equals(List.of("help")) ? "no-such-command" : "--no-such-option");
      String[] r = runTraced(args);
      String all = r[1] + r[2] + r[3];
      assertEquals("2", r[0], args + ": " + all);
      assertTrue(r[2].contains("Usage: sonus"), args + " prints its usage: " + all);
      assertFalse(all.contains("[picocli WARN]"), args + ": " + all);
    }
  }
}
