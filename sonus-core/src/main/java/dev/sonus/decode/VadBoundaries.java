package dev.sonus.decode;

import java.util.ArrayList;
import java.util.List;

/**
 * From frame-level speech probabilities to speech segments, with the semantics of SpeechBrain
 * v1.0.0's {@code speechbrain.inference.VAD.VAD}: {@code apply_threshold} (hysteresis), {@code
 * get_boundaries}, {@code merge_close_segments}, {@code remove_short_segments} and {@code
 * energy_VAD}, so a SpeechBrain VAD configuration gives the same segments here.
 *
 * <p>A segment's times follow SpeechBrain's frame convention: a run of speech frames {@code a..b}
 * gives the segment {@code (a · resolution, b · resolution)}, its end the start of its last speech
 * frame.
 */
public final class VadBoundaries {
  private VadBoundaries() {}

  /**
   * A speech segment.
   *
   * @param start seconds
   * @param end seconds
   */
  public record Segment(double start, double end) {
    /** Its length, seconds. */
    public double length() {
      return end - start;
    }
  }

  /**
   * Hysteresis: speech starts at a frame whose probability is at least {@code activation} and lasts
   * while the probability stays at least {@code deactivation}.
   *
   * @return one flag per frame, true for speech
   */
  public static boolean[] threshold(float[] prob, double activation, double deactivation) {
    if (!(deactivation <= activation)) {
      throw new IllegalArgumentException(
          "the deactivation threshold "
              + deactivation
              + " is above the activation threshold "
              + activation
              + "; give deactivation <= activation");
    }
    boolean[] out = new boolean[prob.length];
    boolean on = false;
    for (int t = 0; t < prob.length; t++) {
      if (!Float.isFinite(prob[t])) {
        throw new IllegalArgumentException("speech probability " + prob[t] + " at frame " + t);
      }
      on = prob[t] >= activation || (on && prob[t] >= deactivation);
      out[t] = on;
    }
    return out;
  }

  /** The segments of consecutive speech frames, {@code resolution} seconds per frame. */
  public static List<Segment> boundaries(boolean[] speech, double resolution) {
    List<Segment> out = new ArrayList<>();
    int t = 0;
    int n = speech.length;
    while (t < n) {
      if (!speech[t]) {
        t++;
        continue;
      }
      int a = t;
      while (t < n && speech[t]) {
        t++;
      }
      // SpeechBrain marks the frame after the run (or, for a run reaching the end, its last frame,
      // unless the run is that last frame alone) and subtracts one from the mark
      int mark = t < n ? t : (a == n - 1 ? n : n - 1);
      out.add(new Segment(a * resolution, (mark - 1) * resolution));
    }
    return out;
  }

  /** Segments less than or {@code closeThreshold} seconds apart become one. */
  public static List<Segment> mergeClose(List<Segment> segments, double closeThreshold) {
    List<Segment> out = new ArrayList<>();
    for (Segment s : segments) {
      if (!out.isEmpty() && s.start() - out.get(out.size() - 1).end() <= closeThreshold) {
        Segment last = out.remove(out.size() - 1);
        out.add(new Segment(last.start(), s.end()));
      } else {
        out.add(s);
      }
    }
    return out;
  }

  /** Only the segments longer than {@code lengthThreshold} seconds. */
  public static List<Segment> removeShort(List<Segment> segments, double lengthThreshold) {
    return segments.stream().filter(s -> s.length() > lengthThreshold).toList();
  }

  /**
   * SpeechBrain's {@code energy_VAD}: inside each segment, the log energy of chunks of {@code
   * resolution} seconds (the sum of absolute samples, plus {@code eps}), normalised to mean 0.5 and
   * half a standard deviation, thresholded with hysteresis; the speech runs found become the new,
   * finer segments.
   *
   * @param samples the recording (mono)
   */
  public static List<Segment> energy(
      float[] samples,
      int sampleRate,
      List<Segment> segments,
      double resolution,
      double activation,
      double deactivation,
      double eps) {
    int chunk = (int) (resolution * sampleRate);
    if (chunk < 1) {
      throw new IllegalArgumentException(
          "a chunk of " + resolution + " s at " + sampleRate + " Hz holds no sample");
    }
    List<Segment> out = new ArrayList<>();
    for (Segment s : segments) {
      int begin = (int) (s.start() * sampleRate);
      int end = Math.min(samples.length, (int) (s.end() * sampleRate));
      int chunks = (end - begin) / chunk;
      if (chunks < 1) {
        continue;
      }
      double[] e = new double[chunks];
      double mean = 0;
      for (int c = 0; c < chunks; c++) {
        double sum = 0;
        for (int i = begin + c * chunk; i < begin + (c + 1) * chunk; i++) {
          sum += Math.abs(samples[i]);
        }
        e[c] = Math.log(sum + eps);
        mean += e[c];
      }
      mean /= chunks;
      double var = 0;
      for (double v : e) {
        var += (v - mean) * (v - mean);
      }
      double std = chunks > 1 ? Math.sqrt(var / (chunks - 1)) : Double.NaN; // torch's unbiased std
      float[] norm = new float[chunks];
      for (int c = 0; c < chunks; c++) {
        norm[c] = (float) ((e[c] - mean) / (2 * std) + 0.5);
        if (!Float.isFinite(norm[c])) {
          norm[c] = -1; // a single chunk or a constant segment: no speech, as SpeechBrain's NaN
        }
      }
      for (Segment f : boundaries(threshold(norm, activation, deactivation), resolution)) {
        out.add(new Segment(s.start() + f.start(), s.start() + f.end()));
      }
    }
    return out;
  }

  /**
   * Frame-level speech flags of {@code segments} over {@code frames} frames of {@code resolution}
   * seconds: a frame is speech when its centre lies inside a segment. For scoring against a
   * reference.
   */
  public static boolean[] frames(List<Segment> segments, int frames, double resolution) {
    boolean[] out = new boolean[frames];
    for (Segment s : segments) {
      int from = (int) Math.max(0, Math.ceil(s.start() / resolution - 0.5));
      int to = (int) Math.min(frames, Math.ceil(s.end() / resolution - 0.5));
      for (int t = from; t < to; t++) {
        out[t] = true;
      }
    }
    return out;
  }

  /**
   * Frame-level detection scores of {@code hypothesis} against {@code reference}.
   *
   * @param precision speech frames found that are speech
   * @param recall speech frames that were found
   * @param f1 their harmonic mean
   * @param frames frames scored
   */
  public record Scores(double precision, double recall, double f1, int frames) {}

  /** Precision, recall and F1 of the speech frames. */
  public static Scores score(boolean[] reference, boolean[] hypothesis) {
    if (reference.length != hypothesis.length) {
      throw new IllegalArgumentException(
          "the reference has " + reference.length + " frames, the hypothesis " + hypothesis.length);
    }
    int tp = 0;
    int fp = 0;
    int fn = 0;
    for (int t = 0; t < reference.length; t++) {
      if (hypothesis[t] && reference[t]) {
        tp++;
      } else if (hypothesis[t]) {
        fp++;
      } else if (reference[t]) {
        fn++;
      }
    }
    double p = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
    double r = tp + fn == 0 ? 0 : (double) tp / (tp + fn);
    return new Scores(p, r, p + r == 0 ? 0 : 2 * p * r / (p + r), reference.length);
  }
}
