package dev.sonus.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Speaker turns in NIST's RTTM format: one {@code SPEAKER <file> <channel> <start> <duration> <NA>
 * <NA> <speaker> <NA> <NA>} line per turn, times in seconds. Other line types ({@code SPKR-INFO},
 * {@code NON-SPEECH}, ...) and {@code ;;} comments are skipped; blank lines too.
 *
 * <p>Reading is strict, since a turn read wrongly changes every error rate computed from it: a
 * SPEAKER line with too few fields, a time that is not a finite number, a negative start or
 * duration, or two overlapping turns of one speaker in one file is refused with the file and line.
 */
public final class Rttm {
  private Rttm() {}

  /**
   * One speaker turn.
   *
   * @param file the recording's name (RTTM's file field)
   * @param channel the channel field
   * @param start start, seconds
   * @param duration duration, seconds
   * @param speaker the speaker label
   * @param line the line it was read from (1-based), or 0 when made in code
   */
  public record Turn(
      String file, String channel, double start, double duration, String speaker, int line) {
    /** Validates. */
    public Turn {
      if (file == null || file.isBlank() || speaker == null || speaker.isBlank()) {
        throw new IllegalArgumentException("a turn needs a file name and a speaker label");
      }
      if (!Double.isFinite(start) || !Double.isFinite(duration) || start < 0 || duration < 0) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "turn of %s in %s: start %s and duration %s must be finite and not negative",
                speaker,
                file,
                start,
                duration));
      }
    }

    /** A turn made in code, on channel 1. */
    public static Turn of(String file, double start, double end, String speaker) {
      return new Turn(file, "1", start, end - start, speaker, 0);
    }

    /** The end, seconds. */
    public double end() {
      return start + duration;
    }
  }

  /** Reads the SPEAKER turns of {@code path}, in file order. */
  public static List<Turn> read(Path path) {
    List<String> lines;
    try {
      lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    } catch (java.nio.file.NoSuchFileException e) {
      // without the cause: its text would only repeat the path
      throw new IllegalArgumentException("RTTM file " + path + " does not exist");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read RTTM file " + path + ": " + e.getMessage(), e);
    }
    return parse(lines, path.toString());
  }

  /** Parses RTTM text; {@code source} names it in errors. */
  public static List<Turn> parse(List<String> lines, String source) {
    List<Turn> turns = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String text = lines.get(i).strip();
      if (text.isEmpty() || text.startsWith(";;")) {
        continue;
      }
      String[] f = text.split("\\s+");
      if (!f[0].equals("SPEAKER")) {
        continue;
      }
      String where = source + ":" + (i + 1);
      if (f.length < 8) {
        throw new IllegalArgumentException(
            where
                + ": a SPEAKER line has at least 8 fields (SPEAKER file channel start duration"
                + " <NA> <NA> speaker ...); this one has "
                + f.length
                + ": '"
                + text
                + "'");
      }
      double start = number(f[3], "start", where);
      double duration = number(f[4], "duration", where);
      if (start < 0 || duration < 0) {
        throw new IllegalArgumentException(
            where
                + ": "
                + (start < 0 ? "start " + f[3] : "duration " + f[4])
                + " is negative; RTTM times are seconds from the start of the recording");
      }
      turns.add(new Turn(f[1], f[2], start, duration, f[7], i + 1));
    }
    checkNoSelfOverlap(turns, source);
    return turns;
  }

  /** Writes {@code turns} as RTTM (times to the millisecond), atomically. */
  public static void write(Path path, List<Turn> turns) {
    StringBuilder sb = new StringBuilder();
    for (Turn t : turns) {
      sb.append(
          String.format(
              Locale.ROOT,
              "SPEAKER %s %s %.3f %.3f <NA> <NA> %s <NA> <NA>%n",
              t.file(),
              t.channel(),
              t.start(),
              t.duration(),
              t.speaker()));
    }
    dev.sonus.tensor.AtomicFiles.writeString(path, sb.toString());
  }

  /** The turns grouped by file, files in first-seen order. */
  public static Map<String, List<Turn>> byFile(List<Turn> turns) {
    Map<String, List<Turn>> out = new LinkedHashMap<>();
    for (Turn t : turns) {
      out.computeIfAbsent(t.file(), k -> new ArrayList<>()).add(t);
    }
    return out;
  }

  private static double number(String field, String name, String where) {
    double v;
    try {
      v = Double.parseDouble(field);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          where + ": " + name + " '" + field + "' is not a number of seconds", e);
    }
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException(
          where + ": " + name + " '" + field + "' is not a finite number of seconds");
    }
    return v;
  }

  /** Two turns of one speaker in one file that overlap are refused, naming both lines. */
  private static void checkNoSelfOverlap(List<Turn> turns, String source) {
    Map<String, List<Turn>> bySpeaker = new HashMap<>();
    for (Turn t : turns) {
      bySpeaker.computeIfAbsent(t.file() + "\u0000" + t.speaker(), k -> new ArrayList<>()).add(t);
    }
    for (List<Turn> own : bySpeaker.values()) {
      own.sort(Comparator.comparingDouble(Turn::start).thenComparingInt(Turn::line));
      for (int i = 1; i < own.size(); i++) {
        Turn a = own.get(i - 1);
        Turn b = own.get(i);
        if (b.start() < a.end() - 1e-9) {
          throw new IllegalArgumentException(
              String.format(
                  Locale.ROOT,
                  "%s:%d: speaker %s's turn at %.3f s overlaps their turn on line %d (%.3f to %.3f"
                      + " s) in %s; one speaker speaks once at a time: merge the two turns",
                  source,
                  b.line(),
                  b.speaker(),
                  b.start(),
                  a.line(),
                  a.start(),
                  a.end(),
                  b.file()));
        }
      }
    }
  }
}
