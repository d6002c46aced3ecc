package dev.sonus.cli;

import dev.sonus.data.DataCheck;
import dev.sonus.train.Progress;
import dev.sonus.train.Stage;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on a terminal (stderr); periodic log lines when output is not a terminal.
 */
final class ProgressBar implements Progress {
  private final PrintWriter err;
  private long lastDraw;

  private ProgressBar(PrintWriter err) {
    this.err = err;
  }

  /** A bar when stderr is a terminal, else log lines every 30 s. */
  @SuppressWarnings("SystemConsoleNull") // null is checked and, on JDK 22+, isTerminal() decides
  static Progress forTerminal(PrintWriter err) {
    // System.console() is null when stderr or stdin is redirected (JDK 17); on 22+ it may exist for
    // a pipe too,
    // so ask whether it is a terminal where the JDK can tell.
    java.io.Console console = System.console();
    return console != null && isTerminal(console) ? new ProgressBar(err) : Progress.logging(30);
  }

  /**
   * Progress of a count of rows on stderr: a bar when stderr is a terminal, else a line every 30 s
   * (none for work that ends sooner).
   *
   * @param what what is being done, e.g. "decoding audio"
   */
  @SuppressWarnings("SystemConsoleNull") // as forTerminal
  static DataCheck.Listener counter(PrintWriter err, String what) {
    java.io.Console console = System.console();
    return counter(err, what, console != null && isTerminal(console), 30);
  }

  /** {@link #counter(PrintWriter, String)} with the choice of display made. */
  static DataCheck.Listener counter(
      PrintWriter err, String what, boolean terminal, double intervalSeconds) {
    double[] last = {terminal ? Double.NEGATIVE_INFINITY : 0};
    return (done, total, elapsed) -> {
      boolean end = done == total;
      if (terminal) {
        if (!end && elapsed - last[0] < 0.1) {
          return; // at most 10 redraws per second
        }
        last[0] = elapsed;
        int width = 30;
        int filled = total == 0 ? width : (int) Math.round(width * (double) done / total);
        err.printf(
            Locale.ROOT,
            "\r%s [%s] %d/%d, %s   ",
            what,
            "#".repeat(filled) + ".".repeat(width - filled),
            done,
            total,
            rowsRateAndEta(done, total, elapsed));
        if (end) {
          err.println();
        }
        err.flush();
      } else if (elapsed - last[0] >= intervalSeconds) {
        last[0] = elapsed;
        err.printf(
            Locale.ROOT,
            "sonus: %s: %d/%d rows, %s%n",
            what,
            done,
            total,
            rowsRateAndEta(done, total, elapsed));
        err.flush();
      }
    };
  }

  private static String rowsRateAndEta(int done, int total, double elapsed) {
    double rate = elapsed > 0 ? done / elapsed : 0;
    if (rate <= 0) {
      return "ETA ?";
    }
    long eta = Math.round((total - done) / rate);
    return String.format(Locale.ROOT, "%.1f rows/s, ETA %d:%02d", rate, eta / 60, eta % 60);
  }

  private static boolean isTerminal(java.io.Console console) {
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // before JDK 22 a console exists only on a terminal
    }
  }

  @Override
  public void update(Stage stage, int epoch, int done, int total, double elapsed, double loss) {
    long now = System.nanoTime();
    if (done != total && now - lastDraw < 100_000_000L) {
      return; // at most 10 redraws per second
    }
    lastDraw = now;
    int width = 30;
    int filled = total == 0 ? width : (int) Math.round(width * (double) done / total);
    String bar = "#".repeat(filled) + ".".repeat(width - filled);
    err.printf(
        Locale.ROOT,
        "\repoch %d %-5s [%s] %d/%d loss %.4g, %s   ",
        epoch,
        stage.name().toLowerCase(Locale.ROOT),
        bar,
        done,
        total,
        loss,
        Progress.rateAndEta(done, total, elapsed));
    if (done == total) {
      err.println();
    }
    err.flush();
  }
}
