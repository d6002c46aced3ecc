package dev.sonus.train;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the loop's progress after every batch: a progress bar on a terminal, periodic log lines
 * otherwise.
 */
@FunctionalInterface
public interface Progress {

  /**
   * Called after each batch.
   *
   * @param done batches done in this stage (including those of a resumed position)
   * @param total batches in this stage
   * @param elapsedSeconds time since the stage started
   * @param loss running mean loss of the stage
   */
  void update(Stage stage, int epoch, int done, int total, double elapsedSeconds, double loss);

  /** Rate in batches per second and the estimated time left, for displays. */
  static String rateAndEta(int done, int total, double elapsedSeconds) {
    double rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
    double eta = rate > 0 ? (total - done) / rate : Double.NaN;
    return String.format(
        Locale.ROOT,
        "%.1f batch/s, ETA %s",
        rate,
        Double.isNaN(eta)
            ? "?"
            : String.format(Locale.ROOT, "%d:%02d", (long) eta / 60, (long) eta % 60));
  }

  /**
   * Log lines (slf4j, INFO) at most every {@code intervalSeconds}, and at the end of each stage.
   */
  static Progress logging(double intervalSeconds) {
    Logger log = LoggerFactory.getLogger(Progress.class);
    double[] last = {Double.NEGATIVE_INFINITY};
    return (stage, epoch, done, total, elapsed, loss) -> {
      if (done == total || elapsed - last[0] >= intervalSeconds) {
        // After a stage ends, the next stage's first update logs at once.
        last[0] = done == total ? Double.NEGATIVE_INFINITY : elapsed;
        log.info(
            String.format(
                Locale.ROOT,
                "epoch %d %s: %d/%d batches, loss %.4g, %s",
                epoch,
                stage.name().toLowerCase(Locale.ROOT),
                done,
                total,
                loss,
                rateAndEta(done, total, elapsed)));
      }
    };
  }
}
