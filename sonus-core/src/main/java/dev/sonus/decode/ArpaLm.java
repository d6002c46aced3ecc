package dev.sonus.decode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A word n-gram language model read from an ARPA file, scored with Katz backoff.
 *
 * <p>Probabilities are log10, as in the file and in KenLM's {@code BaseScore}. Sentences start with
 * {@code <s>} and end with {@code </s>}; words missing from the unigrams are scored as {@code
 * <unk>} (or {@link #UNKNOWN_LOG10} when the file has no {@code <unk>} entry).
 */
public final class ArpaLm {
  /** Sentence start token. */
  public static final String BOS = "<s>";

  /** Sentence end token. */
  public static final String EOS = "</s>";

  /** Unknown-word token. */
  public static final String UNK = "<unk>";

  /**
   * log10 probability used for an unknown word when the model has no {@code <unk>} unigram (KenLM
   * uses -100).
   */
  public static final double UNKNOWN_LOG10 = -100.0;

  private final int order;
  private final Map<String, Double> logProbs;
  private final Map<String, Double> backoffs;
  private final Set<String> words;

  private ArpaLm(
      int order, Map<String, Double> logProbs, Map<String, Double> backoffs, Set<String> words) {
    this.order = order;
    this.logProbs = logProbs;
    this.backoffs = backoffs;
    this.words = Collections.unmodifiableSet(words);
  }

  /** Reads an ARPA file ({@code \data\}, {@code \N-grams:} sections, {@code \end\}). */
  public static ArpaLm read(Path path) {
    try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      return parse(in, path.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read ARPA language model " + path, e);
    }
  }

  private static ArpaLm parse(BufferedReader in, String where) throws IOException {
    Map<String, Double> probs = new HashMap<>();
    Map<String, Double> bows = new HashMap<>();
    Set<String> unigrams = new HashSet<>();
    int order = 0;
    int section = -1; // -1 before \data\, 0 in \data\, n in \n-grams:
    boolean ended = false;
    String line;
    int lineNo = 0;
    while ((line = in.readLine()) != null) {
      lineNo++;
      String s = line.strip();
      if (s.isEmpty()) {
        continue;
      }
      if (s.equals("\\data\\")) {
        section = 0;
      } else if (s.equals("\\end\\")) {
        ended = true;
        break;
      } else if (s.startsWith("\\") && s.endsWith("-grams:")) {
        try {
          section = Integer.parseInt(s.substring(1, s.length() - "-grams:".length()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              where
                  + ":"
                  + lineNo
                  + ": bad section header '"
                  + s
                  + "'; expected \\N-grams: with N a number",
              e);
        }
        order = Math.max(order, section);
      } else if (section == 0) {
        if (s.startsWith("ngram ")) {
          int eq = s.indexOf('=');
          if (eq > 0) {
            order = Math.max(order, Integer.parseInt(s.substring(6, eq).strip()));
          }
        }
      } else if (section > 0) {
        String[] f = s.split("\\s+");
        if (f.length < 1 + section || f.length > 2 + section) {
          throw new IllegalArgumentException(
              String.format(
                  "%s:%d: a %d-gram line has %d fields ('%s'); expected logprob, %d words and an optional backoff",
                  where, lineNo, section, f.length, s, section));
        }
        String key = String.join(" ", java.util.Arrays.copyOfRange(f, 1, 1 + section));
        try {
          probs.put(key, Double.parseDouble(f[0]));
          if (f.length == 2 + section) {
            bows.put(key, Double.parseDouble(f[1 + section]));
          }
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              where + ":" + lineNo + ": bad number in '" + s + "'", e);
        }
        if (section == 1) {
          unigrams.add(f[1]);
        }
      } else {
        throw new IllegalArgumentException(
            where + ":" + lineNo + ": text '" + s + "' before \\data\\; is this an ARPA file?");
      }
    }
    if (!ended || order == 0 || unigrams.isEmpty()) {
      throw new IllegalArgumentException(
          where
              + ": not a complete ARPA file (found order "
              + order
              + ", "
              + unigrams.size()
              + " unigrams, \\end\\ "
              + (ended ? "present" : "missing")
              + ")");
    }
    return new ArpaLm(order, probs, bows, unigrams);
  }

  /** The model's n-gram order (3 for a trigram model). */
  public int order() {
    return order;
  }

  /** The unigram vocabulary, including {@code <s>}, {@code </s>} and {@code <unk>} when present. */
  public Set<String> words() {
    return words;
  }

  /** Whether {@code word} is a unigram of the model. */
  public boolean contains(String word) {
    return words.contains(word);
  }

  /**
   * log10 P(word | context) with backoff; {@code context} is the preceding words, oldest first
   * (start a sentence with {@link #BOS}). Only the last {@code order - 1} words are used.
   */
  public double logProb10(List<String> context, String word) {
    String w = words.contains(word) ? word : UNK;
    int maxN = Math.min(order, context.size() + 1);
    double backoff = 0.0;
    for (int n = maxN; n >= 1; n--) {
      List<String> hist = new ArrayList<>(n);
      for (int i = context.size() - (n - 1); i < context.size(); i++) {
        String c = context.get(i);
        hist.add(words.contains(c) ? c : UNK);
      }
      String histKey = String.join(" ", hist);
      String key = n == 1 ? w : histKey + " " + w;
      Double p = logProbs.get(key);
      if (p != null) {
        return backoff + p;
      }
      if (n > 1) {
        backoff += backoffs.getOrDefault(histKey, 0.0);
      }
    }
    return backoff + UNKNOWN_LOG10;
  }

  /** log10 probability of a whole sentence, {@code <s> words... </s>}. */
  public double sentenceLogProb10(List<String> sentence) {
    List<String> context = new ArrayList<>();
    context.add(BOS);
    double total = 0.0;
    for (String w : sentence) {
      total += logProb10(context, w);
      context.add(w);
    }
    return total + logProb10(context, EOS);
  }

  @Override
  public String toString() {
    return "ArpaLm(order="
        + order
        + ", unigrams="
        + words.size()
        + ", ngrams="
        + logProbs.size()
        + ")";
  }
}
