package dev.sonus.datasets;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import dev.sonus.data.Manifest;
import dev.sonus.util.RecipeCallable;
import dev.sonus.util.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Long recordings with known speech boundaries, for training and testing voice activity detection
 * (SpeechBrain's LibriParty is made the same way): each recording is a sequence of real utterances
 * separated by pauses, over a real background noise at a random SNR, written as 16-bit WAV with a
 * manifest row {@code ID, duration, wav, speech} whose {@code speech} lists the utterances' {@code
 * start end} times in seconds.
 *
 * <p>Every choice (which utterances, pauses, noise recording and offset, SNR) comes from {@code
 * SplittableRandom(seed ⊕ split hash)}; the same sources, count and seed give byte-identical files.
 * The speech time of an utterance is where its own energy is: leading and trailing stretches
 * quieter than 40 dB below its peak (20 ms frames) are not counted as speech.
 */
public final class VadSynthesis {
  private VadSynthesis() {}

  /** Shortest pause before and between utterances, seconds. */
  private static final double MIN_PAUSE = 0.3;

  /** Longest pause, seconds. */
  private static final double MAX_PAUSE = 2.5;

  /**
   * Writes {@code count} recordings of about {@code seconds} each under {@code outDir/<split>/} and
   * {@code outDir/<split>.csv}; returns the manifest. Audio is read at {@code sampleRate}.
   *
   * @param speechFolder folder (searched recursively) of speech recordings, any format
   * @param noiseFolder folder (searched recursively) of background recordings
   * @param snrLow lowest speech-to-noise ratio, dB
   * @param snrHigh highest, dB
   */
  @RecipeCallable
  public static Path prepare(
      Path speechFolder,
      Path noiseFolder,
      Path outDir,
      String split,
      int count,
      double seconds,
      double snrLow,
      double snrHigh,
      int sampleRate,
      long seed) {
    if (count < 1 || !(seconds >= 2 && seconds <= 600) || !(snrHigh >= snrLow)) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "count %d, seconds %s and SNR %s..%s dB: give at least one recording of 2 to 600 s"
                  + " and snr_low <= snr_high",
              count,
              seconds,
              snrLow,
              snrHigh));
    }
    if (split == null || !split.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException(
          "split is '" + split + "'; give a name of letters, digits, - or _ (train, valid, test)");
    }
    List<Path> speech = audioUnder(speechFolder, "speech_folder");
    List<Path> noise = audioUnder(noiseFolder, "noise_folder");
    Path folder = outDir.resolve(split);
    Path csv = outDir.resolve(split + ".csv");
    SplittableRandom g = new SplittableRandom(seed ^ hash(split));
    List<Manifest.Row> rows = new ArrayList<>();
    try {
      Files.createDirectories(folder);
      for (int n = 0; n < count; n++) {
        int total = (int) Math.round(seconds * sampleRate);
        float[] mix = new float[total];
        float[] voice = new float[total];
        List<double[]> segments = new ArrayList<>();
        int at = (int) (sampleRate * (MIN_PAUSE + g.nextDouble() * (MAX_PAUSE - MIN_PAUSE)));
        int silentDraws = 0;
        while (true) {
          Path p = speech.get(g.nextInt(speech.size()));
          float[] u = AudioIO.readMono(p, sampleRate).channel(0);
          int[] active = active(u, sampleRate);
          if (active == null) {
            if (++silentDraws > 1000) {
              throw new IllegalArgumentException(
                  speechFolder + ": 1000 recordings drawn in a row were silent; give speech");
            }
            continue; // silent file: draw another
          }
          if (at + u.length > total) {
            break;
          }
          System.arraycopy(u, 0, voice, at, u.length);
          segments.add(
              new double[] {
                (double) (at + active[0]) / sampleRate, (double) (at + active[1]) / sampleRate
              });
          at +=
              u.length
                  + (int) (sampleRate * (MIN_PAUSE + g.nextDouble() * (MAX_PAUSE - MIN_PAUSE)));
        }
        float[] bg = background(noise, g, total, sampleRate);
        double snr = snrLow + g.nextDouble() * (snrHigh - snrLow);
        double ps = power(voice);
        double pn = power(bg);
        double gain = ps > 0 && pn > 0 ? Math.sqrt(ps / (pn * Math.pow(10, snr / 10))) : 0;
        double peak = 0;
        for (int i = 0; i < total; i++) {
          mix[i] = (float) (voice[i] + gain * bg[i]);
          peak = Math.max(peak, Math.abs(mix[i]));
        }
        if (peak > 0.99) {
          for (int i = 0; i < total; i++) {
            mix[i] = (float) (mix[i] * 0.99 / peak);
          }
        }
        String id = String.format(Locale.ROOT, "%s_%04d", split, n);
        Path wav = folder.resolve(id + ".wav");
        AudioIO.writeWav(wav, Audio.mono(mix, sampleRate), WavEncoding.PCM_S16);
        StringBuilder sb = new StringBuilder();
        for (double[] s : segments) {
          sb.append(sb.length() == 0 ? "" : " ")
              .append(String.format(Locale.ROOT, "%.3f %.3f", s[0], s[1]));
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("duration", String.format(Locale.ROOT, "%.3f", seconds));
        fields.put("wav", wav.toAbsolutePath().normalize().toString());
        fields.put("speech", sb.toString());
        fields.put("snr_db", String.format(Locale.ROOT, "%.2f", snr));
        rows.add(new Manifest.Row(id, fields, 0));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write under " + folder + ": " + e.getMessage(), e);
    }
    Manifest.writeCsv(csv, List.of("duration", "wav", "speech", "snr_db"), rows);
    return csv;
  }

  /**
   * A SpeechBrain VAD annotation ({@code VAD_dev.json} of its LibriParty samples: per example a
   * {@code wav} slice {@code {file, start, stop}} in samples, {@code {data_folder}} in the path,
   * and {@code speech} times in seconds from the slice's start) as a manifest of the slices, each
   * cut into its own WAV under {@code outDir/<name>/}; returns {@code outDir/<name>.csv}.
   */
  @RecipeCallable
  public static Path fromSpeechBrainJson(Path json, Path dataFolder, Path outDir, String name) {
    Object parsed;
    try {
      parsed = dev.sonus.util.Json.parse(Files.readString(json, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + json + ": " + e.getMessage(), e);
    }
    if (!(parsed instanceof Map<?, ?> examples) || examples.isEmpty()) {
      throw new IllegalArgumentException(
          json + ": expected an object of examples, each with wav and speech");
    }
    Path folder = outDir.resolve(name);
    List<Manifest.Row> rows = new ArrayList<>();
    try {
      Files.createDirectories(folder);
      for (Map.Entry<?, ?> e : examples.entrySet()) {
        String id = String.valueOf(e.getKey());
        if (!(e.getValue() instanceof Map<?, ?> ex) || !(ex.get("wav") instanceof Map<?, ?> w)) {
          throw new IllegalArgumentException(json + ": example " + id + " has no wav object");
        }
        Path file =
            Path.of(String.valueOf(w.get("file")).replace("{data_folder}", dataFolder.toString()));
        Audio a = AudioIO.read(file).toMono();
        int start = ((Number) w.get("start")).intValue();
        int stop = ((Number) w.get("stop")).intValue();
        if (start < 0 || stop <= start || stop > a.samples()[0].length) {
          throw new IllegalArgumentException(
              String.format(
                  Locale.ROOT,
                  "%s: example %s cuts samples %d..%d of %s, which has %d",
                  json,
                  id,
                  start,
                  stop,
                  file,
                  a.samples()[0].length));
        }
        float[] cut = java.util.Arrays.copyOfRange(a.samples()[0], start, stop);
        Path wav = folder.resolve(id.replaceAll("[^A-Za-z0-9._-]", "_") + ".wav");
        AudioIO.writeWav(wav, Audio.mono(cut, a.sampleRate()), WavEncoding.PCM_S16);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put(
            "duration", String.format(Locale.ROOT, "%.3f", (double) cut.length / a.sampleRate()));
        fields.put("wav", wav.toAbsolutePath().normalize().toString());
        Object speechTimes = ex.get("speech");
        fields.put("speech", speechTimes == null ? "" : String.valueOf(speechTimes));
        rows.add(new Manifest.Row(id, fields, 0));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write under " + folder + ": " + e.getMessage(), e);
    }
    Path csv = outDir.resolve(name + ".csv");
    Manifest.writeCsv(csv, List.of("duration", "wav", "speech"), rows);
    return csv;
  }

  /** Where an utterance's energy is: first and last 20 ms frame within 40 dB of its loudest. */
  static int[] active(float[] u, int sampleRate) {
    int frame = Math.max(1, sampleRate / 50);
    int frames = u.length / frame;
    if (frames == 0) {
      return null;
    }
    double[] e = new double[frames];
    double max = 0;
    for (int f = 0; f < frames; f++) {
      double s = 0;
      for (int i = f * frame; i < (f + 1) * frame; i++) {
        s += (double) u[i] * u[i];
      }
      e[f] = s / frame;
      max = Math.max(max, e[f]);
    }
    if (max <= 0) {
      return null;
    }
    double floor = max * 1e-4;
    int first = 0;
    while (e[first] < floor) {
      first++;
    }
    int last = frames - 1;
    while (e[last] < floor) {
      last--;
    }
    return new int[] {first * frame, Math.min(u.length, (last + 1) * frame)};
  }

  /** Noise recordings joined end to end from a random one and offset until {@code total}. */
  private static float[] background(List<Path> noise, SplittableRandom g, int total, int rate) {
    float[] out = new float[total];
    int at = 0;
    boolean first = true;
    int emptyDraws = 0;
    while (at < total) {
      float[] n = AudioIO.readMono(noise.get(g.nextInt(noise.size())), rate).channel(0);
      if (n.length == 0) {
        if (++emptyDraws > 1000) {
          throw new IllegalArgumentException(
              "1000 noise recordings drawn in a row hold no samples; give noise with audio in it");
        }
        continue;
      }
      emptyDraws = 0;
      int from = first ? g.nextInt(n.length) : 0;
      first = false;
      int len = Math.min(n.length - from, total - at);
      System.arraycopy(n, from, out, at, len);
      at += len;
    }
    return out;
  }

  private static double power(float[] x) {
    double s = 0;
    for (float v : x) {
      s += (double) v * v;
    }
    return s / Math.max(1, x.length);
  }

  private static List<Path> audioUnder(Path folder, String what) {
    if (folder == null || !Files.isDirectory(folder)) {
      throw new IllegalArgumentException(
          what + " " + folder + " is not a folder; give a folder of recordings");
    }
    try (Stream<Path> s = Files.walk(folder)) {
      List<Path> out =
          s.filter(Files::isRegularFile)
              .filter(p -> Layout.audioExtension(p) != null)
              .sorted()
              .toList();
      if (out.isEmpty()) {
        throw new IllegalArgumentException(
            what
                + " "
                + folder
                + " holds no recordings ("
                + String.join(", ", Layout.AUDIO_EXTENSIONS)
                + ")");
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder + ": " + e.getMessage(), e);
    }
  }

  private static long hash(String s) {
    byte[] d = Sha256.digest().digest(s.getBytes(StandardCharsets.UTF_8));
    return ByteBuffer.wrap(d).getLong();
  }
}
