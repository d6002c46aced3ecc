package dev.sonus.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Diarization error rate with the definition of NIST's md-eval: over the scored time, the missed
 * speech, false alarm and speaker confusion, each weighted by the number of speakers involved, over
 * the total reference speaker time.
 *
 * <p>In every stretch of time where the reference has {@code R} active speakers and the hypothesis
 * {@code H}, of which {@code C} are pairs of a reference speaker and the hypothesis speaker mapped
 * to it: missed {@code max(0, R - H)}, false alarm {@code max(0, H - R)}, confusion {@code min(R,
 * H) - C}, reference {@code R} (so overlapped speech counts once per speaker). The mapping is the
 * one-to-one assignment of hypothesis to reference speakers that maximises their total overlap in
 * the scored time (Hungarian algorithm), per recording. A forgiveness {@code collar} removes {@code
 * ±collar} seconds around every reference turn's start and end from scoring; {@code skipOverlap}
 * removes the stretches where the reference has two or more speakers.
 *
 * <p>Several recordings add up their times before the ratio is taken, as md-eval does.
 */
public final class DiarizationErrorRate {
  private DiarizationErrorRate() {}

  /**
   * The scored times, seconds, and the rate.
   *
   * @param reference total reference speaker time (the denominator)
   * @param missed reference speech without enough hypothesis speakers
   * @param falseAlarm hypothesis speech beyond the reference's speakers
   * @param confusion speech given to the wrong speaker
   * @param mapping per recording, each hypothesis speaker to its reference speaker
   */
  public record Result(
      double reference,
      double missed,
      double falseAlarm,
      double confusion,
      Map<String, Map<String, String>> mapping) {
    /** (missed + false alarm + confusion) / reference, as a percentage; NaN without reference. */
    public double der() {
      return reference > 0 ? 100 * (missed + falseAlarm + confusion) / reference : Double.NaN;
    }

    /** Each component as a percentage of the reference time, and the DER, for reports. */
    public Map<String, Double> asMap() {
      Map<String, Double> m = new LinkedHashMap<>();
      m.put("DER", der());
      m.put("missed_speech", pct(missed));
      m.put("false_alarm", pct(falseAlarm));
      m.put("speaker_confusion", pct(confusion));
      m.put("scored_speaker_seconds", reference);
      return m;
    }

    private double pct(double v) {
      return reference > 0 ? 100 * v / reference : Double.NaN;
    }
  }

  /**
   * Scores {@code hypothesis} against {@code reference}, both possibly of several recordings
   * (matched by file name; a file only in the hypothesis is all false alarm).
   *
   * @param collar seconds removed around each reference boundary (0.25 is common; 0 scores all)
   * @param skipOverlap leave out the time where the reference has overlapping speakers
   */
  public static Result compute(
      List<Rttm.Turn> reference, List<Rttm.Turn> hypothesis, double collar, boolean skipOverlap) {
    if (!(collar >= 0) || !Double.isFinite(collar)) {
      throw new IllegalArgumentException("collar is " + collar + "; give seconds, 0 or more");
    }
    Map<String, List<Rttm.Turn>> ref = Rttm.byFile(reference);
    Map<String, List<Rttm.Turn>> hyp = Rttm.byFile(hypothesis);
    List<String> files = new ArrayList<>(ref.keySet());
    for (String f : hyp.keySet()) {
      if (!ref.containsKey(f)) {
        files.add(f);
      }
    }
    double[] sums = new double[4];
    Map<String, Map<String, String>> mapping = new LinkedHashMap<>();
    for (String f : files) {
      Map<String, String> m =
          score(
              ref.getOrDefault(f, List.of()),
              hyp.getOrDefault(f, List.of()),
              collar,
              skipOverlap,
              sums);
      mapping.put(f, m);
    }
    return new Result(sums[0], sums[1], sums[2], sums[3], mapping);
  }

