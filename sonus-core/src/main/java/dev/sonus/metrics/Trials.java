package dev.sonus.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reader of speaker-verification trial lists in the VoxCeleb / SpeechBrain format, one trial per
 * line: {@code label enrol test}, e.g. {@code 1 id10270/x6uYqmx31kE/00001.wav
 * id10270/8jEAjG6SegY/00008.wav}. Label {@code 1} is a same-speaker (target) trial, {@code 0} a
 * different-speaker (non-target) trial.
 *
 * <p>Fields are separated by any run of whitespace (SpeechBrain's recipe splits on single spaces);
 * blank lines are skipped; a UTF-8 byte-order mark is ignored. A line with other than three fields,
 * or a label other than {@code 0}/{@code 1}, is an error naming {@code file:line} and the offending
 * token. SpeechBrain's recipe keys embeddings by the path up to its first '.', see {@link
 * Trial#enrolId()}.
 */
public final class Trials {
  private Trials() {}

  /**
   * One trial.
   *
   * @param target true for a same-speaker trial (label 1)
   * @param enrol the enrolment token as written (an utterance id or relative path)
   * @param test the test token as written
   * @param line the 1-based line number in the list
   */
  public record Trial(boolean target, String enrol, String test, int line) {
    /** Checks that the tokens are present. */
    public Trial {
      Objects.requireNonNull(enrol, "enrol");
      Objects.requireNonNull(test, "test");
    }

    /**
     * The enrolment id as SpeechBrain's recipe derives it: the token up to its first '.' (drops
     * {@code .wav}).
     */
    public String enrolId() {
      return stripAtFirstDot(enrol);
    }

    /** The test id as SpeechBrain's recipe derives it: the token up to its first '.'. */
    public String testId() {
      return stripAtFirstDot(test);
    }

    /** The label as written in the list: 1 for a target trial, 0 otherwise. */
    public int label() {
      return target ? 1 : 0;
    }
  }

  /** Reads a UTF-8 trial list. */
  public static List<Trial> read(Path file) {
    Objects.requireNonNull(file, "file");
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read trial list " + file + ": " + e.getMessage(), e);
    }
    return parse(lines, file.toString());
  }

  /**
   * Parses trial-list lines.
   *
   * @param lines the lines, without terminators
   * @param source name used in error messages (usually the file path)
   */
  public static List<Trial> parse(List<String> lines, String source) {
    Objects.requireNonNull(lines, "lines");
    List<Trial> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String text = lines.get(i);
      if (i == 0 && text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
      String trimmed = text.strip();
      if (trimmed.isEmpty()) {
        continue;
      }
      int lineNo = i + 1;
      String[] f = trimmed.split("\\s+");
      if (f.length != 3) {
        throw new IllegalArgumentException(
            source
                + ":"
                + lineNo
                + ": expected 3 fields 'label enrol test' but found "
                + f.length
                + " in '"
                + trimmed
                + "'"
                + (f.length > 3 ? " (extra token '" + f[3] + "')" : "")
                + "; paths with spaces are not supported, fix the line");
      }
      boolean target;
      switch (f[0]) {
        case "1" -> target = true;
        case "0" -> target = false;
        default ->
            throw new IllegalArgumentException(
                source
                    + ":"
                    + lineNo
                    + ": label '"
                    + f[0]
                    + "' is not 0 or 1; the first field must be 1 (same speaker) or 0 (different speaker)");
      }
      out.add(new Trial(target, f[1], f[2], lineNo));
    }
    return out;
  }

  private static String stripAtFirstDot(String token) {
    int dot = token.indexOf('.');
    return (dot < 0 ? token : token.substring(0, dot)).strip();
  }
}
