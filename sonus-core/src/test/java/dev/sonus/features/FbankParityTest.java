package dev.sonus.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.Resample;
import dev.sonus.tensor.Npy;
import dev.sonus.tensor.Tensors;
import dev.sonus.testing.Close;
import dev.sonus.testing.FixtureManifest;
import dev.sonus.testing.FixtureManifest.Node;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity with SpeechBrain v1.0.0's audio loading, resampling, STFT, mel filterbank and Fbank on the
 * recordings of {@code <sonus.fixtures>/speechbrain} (manifest keys {@code wavs} and {@code
 * files}). Every case, file name, shape and Fbank argument comes from the manifest:
 *
 * <ul>
 *   <li>the Fbank cases are the {@code files} entries with {@code fbank_args}; their {@code input}
 *       entries are the waveforms, at the {@code fbank_args.sample_rate} of the cases that read
 *       them;
 *   <li>a waveform's STFT is the entry that takes it as {@code input} without {@code fbank_args},
 *       and its power spectrum the entry that takes the STFT as {@code input};
 *   <li>a recording of {@code wavs} owns the files whose names start with its name less {@code
 *       .wav};
 *   <li>a resampled waveform's rates are those of the {@code resample(x, from, to)} its description
 *       records;
 *   <li>a mel matrix ({@code melmatrix_*}) has shape {@code [n_fft/2+1, n_mels]} and the {@code
 *       sr=} of its description; its frequency range is that of the Fbank cases with the same rate
 *       and n_mels.
 * </ul>
 */
class FbankParityTest {
  private static final String FOLDER = "speechbrain";
  private static final Pattern RESAMPLE =
      Pattern.compile("resample\\(\\s*\\w+\\s*,\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)");
  private static final Pattern SAMPLE_RATE = Pattern.compile("sr=(\\d+)");

  private static FixtureManifest manifest() {
    return FixtureManifest.of(FOLDER);
  }

  // ---- what the manifest lists
  // -----------------------------------------------------------------------------------

  private static Stream<Node> fbankEntries() {
    return manifest().files().stream().filter(f -> f.has("fbank_args"));
  }

  private static Node entry(String file) {
    return manifest().file(file);
  }

  /** Waveform inputs of the Fbank cases and their sample rates (Hz). */
  private static Map<String, Integer> waveforms() {
    Map<String, Integer> out = new LinkedHashMap<>();
    fbankEntries()
        .forEach(
            f -> {
              String input = f.get("input").string();
              int rate = f.get("fbank_args").get("sample_rate").intValue();
              Integer before = out.putIfAbsent(input, rate);
              if (before != null && before != rate) {
                fail(
                    manifest()
                        + ": "
                        + input
                        + " is read at "
                        + before
                        + " Hz and at "
                        + rate
                        + " Hz");
              }
            });
    if (out.isEmpty()) {
      fail(manifest() + " lists no file with fbank_args");
    }
    return out;
  }

  private static String fileName(String file) {
    return file.substring(file.lastIndexOf('/') + 1);
  }

  private static String folderOf(String file) {
    return file.substring(0, file.lastIndexOf('/') + 1);
  }

  /** The manifest's path of the recording {@code wav}, one of the manifest's recordings. */
  private static String wavFile(String wav) {
    List<String> found =
        manifest().files().stream()
            .map(f -> f.get("file").string())
            .filter(f -> fileName(f).equals(wav))
            .toList();
    if (found.size() != 1) {
      fail(
          manifest()
              + ": wavs names "
              + wav
              + ", which files lists "
              + found.size()
              + " times: "
              + found);
    }
    return found.get(0);
  }

  /** The waveform of the recording {@code wav} at {@code rate} Hz. */
  private static String waveformOf(String wav, int rate) {
    String wavFile = wavFile(wav);
    String prefix =
        folderOf(wavFile)
            + wav.substring(0, wav.lastIndexOf('.') < 0 ? wav.length() : wav.lastIndexOf('.'))
            + ".";
    List<String> found =
        waveforms().entrySet().stream()
            .filter(e -> e.getKey().startsWith(prefix) && e.getValue() == rate)
            .map(Map.Entry::getKey)
            .toList();
    if (found.size() != 1) {
      fail(
          manifest()
              + ": expected one Fbank input of "
              + wav
              + " at "
              + rate
              + " Hz, found "
              + found
              + " among "
              + waveforms());
    }
    return found.get(0);
  }

