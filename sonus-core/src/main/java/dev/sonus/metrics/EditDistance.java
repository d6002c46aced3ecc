package dev.sonus.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Levenshtein alignment of a reference token sequence against a hypothesis, with the counts of each
 * edit operation.
 *
 * <p>Matches {@code speechbrain.utils.edit_distance.op_table}, {@code alignment} and {@code
 * count_ops} (v1.0.0): every operation costs 1 except a match, which costs 0, and tokens are
 * compared with {@link String#equals}.
 *
 * <p><b>Tie-breaking.</b> Several alignments can have the same minimum cost. Like SpeechBrain,
 * which copies Kaldi's {@code compute-wer}, each cell {@code (i, j)} of the dynamic-programming
 * table keeps one operation: the diagonal step (match or substitution) only if it is strictly
 * cheaper than both the insertion and the deletion, else the deletion if it is strictly cheaper
 * than the insertion, else the insertion. The alignment is then read backwards from the last cell,
 * so ties are settled from the end of the sentences: ref {@code [a]} vs hyp {@code [a, a]} aligns
 * as {@code = I}, and ref {@code [a, b]} vs hyp {@code [b, a]} as {@code D = I} (not {@code S S}).
 * The counts, and thus the insertion/deletion/substitution split reported by {@link
 * ErrorRateStats}, are those of this one path, as in SpeechBrain.
 *
 * <p>Time and memory are {@code O(|ref| * |hyp|)}, one byte per table cell.
 */
public final class EditDistance {
  private final List<AlignedPair> alignment;
  private final int correct;
  private final int substitutions;
  private final int insertions;
  private final int deletions;

  private EditDistance(List<AlignedPair> alignment) {
    this.alignment = Collections.unmodifiableList(alignment);
    int c = 0, s = 0, ins = 0, del = 0;
    for (AlignedPair p : alignment) {
      switch (p.op()) {
        case CORRECT -> c++;
        case SUBSTITUTION -> s++;
        case INSERTION -> ins++;
        case DELETION -> del++;
      }
    }
    this.correct = c;
    this.substitutions = s;
    this.insertions = ins;
    this.deletions = del;
  }

  /**
   * Aligns {@code ref} against {@code hyp}; either may be empty (an empty reference gives only
   * insertions, an empty hypothesis only deletions).
   *
   * @throws IllegalArgumentException if a list holds a {@code null} token, or the table would
   *     exceed 2^31 cells
   */
  public static EditDistance align(List<String> ref, List<String> hyp) {
    String[] a = tokens(ref, "ref");
    String[] b = tokens(hyp, "hyp");
    int cols = b.length + 1;
    long cells = (long) (a.length + 1) * cols;
    if (cells > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          String.format(
              "ref has %d tokens and hyp %d: the %d-cell alignment table is too large. "
                  + "Score shorter segments (e.g. per utterance rather than a whole file).",
              a.length, b.length, cells));
    }
    // ops[i * cols + j] is the last operation on a cheapest path from a[:i] to b[:j].
    byte[] ops = new byte[(int) cells];
    int[] prev = new int[cols];
    int[] curr = new int[cols];
    for (int j = 0; j < cols; j++) {
      prev[j] = j;
      ops[j] = (byte) EditOp.INSERTION.ordinal();
    }
    ops[0] = (byte) EditOp.CORRECT.ordinal();
    for (int i = 1; i <= a.length; i++) {
      curr[0] = i;
      ops[i * cols] = (byte) EditOp.DELETION.ordinal();
      for (int j = 1; j < cols; j++) {
        int insertion = curr[j - 1] + 1;
        int deletion = prev[j] + 1;
        boolean same = a[i - 1].equals(b[j - 1]);
        int diagonal = prev[j - 1] + (same ? 0 : 1);
        EditOp op;
        // Kaldi's comparison order: on equal cost prefer insertion, then deletion, then the
        // diagonal step.
        if (diagonal < insertion && diagonal < deletion) {
          curr[j] = diagonal;
          op = same ? EditOp.CORRECT : EditOp.SUBSTITUTION;
        } else if (deletion < insertion) {
          curr[j] = deletion;
          op = EditOp.DELETION;
        } else {
          curr[j] = insertion;
          op = EditOp.INSERTION;
        }
        ops[i * cols + j] = (byte) op.ordinal();
      }
      int[] t = prev;
      prev = curr;
      curr = t;
    }
    EditOp[] values = EditOp.values();
    List<AlignedPair> path = new ArrayList<>(a.length + b.length);
    int i = a.length;
    int j = b.length;
    while (i > 0 || j > 0) {
      EditOp op = values[ops[i * cols + j]];
      switch (op) {
        case INSERTION -> path.add(new AlignedPair(op, null, b[--j]));
        case DELETION -> path.add(new AlignedPair(op, a[--i], null));
        default -> path.add(new AlignedPair(op, a[--i], b[--j]));
      }
    }
    Collections.reverse(path);
    return new EditDistance(path);
  }

  /** Aligns the whitespace-separated words of two texts; see {@link TextTokens#words(String)}. */
  public static EditDistance words(String ref, String hyp) {
    return align(TextTokens.words(ref), TextTokens.words(hyp));
  }

  /**
   * Aligns the characters of two texts for a CER, with {@link TextTokens#SPACE_TOKEN} between
   * words; see {@link TextTokens#characters(String)}.
   */
  public static EditDistance cer(String ref, String hyp) {
    return align(TextTokens.characters(ref), TextTokens.characters(hyp));
  }

  private static String[] tokens(List<String> list, String name) {
    Objects.requireNonNull(list, name);
    String[] out = new String[list.size()];
    for (int k = 0; k < out.length; k++) {
      out[k] = list.get(k);
      if (out[k] == null) {
        throw new IllegalArgumentException(
            String.format(
                "%s token %d of %d is null; tokens must be non-null strings (use \"\" or a symbol such as <unk>).",
                name, k, out.length));
      }
    }
    return out;
  }

  /**
   * Returns the alignment, in order, one {@link AlignedPair} per reference or hypothesis token (or
   * both).
   */
  public List<AlignedPair> alignment() {
    return alignment;
  }

  /** Returns the number of reference tokens matched exactly. */
  public int correct() {
    return correct;
  }

  /** Returns the number of substitutions. */
  public int substitutions() {
    return substitutions;
  }

  /** Returns the number of insertions. */
  public int insertions() {
    return insertions;
  }

  /** Returns the number of deletions. */
  public int deletions() {
    return deletions;
  }

  /** Returns the Levenshtein distance: insertions + deletions + substitutions. */
  public int edits() {
    return insertions + deletions + substitutions;
  }

  /** Returns the number of reference tokens (correct + substitutions + deletions). */
  public int refLength() {
    return correct + substitutions + deletions;
  }

  /** Returns the number of hypothesis tokens (correct + substitutions + insertions). */
  public int hypLength() {
    return correct + substitutions + insertions;
  }

  /**
   * Returns the error rate in percent, {@code 100 * edits / refLength}; {@code NaN} when the
   * reference is empty (undefined, whatever the hypothesis), as {@code accumulatable_wer_stats}
   * does.
   */
  public double errorRate() {
    return ErrorRateStats.percent(edits(), refLength());
  }

  /**
   * Returns the alignment as three lines (reference, operations, hypothesis), {@code <eps>} for
   * gaps, columns separated by {@code " ; "} and centred, as SpeechBrain's {@code
   * print_alignments}. Lines end with {@code \n}.
   */
  public String formatAlignment() {
    return formatAlignment("<eps>", " ; ");
  }

  /** Returns the three-line alignment with the given gap symbol and column separator. */
  public String formatAlignment(String emptySymbol, String separator) {
    Objects.requireNonNull(emptySymbol, "emptySymbol");
    Objects.requireNonNull(separator, "separator");
    List<String> refs = new ArrayList<>();
    List<String> marks = new ArrayList<>();
    List<String> hyps = new ArrayList<>();
    for (AlignedPair p : alignment) {
      String r = p.ref() == null ? emptySymbol : p.ref();
      String h = p.hyp() == null ? emptySymbol : p.hyp();
      String m = p.op().symbol();
      int width = Math.max(length(m), Math.max(length(r), length(h)));
      refs.add(center(r, width));
      marks.add(center(m, width));
      hyps.add(center(h, width));
    }
    return String.join(separator, refs)
        + "\n"
        + String.join(separator, marks)
        + "\n"
        + String.join(separator, hyps)
        + "\n";
  }

  /**
   * Centres like Python's {@code str.center}, so reports line up byte for byte with SpeechBrain's.
   */
  static String center(String s, int width) {
    int margin = width - length(s);
    if (margin <= 0) {
      return s;
    }
    // CPython puts the odd space on the left only when both margin and width are odd.
    int left = margin / 2 + (margin & width & 1);
    return " ".repeat(left) + s + " ".repeat(margin - left);
  }

  // Python's len counts code points, not UTF-16 units.
  private static int length(String s) {
    return s.codePointCount(0, s.length());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EditDistance other && alignment.equals(other.alignment);
  }

  @Override
  public int hashCode() {
    return alignment.hashCode();
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "EditDistance(ref=%d, hyp=%d, %d ins, %d del, %d sub, %d correct)",
        refLength(),
        hypLength(),
        insertions,
        deletions,
        substitutions,
        correct);
  }
}
