package dev.sonus.tokenize;

import dev.sonus.tokenize.SentencePieceTrainer.PieceSpec;
import dev.sonus.tokenize.SentencePieceTrainer.Scored;
import dev.sonus.tokenize.SentencePieceTrainer.Sentence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sentencepiece's unigram trainer ({@code unigram_model_trainer.cc}): seed pieces, then EM with
 * pruning down to the vocabulary size. Scores are float, as there, so that the arithmetic is the
 * same step by step; see {@link SentencePieceTrainer} for where the two differ.
 */
final class UnigramTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(UnigramTrainer.class);

  /** sentencepiece's {@code kUnkPenalty}. */
  private static final float UNK_PENALTY = 10.0f;

  private static final int SEED_PIECES = 1_000_000;
  private static final int SUB_ITERATIONS = 2;
  private static final float SHRINKING_FACTOR = 0.75f;

  /** The piece that unknown nodes count as (see {@link Lattice}). */
  private static final int UNKNOWN_AS = 0;

  /** Pieces expected less often than this in an M step are dropped. */
  private static final float EXPECTED_FREQUENCY_THRESHOLD = 0.5f;

  private final List<Sentence> sentences;
  private final Map<Integer, Long> required;
  private final PieceSpec spec;
  private final int free;
  private final int stop;
  private final List<Sentence> words;

  /**
   * A trainer.
   *
   * @param free pieces to learn (the vocabulary less the special pieces)
   * @param vocabSize the whole vocabulary: EM stops at 1.1 times it, as there
   */
  UnigramTrainer(
      List<Sentence> sentences,
      Map<Integer, Long> required,
      PieceSpec spec,
      int free,
      int vocabSize) {
    this.sentences = sentences;
    this.required = required;
    this.spec = spec;
    this.free = free;
    this.stop = (int) (vocabSize * 1.1);
    this.words = splitIntoWords(sentences);
  }

  /** The learnt pieces with their scores, best first. */
  List<Scored> train() {
    Model model = new Model(seeds());
    LOG.info("{} seed pieces from {} distinct words", model.size(), words.size());
    while (true) {
      for (int iter = 0; iter < SUB_ITERATIONS; iter++) {
        float[] expected = new float[model.size()];
        float objective = eStep(model, expected);
        model = mStep(model, expected);
        LOG.info("EM sub-iteration {}: {} pieces, objective {}", iter, model.size(), objective);
      }
      if (model.size() <= stop) {
        break;
      }
      model = prune(model);
    }
    return finalPieces(model);
  }

  /** The current pieces with a trie over them. */
  private static final class Model {
    final String[] pieces;
    final float[] scores;
    final PieceTrie trie;
    final float minScore;

    Model(List<Scored> list) {
      int n = list.size();
      pieces = new String[n];
      scores = new float[n];
      int[] ids = new int[n];
      float min = Float.MAX_VALUE;
      for (int i = 0; i < n; i++) {
        pieces[i] = list.get(i).piece();
        scores[i] = list.get(i).score();
        ids[i] = i;
        min = Math.min(min, scores[i]);
      }
      minScore = min;
      trie = new PieceTrie(Arrays.asList(pieces), ids);
    }

    int size() {
      return pieces.length;
    }
  }

  /** Words of the sentences with their counts: most frequent first, then in code point order. */
  private static List<Sentence> splitIntoWords(List<Sentence> sentences) {
    Map<String, Long> counts = new HashMap<>();
    for (Sentence s : sentences) {
      for (String w : SentencePiece.splitIntoWords(s.text(), false, false)) {
        counts.merge(w, s.count(), Long::sum);
      }
    }
    List<Sentence> out = new ArrayList<>();
    counts.forEach((w, n) -> out.add(new Sentence(w, n)));
    out.sort(
        Comparator.comparing((Sentence s) -> -s.count())
            .thenComparing(Sentence::text, SentencePieceTrainer::compareCodePoints));
    return out;
  }

  /**
   * The seed pieces at log probability: every character by its count, then the frequent substrings
   * of words by frequency times length, best first.
   */
  private List<Scored> seeds() {
    Map<Integer, Long> chars = new HashMap<>();
    for (Sentence s : sentences) {
      s.text()
          .codePoints()
          .filter(
              c ->
                  c != SentencePieceTrainer.UNK_CHAR
                      && c != 0
                      && c != SentencePieceTrainer.BOUNDARY)
          .forEach(c -> chars.merge(c, s.count(), Long::sum));
    }
    List<Scored> seeds = new ArrayList<>();
    for (Map.Entry<Integer, Long> e : SentencePieceTrainer.sortedByCount(chars)) {
      seeds.add(new Scored(new String(Character.toChars(e.getKey())), (float) e.getValue()));
    }
    List<Map.Entry<String, Long>> substrings = frequentSubstrings();
    substrings.sort(
        Comparator.comparing((Map.Entry<String, Long> e) -> -e.getValue())
            .thenComparing(Map.Entry::getKey, SentencePieceTrainer::compareCodePoints));
    for (int i = 0; i < Math.min(SEED_PIECES, substrings.size()); i++) {
      seeds.add(new Scored(substrings.get(i).getKey(), (float) substrings.get(i).getValue()));
    }
    // sentencepiece's ToLogProb: a float sum, logs in double, stored as float.
    float sum = 0;
    for (Scored s : seeds) {
      sum += s.score();
    }
    float logSum = (float) Math.log(sum);
    List<Scored> out = new ArrayList<>(seeds.size());
    for (Scored s : seeds) {
      out.add(new Scored(s.piece(), (float) (Math.log(s.score()) - logSum)));
    }
    return out;
  }

  /** How often a substring occurs, and whether different characters follow it. */
  private static final class Occurrences {
    long count;
    int follower = -1;
    boolean branching;
  }

  /**
   * The seed substrings of sentencepiece's suffix array: two or more characters that may be a
   * piece, occur at least twice and are followed by different characters (an internal node of the
   * suffix tree; the end of a sentence counts as one character), with their frequency times their
   * length. Substrings of k + 1 characters are counted only when their first and last k characters
   * occurred twice: no other can.
   */
  private List<Map.Entry<String, Long>> frequentSubstrings() {
    List<int[]> cps = new ArrayList<>(sentences.size());
    for (Sentence s : sentences) {
      cps.add(s.text().codePoints().toArray());
    }
    List<Map.Entry<String, Long>> out = new ArrayList<>();
    Set<String> previous = null;
    for (int k = 2; k <= spec.maxLength(); k++) {
      Map<String, Occurrences> counts = new HashMap<>();
      for (int w = 0; w < sentences.size(); w++) {
        int[] c = cps.get(w);
        for (int i = 0; i + k <= c.length; i++) {
          if (previous != null
              && (!previous.contains(new String(c, i, k - 1))
                  || !previous.contains(new String(c, i + 1, k - 1)))) {
            continue;
          }
          if (!spec.valid(c, i, i + k)) {
            continue;
          }
          Occurrences o = counts.computeIfAbsent(new String(c, i, k), key -> new Occurrences());
          o.count += sentences.get(w).count();
          int follower = i + k < c.length ? c[i + k] : 0;
          if (o.follower == -1) {
            o.follower = follower;
          } else if (o.follower != follower) {
            o.branching = true;
          }
        }
      }
      Set<String> frequent = new HashSet<>();
      for (Map.Entry<String, Occurrences> e : counts.entrySet()) {
        if (e.getValue().count >= 2) {
          frequent.add(e.getKey());
          if (e.getValue().branching) {
            out.add(Map.entry(e.getKey(), e.getValue().count * k));
          }
        }
      }
      if (frequent.isEmpty()) {
        break;
      }
      previous = frequent;
    }
    return out;
  }

  /**
   * sentencepiece's {@code Lattice} over one text: a node per piece occurrence (and an unknown node
   * where no one-character piece starts), with a begin-of-sentence node first and an
   * end-of-sentence node last.
   */
  private static final class Lattice {
    final int length;
    int count;
    int[] begin = new int[16];
    int[] end = new int[16];
    int[] id = new int[16];
    float[] score = new float[16];
    int[][] beginNodes;
    int[][] endNodes;
    final int eos;

    Lattice(String text, Model model) {
      length = text.length();
      add(0, 0, -1, 0); // begin of sentence
      float unkScore = model.minScore - UNK_PENALTY;
      for (int pos = 0; pos < length; ) {
        int st = pos;
        int charLength = Character.charCount(text.codePointAt(pos));
        boolean[] single = {false};
        model.trie.prefixes(
            text,
            pos,
            length,
            (len, piece) -> {
              add(st, st + len, piece, model.scores[piece]);
              if (len == charLength) {
                single[0] = true;
              }
            });
        if (!single[0]) {
          // sentencepiece's trainer model leaves its unknown id at 0, so that what an unknown
          // node gets in the E step and in pruning goes to the first piece (the most frequent
          // character, usually U+2581); kept, as it shapes the vocabulary sentencepiece learns.
          add(pos, pos + charLength, UNKNOWN_AS, unkScore);
        }
        pos += charLength;
      }
      eos = count;
      add(length, length, -1, 0);
      // Node lists by position, in insertion order (which decides ties, as there).
      int[] nb = new int[length + 1];
      int[] ne = new int[length + 1];
      for (int i = 1; i < count; i++) {
        nb[begin[i]]++;
      }
      for (int i = 0; i < count; i++) {
        if (i != eos) {
          ne[end[i]]++;
        }
      }
      beginNodes = new int[length + 1][];
      endNodes = new int[length + 1][];
      for (int p = 0; p <= length; p++) {
        beginNodes[p] = new int[nb[p]];
        endNodes[p] = new int[ne[p]];
        nb[p] = 0;
        ne[p] = 0;
      }
      for (int i = 1; i < count; i++) {
        beginNodes[begin[i]][nb[begin[i]]++] = i;
      }
      for (int i = 0; i < count; i++) {
        if (i != eos) {
          endNodes[end[i]][ne[end[i]]++] = i;
        }
      }
    }

    private void add(int from, int to, int piece, float s) {
      if (count == begin.length) {
        int n = count * 2;
        begin = Arrays.copyOf(begin, n);
        end = Arrays.copyOf(end, n);
        id = Arrays.copyOf(id, n);
        score = Arrays.copyOf(score, n);
      }
      begin[count] = from;
      end[count] = to;
      id[count] = piece;
      score[count] = s;
      count++;
    }

    /** log(exp(x) + exp(y)), sentencepiece's {@code LogSumExp}. */
    private static float logSumExp(float x, float y, boolean first) {
      if (first) {
        return y;
      }
      float min = Math.min(x, y);
      float max = Math.max(x, y);
      if (max > min + 50) {
        return max;
      }
      return (float) (max + Math.log(Math.exp((double) (min - max)) + 1.0));
    }

    /**
     * Adds {@code count * P(node)} to {@code expected} per piece; returns {@code count * log Z}.
     */
    float marginals(float count, float[] expected) {
      float[] alpha = new float[this.count];
      float[] beta = new float[this.count];
      for (int pos = 0; pos <= length; pos++) {
        for (int r : beginNodes[pos]) {
          int[] ls = endNodes[pos];
          for (int k = 0; k < ls.length; k++) {
            alpha[r] = logSumExp(alpha[r], score[ls[k]] + alpha[ls[k]], k == 0);
          }
        }
      }
      for (int pos = length; pos >= 0; pos--) {
        for (int l : endNodes[pos]) {
          int[] rs = beginNodes[pos];
          for (int k = 0; k < rs.length; k++) {
            beta[l] = logSumExp(beta[l], score[rs[k]] + beta[rs[k]], k == 0);
          }
        }
      }
      float z = alpha[eos];
      for (int pos = 0; pos < length; pos++) {
        for (int node : beginNodes[pos]) {
          if (id[node] >= 0) {
            // float += double, in double as there
            expected[id[node]] =
                (float)
                    (expected[id[node]]
                        + count * Math.exp((double) (alpha[node] + score[node] + beta[node] - z)));
          }
        }
      }
      return count * z;
    }

    /**
     * The best path's nodes (without the sentence ends), or null when {@code excluded} (a node, or
     * -1) cuts every path.
     */
    int[] viterbi(int excluded) {
      float[] best = new float[count];
      int[] prev = new int[count];
      Arrays.fill(prev, -2);
      prev[0] = -1;
      for (int pos = 0; pos <= length; pos++) {
        for (int r : beginNodes[pos]) {
          if (r == excluded) {
            continue;
          }
          int bestNode = -2;
          float bestScore = 0;
          for (int l : endNodes[pos]) {
            if (prev[l] == -2) {
              continue; // unreachable
            }
            float s = best[l] + score[r];
            if (bestNode == -2 || s > bestScore) {
              bestNode = l;
              bestScore = s;
            }
          }
          if (bestNode != -2) {
            prev[r] = bestNode;
            best[r] = bestScore;
          }
        }
      }
      if (prev[eos] == -2) {
        return null;
      }
      int n = 0;
      for (int node = prev[eos]; node > 0; node = prev[node]) {
        n++;
      }
      int[] path = new int[n];
      for (int node = prev[eos]; node > 0; node = prev[node]) {
        path[--n] = node;
      }
      return path;
    }
  }

  /** The E step: expected piece counts over all words; returns the objective. */
  private float eStep(Model model, float[] expected) {
    long all = 0;
    for (Sentence w : words) {
      all += w.count();
    }
    float objective = 0;
    for (Sentence w : words) {
      Lattice lattice = new Lattice(w.text(), model);
      float z = lattice.marginals((float) w.count(), expected);
      if (Float.isNaN(z)) {
        throw new IllegalStateException(
            "the likelihood of '" + w.text() + "' is NaN; the word may be too long");
      }
      objective -= z / (float) all;
    }
    return objective;
  }

  /** The M step with sentencepiece's digamma prior; drops pieces expected less than 0.5 times. */
  private static Model mStep(Model model, float[] expected) {
    List<Scored> kept = new ArrayList<>();
    float sum = 0;
    for (int i = 0; i < expected.length; i++) {
      if (expected[i] < EXPECTED_FREQUENCY_THRESHOLD) {
        continue;
      }
      kept.add(new Scored(model.pieces[i], expected[i]));
      sum += expected[i];
    }
    if (kept.isEmpty()) {
      throw new IllegalStateException("every piece was expected less than 0.5 times");
    }
    float logSum = (float) digamma(sum);
    List<Scored> out = new ArrayList<>(kept.size());
    for (Scored s : kept) {
      out.add(new Scored(s.piece(), (float) (digamma(s.score()) - logSum)));
    }
    return new Model(out);
  }

  /** sentencepiece's digamma approximation. */
  static double digamma(double x) {
    double result = 0;
    for (; x < 7; ++x) {
      result -= 1 / x;
    }
    x -= 1.0 / 2.0;
    double xx = 1.0 / x;
    double xx2 = xx * xx;
    double xx4 = xx2 * xx2;
    result +=
        Math.log(x)
            + (1.0 / 24.0) * xx2
            - (7.0 / 960.0) * xx4
            + (31.0 / 8064.0) * xx4 * xx2
            - (127.0 / 30720.0) * xx4 * xx4;
    return result;
  }

  /** A piece that may be pruned, and what removing it would cost. */
  private record Candidate(int index, float loss) {}

  /**
   * sentencepiece's {@code PruneSentencePieces}: keeps the pieces whose removal would cost the
   * likelihood most, {@code max(stop, 0.75 × size)} of them.
   */
  private Model prune(Model model) {
    int n = model.size();
    boolean[] keep = new boolean[n];
    int[][] alternatives = new int[n][];
    for (int i = 0; i < n; i++) {
      String piece = model.pieces[i];
      keep[i] = true;
      if (piece.codePointCount(0, piece.length()) == 1) {
        continue; // a single character has no other segmentation
      }
      Lattice lattice = new Lattice(piece, model);
      int[] best = lattice.viterbi(-1);
      if (best.length >= 2) {
        keep[i] = false; // its own Viterbi path splits it: safe to remove
        continue;
      }
      int[] second = lattice.viterbi(best[0]);
      if (second == null) {
        continue;
      }
      int[] ids = new int[second.length];
      for (int k = 0; k < second.length; k++) {
        ids[k] = lattice.id[second[k]];
      }
      alternatives[i] = ids;
    }
    float[] freq = new float[n];
    List<List<Integer>> inverted = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      inverted.add(new ArrayList<>());
    }
    float vsum = 0;
    for (int w = 0; w < words.size(); w++) {
      Sentence word = words.get(w);
      Lattice lattice = new Lattice(word.text(), model);
      vsum += (float) word.count();
      for (int node : lattice.viterbi(-1)) {
        int id = lattice.id[node];
        if (id >= 0) {
          freq[id] += (float) word.count();
          inverted.get(id).add(w);
        }
      }
    }
    double total = 0;
    for (float f : freq) {
      total += f;
    }
    float sum = (float) total;
    float logSum = (float) Math.log(sum);
    List<Scored> out = new ArrayList<>();
    List<Candidate> candidates = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (freq[i] == 0 || !keep[i]) {
        continue;
      }
      if (alternatives[i] == null) {
        out.add(new Scored(model.pieces[i], model.scores[i]));
        continue;
      }
      float f = 0;
      for (int w : inverted.get(i)) {
        f += (float) words.get(w).count();
      }
      f /= vsum;
      float logProb = (float) (Math.log(freq[i]) - logSum);
      float logSumAlt = (float) Math.log(sum + freq[i] * (alternatives[i].length - 1));
      float logProbAlt = 0;
      for (int a : alternatives[i]) {
        logProbAlt = (float) (logProbAlt + (Math.log(freq[a] + freq[i]) - logSumAlt));
      }
      candidates.add(new Candidate(i, f * (logProb - logProbAlt)));
    }
    int size = Math.max(stop, (int) (SHRINKING_FACTOR * n));
    candidates.sort(
        Comparator.comparing((Candidate c) -> -c.loss()).thenComparing(Candidate::index));
    for (Candidate c : candidates) {
      if (out.size() >= size) {
        break;
      }
      out.add(new Scored(model.pieces[c.index()], model.scores[c.index()]));
    }
    LOG.info("pruned {} pieces to {}", n, out.size());
    return new Model(out);
  }

  /** sentencepiece's {@code FinalizeSentencePieces}: every kept character, then the best pieces. */
  private List<Scored> finalPieces(Model model) {
    Map<String, Float> current = new HashMap<>();
    for (int i = 0; i < model.size(); i++) {
      current.put(model.pieces[i], model.scores[i]);
    }
    Map<String, Float> chosen = new LinkedHashMap<>();
    float penalty = 0;
    for (Map.Entry<Integer, Long> e : SentencePieceTrainer.sortedByCount(required)) {
      String c = new String(Character.toChars(e.getKey()));
      Float s = current.get(c);
      if (s != null) {
        chosen.put(c, s);
      } else {
        // Frequent characters get the smaller penalty, so that no two score the same.
        chosen.put(c, model.minScore + penalty);
        penalty += 0.0001f;
      }
    }
    List<Scored> ranked = new ArrayList<>();
    for (int i = 0; i < model.size(); i++) {
      ranked.add(new Scored(model.pieces[i], model.scores[i]));
    }
    ranked.sort(byScore());
    for (Scored s : ranked) {
      if (chosen.containsKey(s.piece())) {
        continue;
      }
      if (chosen.size() >= free) {
        break;
      }
      chosen.put(s.piece(), s.score());
    }
    List<Scored> out = new ArrayList<>();
    chosen.forEach((p, s) -> out.add(new Scored(p, s)));
    out.sort(byScore());
    return out;
  }

  /** Highest score first; of equal scores, code point order. */
  static Comparator<Scored> byScore() {
    return Comparator.comparing((Scored s) -> -s.score())
        .thenComparing(Scored::piece, SentencePieceTrainer::compareCodePoints);
  }
}