  /** One recording; adds reference, missed, false alarm and confusion to {@code sums}. */
  private static Map<String, String> score(
      List<Rttm.Turn> ref, List<Rttm.Turn> hyp, double collar, boolean skipOverlap, double[] sums) {
    List<String> refSpeakers = speakers(ref);
    List<String> hypSpeakers = speakers(hyp);
    TreeSet<Double> cuts = new TreeSet<>();
    for (Rttm.Turn t : ref) {
      cuts.add(t.start());
      cuts.add(t.end());
      if (collar > 0) {
        cuts.add(Math.max(0, t.start() - collar));
        cuts.add(t.start() + collar);
        cuts.add(Math.max(0, t.end() - collar));
        cuts.add(t.end() + collar);
      }
    }
    for (Rttm.Turn t : hyp) {
      cuts.add(t.start());
      cuts.add(t.end());
    }
    List<Double> points = new ArrayList<>(cuts);
    int n = Math.max(0, points.size() - 1);
    // per elementary stretch: its scored duration and who is active in it
    double[] dur = new double[n];
    boolean[][] refOn = new boolean[n][refSpeakers.size()];
    boolean[][] hypOn = new boolean[n][hypSpeakers.size()];
    for (int s = 0; s < n; s++) {
      double a = points.get(s);
      double b = points.get(s + 1);
      double mid = (a + b) / 2;
      boolean scored = true;
      for (Rttm.Turn t : ref) {
        if (collar > 0
            && (Math.abs(mid - t.start()) < collar || Math.abs(mid - t.end()) < collar)) {
          scored = false;
        }
        if (mid > t.start() && mid < t.end()) {
          refOn[s][refSpeakers.indexOf(t.speaker())] = true;
        }
      }
      for (Rttm.Turn t : hyp) {
        if (mid > t.start() && mid < t.end()) {
          hypOn[s][hypSpeakers.indexOf(t.speaker())] = true;
        }
      }
      if (skipOverlap && count(refOn[s]) > 1) {
        scored = false;
      }
      dur[s] = scored ? b - a : 0;
    }
    // overlap of each (reference, hypothesis) pair in the scored time, then the best one-to-one map
    double[][] overlap = new double[refSpeakers.size()][hypSpeakers.size()];
    for (int s = 0; s < n; s++) {
      for (int r = 0; r < refSpeakers.size(); r++) {
        for (int h = 0; h < hypSpeakers.size(); h++) {
          if (refOn[s][r] && hypOn[s][h]) {
            overlap[r][h] += dur[s];
          }
        }
      }
    }
    int[] refOf = Assignment.maximise(overlap, refSpeakers.size(), hypSpeakers.size());
    Map<String, String> mapping = new LinkedHashMap<>();
    for (int h = 0; h < hypSpeakers.size(); h++) {
      if (refOf[h] >= 0 && overlap[refOf[h]][h] > 0) {
        mapping.put(hypSpeakers.get(h), refSpeakers.get(refOf[h]));
      }
    }
    for (int s = 0; s < n; s++) {
      if (dur[s] == 0) {
        continue;
      }
      int r = count(refOn[s]);
      int h = count(hypOn[s]);
      int correct = 0;
      for (int k = 0; k < hypSpeakers.size(); k++) {
        if (hypOn[s][k] && refOf[k] >= 0 && refOn[s][refOf[k]]) {
          correct++;
        }
      }
      sums[0] += dur[s] * r;
      sums[1] += dur[s] * Math.max(0, r - h);
      sums[2] += dur[s] * Math.max(0, h - r);
      sums[3] += dur[s] * (Math.min(r, h) - correct);
    }
    return mapping;
  }

  private static List<String> speakers(List<Rttm.Turn> turns) {
    List<String> out = new ArrayList<>();
    for (Rttm.Turn t : turns) {
      if (!out.contains(t.speaker())) {
        out.add(t.speaker());
      }
    }
    return out;
  }

  private static int count(boolean[] on) {
    int c = 0;
    for (boolean b : on) {
      if (b) {
        c++;
      }
    }
    return c;
  }
}
