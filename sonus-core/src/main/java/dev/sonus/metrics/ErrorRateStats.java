package dev.sonus.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Accumulates per-utterance alignments and summarises them as word (or character, token) error
 * rates.
 *
 * <p>Counterpart of {@code speechbrain.utils.metric_stats.ErrorRateStats} with {@code wer_summary},
 * {@code wer_details_by_speaker} and {@code write_stats}: every utterance is aligned with {@link
 * EditDistance} (same tie-breaking as SpeechBrain, hence the same ins/del/sub split), and {@code
 * WER = 100 * (ins + del + sub) / reference tokens}, summed over utterances before dividing.
 *
 * <p>Rules where SpeechBrain is undefined or crashes:
 *
 * <ul>
 *   <li>An empty reference is allowed: every hypothesis token is an insertion. Any rate whose
 *       denominator is zero (utterance or summary WER with no reference tokens, SER with no
 *       utterances) is {@code NaN}; SpeechBrain raises {@code ZeroDivisionError} per utterance and
 *       returns {@code 0.0} for an all-empty summary.
 *   <li>Utterance ids must be unique (SpeechBrain silently keeps the last duplicate within a
 *       batch).
 *   <li>An utterance is a sentence error when it has at least one edit, including an empty
 *       reference with a non-empty hypothesis.
 * </ul>
 *
 * For a CER, append {@link TextTokens#characters(String)}; the report still says {@code %WER}, as
 * SpeechBrain's {@code cer.txt} does. Not thread-safe: use one instance per thread, or synchronise.
 */
public final class ErrorRateStats {
  private static final String RULE = "=".repeat(80);

  private final List<Utterance> utterances = new ArrayList<>();
  private final Map<String, Integer> indexById = new LinkedHashMap<>();

  /** Creates an empty accumulator. */
  public ErrorRateStats() {}

  /**
   * One scored utterance.
   *
   * @param id the utterance id
   * @param speaker the speaker id, or {@code null} if none was given
   * @param distance the alignment of the reference against the hypothesis
   */
  public record Utterance(String id, String speaker, EditDistance distance) {
    /** Checks that id and distance are present. */
    public Utterance {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(distance, "distance");
    }

    /** Returns the speaker, if one was given. */
    public Optional<String> speakerId() {
      return Optional.ofNullable(speaker);
    }

    /** Returns this utterance's error rate in percent; {@code NaN} for an empty reference. */
    public double errorRate() {
      return distance.errorRate();
    }
  }

  /**
   * Totals over a set of utterances, as SpeechBrain's {@code wer_summary}.
   *
   * @param utterances number of scored utterances ({@code num_scored_sents})
   * @param erroneousUtterances utterances with at least one edit ({@code num_erraneous_sents})
   * @param refTokens reference tokens over all utterances ({@code num_scored_tokens})
   * @param insertions total insertions
   * @param deletions total deletions
   * @param substitutions total substitutions
   * @param correct total reference tokens matched exactly
   */
  public record Summary(
      long utterances,
      long erroneousUtterances,
      long refTokens,
      long insertions,
      long deletions,
      long substitutions,
      long correct) {
    /** Returns insertions + deletions + substitutions ({@code num_edits}). */
    public long edits() {
      return insertions + deletions + substitutions;
    }

    /**
     * Returns the error rate in percent, {@code 100 * edits / refTokens}; {@code NaN} if {@code
     * refTokens == 0}.
     */
    public double wer() {
      return percent(edits(), refTokens);
    }

    /** Returns the sentence error rate in percent; {@code NaN} if there are no utterances. */
    public double ser() {
      return percent(erroneousUtterances, utterances);
    }

    /**
     * Returns the Kaldi-style line {@code %WER 16.67 [ 1 / 6, 0 ins, 1 del, 0 sub ]}, without a
     * newline.
     */
    public String werLine() {
      return String.format(
          Locale.ROOT,
          "%%WER %.2f [ %d / %d, %d ins, %d del, %d sub ]",
          wer(),
          edits(),
          refTokens,
          insertions,
          deletions,
          substitutions);
    }

    /** Returns the line {@code %SER 50.00 [ 1 / 2 ]}, without a newline. */
    public String serLine() {
      return String.format(
          Locale.ROOT, "%%SER %.2f [ %d / %d ]", ser(), erroneousUtterances, utterances);
    }

    Summary plus(EditDistance d) {
      return new Summary(
          utterances + 1,
          erroneousUtterances + (d.edits() > 0 ? 1 : 0),
          refTokens + d.refLength(),
          insertions + d.insertions(),
          deletions + d.deletions(),
          substitutions + d.substitutions(),
          correct + d.correct());
    }
  }

  private static final Summary EMPTY = new Summary(0, 0, 0, 0, 0, 0, 0);

  /**
   * Aligns and records one utterance without a speaker; see {@link #append(String, List, List,
   * String)}.
   */
  public Utterance append(String id, List<String> ref, List<String> hyp) {
    return append(id, ref, hyp, null);
  }

  /**
   * Aligns {@code ref} against {@code hyp} and records the result under {@code id}.
   *
   * @param id a unique utterance id
   * @param ref the reference tokens (may be empty)
   * @param hyp the hypothesis tokens (may be empty)
   * @param speaker the speaker id for {@link #perSpeaker()}, or {@code null}
   * @return the recorded utterance
   * @throws IllegalArgumentException if {@code id} was already appended, or a token is {@code null}
   */
  public Utterance append(String id, List<String> ref, List<String> hyp, String speaker) {
    Objects.requireNonNull(id, "id");
    if (indexById.containsKey(id)) {
      throw new IllegalArgumentException(
          String.format(
              "utterance id '%s' was already appended (as utterance %d of %d); ids must be unique. "
                  + "Call clear() between evaluations, or prefix ids with the data set name.",
              id, indexById.get(id) + 1, utterances.size()));
    }
    Utterance u = new Utterance(id, speaker, EditDistance.align(ref, hyp));
    indexById.put(id, utterances.size());
    utterances.add(u);
    return u;
  }

  /** Forgets all appended utterances. */
  public void clear() {
    utterances.clear();
    indexById.clear();
  }

  /** Returns the appended utterances in order (an unmodifiable view). */
  public List<Utterance> utterances() {
    return Collections.unmodifiableList(utterances);
  }

  /**
   * Returns the totals over all appended utterances; rates are {@code NaN} when nothing was
   * appended.
   */
  public Summary summary() {
    Summary s = EMPTY;
    for (Utterance u : utterances) {
      s = s.plus(u.distance());
    }
    return s;
  }

  /**
   * Returns the totals per speaker, in order of each speaker's first utterance, as {@code
   * wer_details_by_speaker}. The speakers' counts sum to {@link #summary()}.
   *
   * @throws IllegalStateException if an utterance was appended without a speaker
   */
  public Map<String, Summary> perSpeaker() {
    Map<String, Summary> out = new LinkedHashMap<>();
    for (Utterance u : utterances) {
      if (u.speaker() == null) {
        throw new IllegalStateException(
            String.format(
                "utterance '%s' has no speaker, so per-speaker totals would not add up to the summary. "
                    + "Pass a speaker to append(id, ref, hyp, speaker) for every utterance.",
                u.id()));
      }
      out.merge(
          u.speaker(),
          EMPTY.plus(u.distance()),
          (old, one) ->
              new Summary(
                  old.utterances() + one.utterances(),
                  old.erroneousUtterances() + one.erroneousUtterances(),
                  old.refTokens() + one.refTokens(),
                  old.insertions() + one.insertions(),
                  old.deletions() + one.deletions(),
                  old.substitutions() + one.substitutions(),
                  old.correct() + one.correct()));
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * Returns a text report in the layout of SpeechBrain's {@code wer_test.txt}: the {@code %WER} and
   * {@code %SER} lines, then for every utterance a rule, {@code <id>, %WER ...}, and its three-line
   * alignment (reference, {@code =}/{@code S}/{@code I}/{@code D} markers, hypothesis; {@code
   * <eps>} for gaps). Lines end with {@code \n}.
   */
  public String report() {
    Summary total = summary();
    StringBuilder sb = new StringBuilder();
    sb.append(total.werLine()).append('\n');
    sb.append(total.serLine()).append('\n');
    sb.append("Scored ").append(total.utterances()).append(" utterances.\n");
    sb.append(RULE).append('\n');
    sb.append("ALIGNMENTS\n\n");
    sb.append("Each utterance is shown as\n");
    sb.append(
        "<utterance-id>, %WER <rate> [ <edits> / <reference tokens>, <n> ins, <n> del, <n> sub ]\n");
    sb.append(
        "with the reference on the first line, the hypothesis on the third, and between them\n");
    sb.append(
        "= (correct), S (substitution), I (insertion) or D (deletion); <eps> marks a gap. For example:\n");
    sb.append(
        EditDistance.align(
                List.of("the", "reference", "goes", "here", "now"),
                List.of("and", "the", "hypothesis", "goes", "here"))
            .formatAlignment());
    for (Utterance u : utterances) {
      EditDistance d = u.distance();
      sb.append(RULE).append('\n');
      sb.append(
          String.format(
              Locale.ROOT,
              "%s, %%WER %.2f [ %d / %d, %d ins, %d del, %d sub ]\n",
              u.id(),
              d.errorRate(),
              d.edits(),
              d.refLength(),
              d.insertions(),
              d.deletions(),
              d.substitutions()));
      sb.append(d.formatAlignment());
    }
    return sb.toString();
  }

  static double percent(long numerator, long denominator) {
    return denominator == 0 ? Double.NaN : 100.0 * numerator / denominator;
  }

  @Override
  public String toString() {
    return "ErrorRateStats(" + utterances.size() + " utterances, " + summary().werLine() + ")";
  }
}
