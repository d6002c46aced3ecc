package dev.sonus.tokenize;

import dev.sonus.tokenize.SentencePieceTrainer.PieceSpec;
import dev.sonus.tokenize.SentencePieceTrainer.Scored;
import dev.sonus.tokenize.SentencePieceTrainer.Sentence;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;

/**
 * sentencepiece's BPE trainer ({@code bpe_model_trainer.cc}): merges the most frequent pair of
 * adjacent symbols within words until the vocabulary is full. Pair counts are kept exactly and
 * updated in the words a merge touches; the best pair comes from a queue whose stale entries are
 * skipped.
 */
final class BpeTrainer {
  private BpeTrainer() {}

  /** A pair in the queue, with the count it had when queued. */
  private record Candidate(long count, int length, String text, long pair) {}

  /**
   * The pieces: {@code merges} merged symbols, scored minus their rank, then the required
   * characters (most frequent first) after them.
   */
  static List<Scored> train(
      List<Sentence> sentences, Map<Integer, Long> required, PieceSpec spec, int merges) {
    Map<String, Long> counts = new HashMap<>();
    for (Sentence s : sentences) {
      for (String w : SentencePiece.splitIntoWords(s.text(), false, false)) {
        counts.merge(w, s.count(), Long::sum);
      }
    }
    List<Sentence> words = new ArrayList<>();
    counts.forEach((w, n) -> words.add(new Sentence(w, n)));
    words.sort(
        java.util.Comparator.comparing((Sentence s) -> -s.count())
            .thenComparing(Sentence::text, SentencePieceTrainer::compareCodePoints));

    Symbols symbols = new Symbols(spec);
    int[][] seq = new int[words.size()][];
    for (int w = 0; w < words.size(); w++) {
      int[] cps = words.get(w).text().codePoints().toArray();
      seq[w] = new int[cps.length];
      for (int i = 0; i < cps.length; i++) {
        seq[w][i] = symbols.ofChar(cps[i]);
      }
    }
    Map<Long, Long> pairCounts = new HashMap<>();
    Map<Long, Set<Integer>> where = new HashMap<>();
    Set<Long> touched = new LinkedHashSet<>();
    for (int w = 0; w < words.size(); w++) {
      addPairs(seq[w], w, words.get(w).count(), symbols, pairCounts, where, touched);
    }
    PriorityQueue<Candidate> queue =
        new PriorityQueue<>(
            (a, b) -> {
              if (a.count() != b.count()) {
                return Long.compare(b.count(), a.count());
              }
              if (a.length() != b.length()) {
                return Integer.compare(a.length(), b.length());
              }
              int c = SentencePieceTrainer.compareCodePoints(a.text(), b.text());
              return c != 0 ? c : Long.compare(a.pair(), b.pair());
            });
    enqueue(touched, pairCounts, symbols, queue);

    List<Scored> out = new ArrayList<>();
    Set<String> made = new HashSet<>();
    Set<Long> banned = new HashSet<>();
    while (out.size() < merges) {
      Candidate best = queue.poll();
      if (best == null) {
        break; // no pair left to merge
      }
      Long now = pairCounts.get(best.pair());
      if (now == null || now != best.count() || banned.contains(best.pair())) {
        continue; // stale
      }
      if (!made.add(best.text())) {
        // The same piece was made from other symbols ("aa"+"a" and "a"+"aa"): never again.
        banned.add(best.pair());
        continue;
      }
      out.add(new Scored(best.text(), -(float) out.size()));
      int left = (int) (best.pair() >>> 32);
      int right = (int) best.pair();
      int merged = symbols.merged(best.pair());
      touched.clear();
      for (int w : new TreeSet<>(where.getOrDefault(best.pair(), Set.of()))) {
        long n = words.get(w).count();
        removePairs(seq[w], w, n, symbols, pairCounts, where, touched);
        seq[w] = merge(seq[w], left, right, merged);
        addPairs(seq[w], w, n, symbols, pairCounts, where, touched);
      }
      touched.removeAll(banned);
      enqueue(touched, pairCounts, symbols, queue);
    }
    for (Map.Entry<Integer, Long> e : SentencePieceTrainer.sortedByCount(required)) {
      out.add(new Scored(new String(Character.toChars(e.getKey())), -(float) out.size()));
    }
    return out;
  }

