package dev.sonus.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.Resample;
import dev.sonus.tensor.Npy;
import dev.sonus.tensor.Tensors;
import dev.sonus.testing.Close;
import dev.sonus.testing.Shared;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parity with SpeechBrain v1.0.0 on the three FSDD recordings in {@code ../shared/fixtures/speechbrain/fbank}
 * (how each file was made: that folder's manifest.json). Skipped when the fixtures are absent.
 */
class FbankParityTest {
  private static final String[] WAVS = {"0_jackson_0", "7_theo_12", "3_nicolas_25"};

  private static Path fbankDir() {
    return Shared.require("fixtures/speechbrain/fbank");
  }

  private static Tensor batchOf(float[] samples) {
    return Tensors.fromFloats(samples, 1, samples.length);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0_jackson_0", "7_theo_12", "3_nicolas_25"})
  void decodedSamplesEqualSpeechBrainExactly(String name) {
    Path dir = fbankDir();
    Audio audio = AudioIO.read(dir.resolve(name + ".wav"));
    float[] expected = Npy.read(dir.resolve(name + ".wav8k.npy")).floats();
    assertTrue(audio.sampleRate() == 8000 && audio.numChannels() == 1, audio::toString);
    assertArrayEquals(expected, audio.channel(0), "decoded samples must equal int16 / 32768 exactly");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0_jackson_0", "7_theo_12", "3_nicolas_25"})
  void resampling8to16kMatchesTorchaudioWithin1e4(String name) {
    Path dir = fbankDir();
    float[] in = Npy.read(dir.resolve(name + ".wav8k.npy")).floats();
    float[] expected = Npy.read(dir.resolve(name + ".wav16k.npy")).floats();
    Close.assertClose(name + " resample 8k->16k", expected, Resample.resample(in, 8000, 16000), 1e-4, 0);
  }

  static Stream<Arguments> rates() {
    return Stream.of(WAVS).flatMap(w -> Stream.of(Arguments.of(w, 8000), Arguments.of(w, 16000)));
  }

  private static float[] input(Path dir, String name, int rate) {
    return Npy.read(dir.resolve(name + (rate == 8000 ? ".wav8k.npy" : ".wav16k.npy"))).floats();
  }

  private static String tag(int rate) {
    return rate == 8000 ? "8k" : "16k";
  }

  @ParameterizedTest
  @MethodSource("rates")
  void stftAndPowerSpectrumMatchSpeechBrain(String name, int rate) {
    Path dir = fbankDir();
    Npy.Array refStft = Npy.read(dir.resolve(name + "." + tag(rate) + ".stft.npy"));
    float[] refPower = Npy.read(dir.resolve(name + "." + tag(rate) + ".power.npy")).floats();
    try (PointerScope scope = new PointerScope(); Stft stft = new Stft(rate, 25, 10, 400, true)) {
      Tensor out = stft.forward(batchOf(input(dir, name, rate)));
      Close.assertShape(prepend(refStft.shape()), Tensors.shape(out), "stft");
      float[] expected = refStft.floats();
      double scale = maxAbs(expected);
      Close.assertClose(name + "@" + rate + " stft", expected, Tensors.toFloats(out), 1e-5 * scale, 1e-4);
      Tensor power = stft.powerSpectrogram(batchOf(input(dir, name, rate)));
      Close.assertClose(name + "@" + rate + " power", refPower, Tensors.toFloats(power),
          1e-5 * maxAbs(refPower), 1e-4);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"8k_mel40", "8k_mel80", "16k_mel40", "16k_mel80"})
  void melMatricesMatchSpeechBrain(String which) {
    Path dir = fbankDir();
    int rate = which.startsWith("8k") ? 8000 : 16000;
    int mels = which.endsWith("40") ? 40 : 80;
    Npy.Array ref = Npy.read(dir.resolve("melmatrix_" + which + ".npy"));
    try (Filterbank fb = Filterbank.speechBrainDefaults(mels, 400, rate, 0, rate / 2.0)) {
      // Same float32 formula as SpeechBrain; torch's vectorised pow may differ from ours by one ulp, which moves
      // a filter edge by ~1e-4 Hz and a coefficient by up to ~2e-5.
      Close.assertClose("mel matrix " + which, ref.floats(), fb.matrix(), 2.5e-5, 0);
    }
  }

  static Stream<Arguments> fbankCases() {
    return Stream.of(WAVS).flatMap(w -> Stream.of(
        Arguments.of(w, 8000, 40, ""), Arguments.of(w, 8000, 80, ""),
        Arguments.of(w, 16000, 40, ""), Arguments.of(w, 16000, 80, ""),
        Arguments.of(w, 16000, 40, "_d"), Arguments.of(w, 16000, 40, "_d_ctx")));
  }

  @ParameterizedTest
  @MethodSource("fbankCases")
  void fbankMatchesSpeechBrainWithin1e3Db(String name, int rate, int mels, String variant) {
    Path dir = fbankDir();
    Npy.Array ref = Npy.read(dir.resolve(name + "." + tag(rate) + ".fbank_mel" + mels + variant + ".npy"));
    Fbank.Options options = Fbank.Options.defaults().withSampleRate(rate).withNMels(mels)
        .withDeltas(variant.contains("d")).withContext(variant.contains("ctx"));
    try (PointerScope scope = new PointerScope(); Fbank fbank = new Fbank(options)) {
      Tensor out = fbank.forward(batchOf(input(dir, name, rate)));
      Close.assertShape(prepend(ref.shape()), Tensors.shape(out), "fbank");
      Close.Diff d = Close.assertClose(name + "@" + rate + " fbank mel" + mels + variant, ref.floats(),
          Tensors.toFloats(out), 1e-3, 0);
      assertTrue(d.meanAbs() <= 1e-4, () -> "mean |diff| " + d.meanAbs() + " dB exceeds 1e-4 dB: " + d);
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
