package dev.sonus.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Splits text into the word or character tokens scored by {@link EditDistance} and {@link
 * ErrorRateStats}.
 *
 * <p>Words are maximal runs of non-whitespace ({@code text.split("\\s+")}, as Python's {@code
 * str.split()}). Characters are Unicode code points of the words, with the word boundaries kept as
 * a token: SpeechBrain's CER ({@code ErrorRateStats(split_tokens=True)}, {@code
 * speechbrain.dataio.dataio.split_word}) joins the words with a space token and splits the result
 * into characters, so a missing or extra space counts as one error. Leading, trailing and repeated
 * whitespace therefore never produce tokens.
 */
public final class TextTokens {
  /** The token that stands for a word boundary in {@link #characters(String)}. */
  public static final String SPACE_TOKEN = "<space>";

  private TextTokens() {}

  /** Returns the whitespace-separated words of {@code text}; empty for blank text. */
  public static List<String> words(String text) {
    Objects.requireNonNull(text, "text");
    String trimmed = text.strip();
    return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("\\s+"));
  }

  /**
   * Returns the characters (code points) of {@code text}, with one {@link #SPACE_TOKEN} between
   * words.
   *
   * <p>Example: {@code "a bc"} gives {@code [a, <space>, b, c]}.
   */
  public static List<String> characters(String text) {
    return characters(text, SPACE_TOKEN);
  }

  /**
   * Returns the characters (code points) of {@code text} with {@code spaceToken} between words, or
   * without any boundary token when {@code spaceToken} is {@code null} (then "ab c" and "a bc"
   * score as identical).
   */
  public static List<String> characters(String text, String spaceToken) {
    List<String> out = new ArrayList<>();
    for (String word : words(text)) {
      if (!out.isEmpty() && spaceToken != null) {
        out.add(spaceToken);
      }
      word.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
    }
    return List.copyOf(out);
  }
}