  private static void enqueue(
      Set<Long> pairs,
      Map<Long, Long> pairCounts,
      Symbols symbols,
      PriorityQueue<Candidate> queue) {
    for (long p : pairs) {
      Long n = pairCounts.get(p);
      if (n != null && n > 0) {
        int m = symbols.merged(p);
        queue.add(new Candidate(n, symbols.length(m), symbols.text(m), p));
      }
    }
  }

  /** Counts the mergeable adjacent pairs of a word. */
  private static void addPairs(
      int[] s,
      int word,
      long n,
      Symbols symbols,
      Map<Long, Long> pairCounts,
      Map<Long, Set<Integer>> where,
      Set<Long> touched) {
    for (int i = 1; i < s.length; i++) {
      long p = pair(s[i - 1], s[i]);
      if (symbols.merged(p) < 0) {
        continue;
      }
      pairCounts.merge(p, n, Long::sum);
      where.computeIfAbsent(p, k -> new HashSet<>()).add(word);
      touched.add(p);
    }
  }

  /** Uncounts the pairs of a word. */
  private static void removePairs(
      int[] s,
      int word,
      long n,
      Symbols symbols,
      Map<Long, Long> pairCounts,
      Map<Long, Set<Integer>> where,
      Set<Long> touched) {
    for (int i = 1; i < s.length; i++) {
      long p = pair(s[i - 1], s[i]);
      if (symbols.merged(p) < 0) {
        continue;
      }
      long left = pairCounts.merge(p, -n, Long::sum);
      if (left <= 0) {
        pairCounts.remove(p);
      }
      Set<Integer> ws = where.get(p);
      if (ws != null) {
        ws.remove(word);
        if (ws.isEmpty()) {
          where.remove(p);
        }
      }
      touched.add(p);
    }
  }

  /** The word with each occurrence of {@code left right} merged, left to right. */
  private static int[] merge(int[] s, int left, int right, int merged) {
    int[] out = new int[s.length];
    int n = 0;
    for (int i = 0; i < s.length; i++) {
      if (i + 1 < s.length && s[i] == left && s[i + 1] == right) {
        out[n++] = merged;
        i++;
      } else {
        out[n++] = s[i];
      }
    }
    return java.util.Arrays.copyOf(out, n);
  }

  private static long pair(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }

  /** The symbols made so far: characters and merged pieces, each text once. */
  private static final class Symbols {
    private final PieceSpec spec;
    private final List<String> texts = new ArrayList<>();
    private final List<int[]> codePoints = new ArrayList<>();
    private final List<Boolean> unknown = new ArrayList<>();
    private final Map<String, Integer> byText = new HashMap<>();
    private final Map<Long, Integer> merges = new HashMap<>();

    Symbols(PieceSpec spec) {
      this.spec = spec;
    }

    int ofChar(int c) {
      return intern(new int[] {c}, c == SentencePieceTrainer.UNK_CHAR);
    }

    private int intern(int[] cps, boolean unk) {
      String t = new String(cps, 0, cps.length);
      Integer id = byText.get(t);
      if (id != null) {
        return id;
      }
      texts.add(t);
      codePoints.add(cps);
      unknown.add(unk);
      byText.put(t, texts.size() - 1);
      return texts.size() - 1;
    }

    /** The symbol that merging pair {@code p} makes, or -1 when it may not be a piece. */
    int merged(long p) {
      Integer m = merges.get(p);
      if (m != null) {
        return m;
      }
      int l = (int) (p >>> 32);
      int r = (int) p;
      int result = -1;
      if (!unknown.get(l) && !unknown.get(r)) {
        int[] a = codePoints.get(l);
        int[] b = codePoints.get(r);
        int[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        if (spec.valid(c, 0, c.length)) {
          result = intern(c, false);
        }
      }
      merges.put(p, result);
      return result;
    }

    String text(int s) {
      return texts.get(s);
    }

    int length(int s) {
      return codePoints.get(s).length;
    }
  }
}