  /** The recording (from {@code wavs}) that {@code file} belongs to. */
  private static String recordingOf(String file) {
    for (String wav : manifest().get("wavs").strings()) {
      String stem = wav.lastIndexOf('.') < 0 ? wav : wav.substring(0, wav.lastIndexOf('.'));
      if (fileName(file).startsWith(stem + ".")) {
        return wav;
      }
    }
    return fail(
        manifest()
            + ": "
            + file
            + " belongs to none of the recordings in wavs "
            + manifest().get("wavs").raw());
  }

  private static Node firstFbankArgsFor(String input) {
    return fbankEntries()
        .filter(f -> f.get("input").string().equals(input))
        .findFirst()
        .orElseGet(() -> fail(manifest() + ": no Fbank case reads " + input))
        .get("fbank_args");
  }

  static Stream<String> recordings() {
    return FixtureManifest.cases(FOLDER, m -> m.get("wavs").strings().stream());
  }

  static Stream<String> resampled() {
    return FixtureManifest.cases(
        FOLDER,
        m ->
            waveforms().keySet().stream()
                .filter(f -> RESAMPLE.matcher(entry(f).get("description").string()).find()));
  }

  static Stream<String> stfts() {
    return FixtureManifest.cases(
        FOLDER,
        m ->
            waveforms().keySet().stream()
                .map(
                    input ->
                        m.files().stream()
                            .filter(
                                f ->
                                    !f.has("fbank_args")
                                        && f.has("input")
                                        && f.get("input").string().equals(input))
                            .map(f -> f.get("file").string())
                            .findFirst()
                            .orElseGet(
                                () -> fail(m + ": no STFT entry takes " + input + " as input"))));
  }

  static Stream<String> melMatrices() {
    return FixtureManifest.cases(
        FOLDER,
        m ->
            m.files().stream()
                .map(f -> f.get("file").string())
                .filter(f -> fileName(f).startsWith("melmatrix_")));
  }

  static Stream<String> fbankCases() {
    return FixtureManifest.cases(FOLDER, m -> fbankEntries().map(f -> f.get("file").string()));
  }

  // ---- settings Sonus fixes
  // --------------------------------------------------------------------------------------

  /** Fails when the manifest records a setting other than the one Sonus always uses. */
  private static void sameAsSonus(Node args, Object sonus, String... keys) {
    Node n = args;
    for (String k : keys) {
      if (!n.has(k)) {
        return; // not recorded: SpeechBrain's default, which is Sonus's
      }
      n = n.get(k);
    }
    Object recorded = n.raw();
    boolean same =
        (recorded instanceof Number a && sonus instanceof Number b)
            ? a.doubleValue() == b.doubleValue()
            : (recorded instanceof String s && sonus instanceof String prefix)
                ? s.startsWith(prefix)
                : Objects.equals(recorded, sonus);
    if (!same) {
      fail(
          n
              + " is "
              + recorded
              + "; Sonus's Fbank always uses "
              + sonus
              + ", so this case cannot be compared");
    }
  }

  private static void stftSettingsAreSonus(Node args) {
    sameAsSonus(args, "torch.hamming_window", "STFT", "window_fn");
    sameAsSonus(args, false, "STFT", "normalized_stft");
    sameAsSonus(args, "constant", "STFT", "pad_mode");
    sameAsSonus(args, true, "STFT", "onesided");
  }

  private static void fbankSettingsAreSonus(Node args) {
    stftSettingsAreSonus(args);
    sameAsSonus(args, true, "STFT", "center");
    sameAsSonus(args, false, "requires_grad");
    sameAsSonus(args, 1.0, "param_change_factor");
    sameAsSonus(args, 0.0, "param_rand_factor");
    sameAsSonus(args, 1, "spectral_magnitude", "power");
    sameAsSonus(args, false, "spectral_magnitude", "log");
    sameAsSonus(args, true, "Filterbank", "log_mel");
    sameAsSonus(args, 2, "Filterbank", "power_spectrogram");
    sameAsSonus(args, 1e-10, "Filterbank", "amin");
    sameAsSonus(args, 1.0, "Filterbank", "ref_value");
    sameAsSonus(args, 80.0, "Filterbank", "top_db");
    sameAsSonus(args, 10, "Filterbank", "multiplier");
    sameAsSonus(args, 0.0, "Filterbank", "db_multiplier");
    sameAsSonus(args, 5, "deltas_window_length");
  }

