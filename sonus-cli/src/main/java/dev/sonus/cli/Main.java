package dev.sonus.cli;

import dev.sonus.train.StopSignal;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code sonus} command: parses arguments, calls the core library, prints results. */
@Command(
    name = "sonus",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Speech toolkit for the JVM: train, evaluate and run speech models.",
    subcommands = {
      EnvCommand.class,
      FeaturesCommand.class,
      AugmentCommand.class,
      TokenizeCommand.class,
      DataCommand.class,
      ConfigCommand.class,
      QuickstartCommand.class,
      TrainCommand.class,
      EvalCommand.class,
      TranscribeCommand.class,
      EmbedCommand.class,
      VerifyCommand.class,
      ScoreCommand.class,
      DerCommand.class,
      VadCommand.class,
      ReplayCommand.class,
      CompareCommand.class,
      LrPlotCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "libtorch intra-op and OpenBLAS threads " + "(default: the number of cores)",
      scope = CommandLine.ScopeType.INHERIT)
  void setThreads(int threads) {
    if (threads < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--threads is " + threads + "; it must be at least 1");
    }
    dev.sonus.tensor.Threads.setIntraOp(threads);
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * Runs the command line and returns the exit status (0 ok, 1 failure, 2 usage error, 130 a run
   * stopped on request).
   */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    addHelpOptions(cl);
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          if (ex instanceof StopSignal.Stopped) {
            // asked for, not a failure: where it stopped and how to go on
            commandLine.getErr().println("sonus: " + ex.getMessage());
            commandLine.getErr().flush();
            return 130;
          }
          commandLine.getErr().println("sonus: error: " + describe(ex));
          if (System.getenv("SONUS_DEBUG") != null) {
            ex.printStackTrace(commandLine.getErr());
          }
          commandLine.getErr().flush();
          return 1;
        });
    // A stopped run's message is printed before the JVM's exit goes on (see StopSignal).
    try (StopSignal.Scope command = StopSignal.open()) {
      int status = cl.execute(args);
      out.flush();
      err.flush();
      return status;
    }
  }

  /** Gives every command that has no help option of its own {@code -h, --help}. */
  private static void addHelpOptions(CommandLine cl) {
    CommandLine.Model.CommandSpec spec = cl.getCommandSpec();
    if (spec.options().stream().noneMatch(CommandLine.Model.OptionSpec::usageHelp)) {
      spec.addOption(
          CommandLine.Model.OptionSpec.builder("-h", "--help")
              .usageHelp(true)
              .description("Show this help message and exit.")
              .build());
    }
    for (CommandLine sub : cl.getSubcommands().values()) {
      addHelpOptions(sub);
    }
  }

  /**
   * The message printed for a failure: the outermost message (which names the file or key), then
   * each cause that adds something, with system messages made readable ({@code "no such file:
   * PATH"} for a bare path, the encoding for "Input length = 1"). An exception type that does not
   * explain itself ({@code NegativeArraySizeException: -1610612656}) keeps its name.
   */
  static String describe(Throwable ex) {
    StringBuilder sb = new StringBuilder();
    java.util.Set<Throwable> seen =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (Throwable t = ex; t != null && seen.add(t); t = t.getCause()) {
      String text = ownText(t);
      if (text == null || (sb.length() > 0 && saysAlready(sb.toString(), t, text))) {
        continue;
      }
      Throwable cause = t.getCause();
      if (cause != null && cause.getMessage() != null && !cause.getMessage().isEmpty()) {
        // The outer message often repeats the cause's raw text; put the readable form there.
        String raw = cause.getMessage();
        String readable = ownText(cause);
        int at = text.lastIndexOf(raw);
        if (readable != null && at >= 0 && !readable.equals(raw)) {
          text = text.substring(0, at) + readable + text.substring(at + raw.length());
        }
      }
      if (sb.length() == 0) {
        sb.append(text);
      } else if (!sb.toString().contains(text)) {
        sb.append(": ").append(text);
      }
    }
    if (sb.length() == 0) {
      sb.append(ex.getClass().getSimpleName());
    }
    if (sb.indexOf("cannot be converted to type float without overflow") >= 0) {
      sb.append(
          " (a recipe value, such as a learning rate or a weight, is beyond the float32 range"
              + " of +-3.4e38 that tensors hold; check the recipe and its overrides)");
    }
    if (!explains(ex)) {
      sb.append(" (an internal error; run with SONUS_DEBUG=1 to see the stack trace)");
    }
    return sb.toString();
  }

  /**
   * Whether {@code said} already holds what {@code t} (whose own text is {@code text}) adds: the
   * text itself, or for a file system error its file and its reason ("no such file").
   */
  private static boolean saysAlready(String said, Throwable t, String text) {
    if (said.contains(text)) {
      return true;
    }
    if (t instanceof java.nio.file.FileSystemException f && f.getFile() != null) {
      String reason = text.replace(f.getFile(), "").replace(": ", " ").strip();
      return said.contains(f.getFile()) && !reason.isEmpty() && said.contains(reason);
    }
    return false;
  }

  /**
   * What one throwable says by itself, or null for a wrapper that only repeats its cause (as {@code
   * new UncheckedIOException(e)} does).
   */
  private static String ownText(Throwable t) {
    if (t instanceof java.nio.file.NoSuchFileException f) {
      return "no such file: " + fileAndOther(f);
    }
    if (t instanceof java.nio.file.AccessDeniedException f) {
      return "permission denied: " + fileAndOther(f);
    }
    if (t instanceof java.nio.file.FileAlreadyExistsException f) {
      return fileAndOther(f) + ": already exists";
    }
    if (t instanceof java.nio.file.NotDirectoryException f) {
      return fileAndOther(f) + ": not a directory";
    }
    if (t instanceof java.nio.file.DirectoryNotEmptyException f) {
      return fileAndOther(f) + ": the directory is not empty";
    }
    if (t instanceof java.nio.charset.MalformedInputException
        || t instanceof java.nio.charset.UnmappableCharacterException) {
      return "the bytes are not text in the expected encoding (UTF-8): " + t.getMessage();
    }
    String message = t.getMessage();
    Throwable cause = t.getCause();
    if (message == null || message.isBlank()) {
      return cause == null ? t.getClass().getSimpleName() : null;
    }
    if (cause != null && message.equals(cause.toString())) {
      return null;
    }
    if ((t instanceof java.util.concurrent.ExecutionException
            || t instanceof java.util.concurrent.CompletionException
            || t instanceof java.lang.reflect.InvocationTargetException)
        && cause != null) {
      return null;
    }
    // libtorch's messages go on with a C++ backtrace ("Exception raised from ...").
    // Sonus's own messages may span lines (a list of differences) and are kept whole.
    int cut = message.indexOf("\nException raised from");
    if (cut < 0 && t.getClass() == RuntimeException.class) {
      cut = message.indexOf('\n');
    }
    String first = cut > 0 ? message.substring(0, cut).strip() : message.strip();
    return speaks(t) && !first.matches("[-+]?[0-9][0-9.eE+-]*")
        ? first
        : t.getClass().getSimpleName() + ": " + first;
  }

  private static String fileAndOther(java.nio.file.FileSystemException f) {
    String s = f.getFile() == null ? "" : f.getFile();
    return f.getOtherFile() == null ? s : s + " -> " + f.getOtherFile();
  }

  /** Whether an exception type carries a message written for the user. */
  private static boolean speaks(Throwable t) {
    return t instanceof IllegalArgumentException
        || t instanceof IllegalStateException
        || t instanceof UnsupportedOperationException
        || t instanceof UncheckedIOException
        || t instanceof java.io.IOException
        || t instanceof dev.sonus.config.ConfigException
        || t instanceof CommandLine.PicocliException
        || t.getClass() == RuntimeException.class; // libtorch's errors, as Bytedeco throws them
  }

  /** Whether the chain holds a message written for the user, so no stack trace is needed. */
  private static boolean explains(Throwable ex) {
    java.util.Set<Throwable> seen =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (Throwable t = ex; t != null && seen.add(t); t = t.getCause()) {
      if (speaks(t) && t.getMessage() != null && !t.getMessage().isBlank()) {
        return true;
      }
    }
    return false;
  }

  private static java.nio.charset.Charset charset(String property) {
    String name = System.getProperty(property);
    try {
      return name != null
          ? java.nio.charset.Charset.forName(name)
          : java.nio.charset.Charset.defaultCharset();
    } catch (IllegalArgumentException e) {
      return java.nio.charset.Charset.defaultCharset();
    }
  }

  /** Entry point. */
  public static void main(String[] args) {
    // The terminal's encoding (stdout.encoding, Java 17+), so that non-ASCII transcripts print as
    // the user's
    // terminal expects.
    PrintWriter out =
        new PrintWriter(
            new java.io.OutputStreamWriter(System.out, charset("stdout.encoding")), true);
    PrintWriter err =
        new PrintWriter(
            new java.io.OutputStreamWriter(System.err, charset("stderr.encoding")), true);
    if (needsNatives(args)) {
      // Before any command touches libtorch: several JVMs started at once on an empty JavaCPP cache
      // (sonus train --nproc N) must not load half-unpacked libraries (see Natives).
      dev.sonus.tensor.Natives.load();
    }
    System.exit(execute(args, out, err));
  }

  /**
   * False for a bare {@code sonus}, {@code --help} and {@code --version}, which print text only.
   */
  static boolean needsNatives(String[] args) {
    if (args.length == 0) {
      return false;
    }
    for (String a : args) {
      if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
        return false;
      }
    }
    return true;
  }

  /** Prints the Sonus version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      java.util.Properties p = new java.util.Properties();
      try (var in = Main.class.getResourceAsStream("/dev/sonus/version.properties")) {
        if (in != null) {
          p.load(in);
        }
      } catch (java.io.IOException e) {
        // unknown version
      }
      return new String[] {"sonus " + p.getProperty("version", "unknown")};
    }
  }
}
