package dev.sonus.datasets;

import java.nio.file.Path;

/**
 * One manifest a {@link DatasetPreparer} wrote.
 *
 * @param split the split it holds: {@code train}, {@code valid}, {@code test} (FSDD by takes:
 *     {@code trials})
 * @param path the CSV file
 * @param rows utterances in it
 * @param durationSeconds total audio duration of its rows, s
 * @param speakers distinct non-empty {@code spk_id} values; 0 when the corpus names no speakers
 */
public record PreparedManifest(
    String split, Path path, int rows, double durationSeconds, int speakers) {
  /** Total audio duration in hours. */
  public double hours() {
    return durationSeconds / 3600.0;
  }
}