  private static Filterbank.Shape filterShape(Node args) {
    String shape = args.get("filter_shape").string();
    try {
      return Filterbank.Shape.valueOf(shape.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return fail(
          args.get("filter_shape")
              + " is "
              + shape
              + "; Sonus has "
              + List.of(Filterbank.Shape.values()));
    }
  }

  // ---- tests
  // -----------------------------------------------------------------------------------------------------

  private static Tensor batchOf(float[] samples) {
    return Tensors.fromFloats(samples, 1, samples.length);
  }

  @ParameterizedTest
  @MethodSource("recordings")
  void decodedSamplesEqualSpeechBrainExactly(String wav) {
    Audio audio = AudioIO.read(manifest().path(wavFile(wav)));
    assertEquals(1, audio.numChannels(), () -> wav + ": the references are mono; " + audio);
    String reference = waveformOf(wav, audio.sampleRate());
    float[] expected = manifest().npy(reference).floats();
    assertArrayEquals(
        expected,
        audio.channel(0),
        wav
            + " vs "
            + reference
            + ": decoded samples must equal int16 / 32768 exactly (tolerance 0)");
    System.out.println(wav + " decoded: max |diff| 0 over " + expected.length + " samples");
  }

  @ParameterizedTest
  @MethodSource("resampled")
  void resamplingMatchesTorchaudioWithin1e4(String waveform) {
    Matcher m = RESAMPLE.matcher(entry(waveform).get("description").string());
    assertTrue(m.find());
    int from = Integer.parseInt(m.group(1));
    int to = Integer.parseInt(m.group(2));
    assertEquals(
        waveforms().get(waveform),
        to,
        () -> waveform + ": the Fbank cases read it at another rate");
    float[] in = manifest().npy(waveformOf(recordingOf(waveform), from)).floats();
    float[] expected = manifest().npy(waveform).floats();
    Close.assertClose(
        waveform + " resample " + from + "->" + to + " (tolerance 1e-4)",
        expected,
        Resample.resample(in, from, to),
        1e-4,
        0);
  }

  @ParameterizedTest
  @MethodSource("stfts")
  void stftAndPowerSpectrumMatchSpeechBrain(String stftFile) {
    String input = entry(stftFile).get("input").string();
    Node args = firstFbankArgsFor(input);
    stftSettingsAreSonus(args);
    int rate = args.get("sample_rate").intValue();
    String powerFile =
        manifest().files().stream()
            .filter(f -> f.has("input") && f.get("input").string().equals(stftFile))
            .map(f -> f.get("file").string())
            .findFirst()
            .orElseGet(
                () -> fail(manifest() + ": no power spectrum takes " + stftFile + " as input"));
    Npy.Array refStft = manifest().npy(stftFile);
    float[] refPower = manifest().npy(powerFile).floats();
    float[] samples = manifest().npy(input).floats();
    try (PointerScope scope = new PointerScope();
        Stft stft =
            new Stft(
                rate,
                args.get("win_length_ms").doubleValue(),
                args.get("hop_length_ms").doubleValue(),
                args.get("n_fft").intValue(),
                args.get("STFT").get("center").bool())) {
      args.opt("win_length_samples")
          .ifPresent(n -> assertEquals(n.intValue(), stft.winLength(), n.toString()));
      args.opt("hop_length_samples")
          .ifPresent(n -> assertEquals(n.intValue(), stft.hopLength(), n.toString()));
      Tensor out = stft.forward(batchOf(samples));
      Close.assertShape(prepend(refStft.shape()), Tensors.shape(out), stftFile);
      float[] expected = refStft.floats();
      double scale = maxAbs(expected);
      Close.assertClose(
          stftFile + " (tolerance 1e-5 * max|ref| + 1e-4 relative)",
          expected,
          Tensors.toFloats(out),
          1e-5 * scale,
          1e-4);
      Tensor power = stft.powerSpectrogram(batchOf(samples));
      Close.assertClose(
          powerFile + " (tolerance 1e-5 * max|ref| + 1e-4 relative)",
          refPower,
          Tensors.toFloats(power),
          1e-5 * maxAbs(refPower),
          1e-4);
    }
  }

  @ParameterizedTest
  @MethodSource("melMatrices")
  void melMatricesMatchSpeechBrain(String file) {
    Node e = entry(file);
    Matcher sr = SAMPLE_RATE.matcher(e.get("description").string());
    if (!sr.find()) {
      fail(e.get("description") + " does not record the sample rate (sr=...)");
    }
    int rate = Integer.parseInt(sr.group(1));
    long[] shape = e.get("shape").longs();
    int mels = Math.toIntExact(shape[1]);
    int nFft = Math.toIntExact(2 * (shape[0] - 1));
    Node args =
        fbankEntries()
            .map(f -> f.get("fbank_args"))
            .filter(
                a ->
                    a.get("sample_rate").intValue() == rate
                        && a.get("n_mels").intValue() == mels
                        && a.get("n_fft").intValue() == nFft)
            .findFirst()
            .orElseGet(
                () ->
                    fail(
                        manifest()
                            + ": "
                            + file
                            + " is for "
                            + rate
                            + " Hz, "
                            + mels
                            + " mels, n_fft "
                            + nFft
                            + ", but no Fbank case has those settings"));
    Npy.Array ref = manifest().npy(file);
    try (Filterbank fb =
        new Filterbank(
            mels,
            nFft,
            rate,
            args.get("f_min").doubleValue(),
            args.get("f_max").doubleValue(),
            filterShape(args),
            true,
            2,
            1e-10,
            1.0,
            80.0)) {
      // Same float32 formula as SpeechBrain; torch's vectorised pow may differ from ours by one
      // ulp, which moves
      // a filter edge by ~1e-4 Hz and a coefficient by up to ~2e-5.
      Close.assertClose(file + " (tolerance 2.5e-5)", ref.floats(), fb.matrix(), 2.5e-5, 0);
    }
  }

  @ParameterizedTest
  @MethodSource("fbankCases")
  void fbankMatchesSpeechBrainWithin1e3Db(String file) {
    Node e = entry(file);
    Node args = e.get("fbank_args");
    fbankSettingsAreSonus(args);
    Fbank.Options options =
        Fbank.Options.defaults()
            .withSampleRate(args.get("sample_rate").intValue())
            .withNFft(args.get("n_fft").intValue())
            .withNMels(args.get("n_mels").intValue())
            .withFrequencyRange(args.get("f_min").doubleValue(), args.get("f_max").doubleValue())
            .withFraming(
                args.get("win_length_ms").doubleValue(), args.get("hop_length_ms").doubleValue())
            .withFilterShape(filterShape(args))
            .withDeltas(args.get("deltas").bool())
            .withContext(args.get("context").bool());
    if (options.context()) {
      options =
          options.withContextFrames(
              args.get("left_frames").intValue(), args.get("right_frames").intValue());
    }
    Npy.Array ref = manifest().npy(file);
    float[] samples = manifest().npy(e.get("input").string()).floats();
    try (PointerScope scope = new PointerScope();
        Fbank fbank = new Fbank(options)) {
      Tensor out = fbank.forward(batchOf(samples));
      Close.assertShape(prepend(ref.shape()), Tensors.shape(out), file);
      Close.Diff d =
          Close.assertClose(
              file + " (tolerance 1e-3 dB)", ref.floats(), Tensors.toFloats(out), 1e-3, 0);
      assertTrue(
          d.meanAbs() <= 1e-4,
          () -> file + ": mean |diff| " + d.meanAbs() + " dB exceeds 1e-4 dB: " + d);
    }
  }

  private static long[] prepend(long[] shape) {
    long[] out = new long[shape.length + 1];
    out[0] = 1;
    System.arraycopy(shape, 0, out, 1, shape.length);
    return out;
  }

  private static double maxAbs(float[] a) {
    double m = 0;
    for (float v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }
}
