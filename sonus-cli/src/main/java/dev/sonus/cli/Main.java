package dev.sonus.cli;

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
      DataCommand.class,
      ConfigCommand.class,
      QuickstartCommand.class,
      TrainCommand.class,
      EvalCommand.class,
      TranscribeCommand.class,
      EmbedCommand.class,
      VerifyCommand.class,
      ScoreCommand.class,
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

  /** Runs the command line and returns the exit status (0 ok, 1 failure, 2 usage error). */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    addHelpOptions(cl);
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          commandLine.getErr().println("sonus: error: " + describe(ex));
          if (System.getenv("SONUS_DEBUG") != null) {
            ex.printStackTrace(commandLine.getErr());
          }
          commandLine.getErr().flush();
          return 1;
        });
    int status = cl.execute(args);
    out.flush();
    err.flush();
    return status;
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

  private static String describe(Throwable ex) {
    if (ex instanceof UncheckedIOException u && u.getCause() != null) {
      return u.getCause().getMessage();
    }
    String msg = ex.getMessage();
    return msg == null ? ex.getClass().getSimpleName() : msg;
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
    System.exit(execute(args, out, err));
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
