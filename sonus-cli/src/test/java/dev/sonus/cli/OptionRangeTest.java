package dev.sonus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Numeric options are checked before any work: the option, the value and the allowed range. */
class OptionRangeTest {
  @TempDir Path dir;

  private Path tone() {
    float[] x = new float[4000];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.3 * Math.sin(i * 0.2));
    }
    Path p = dir.resolve("tone.wav");
    AudioIO.writeWav(p, Audio.mono(x, 8000), WavEncoding.PCM_S16);
    return p;
  }

  private static void assertUsageError(MainTest.Result r, String... fragments) {
    assertEquals(2, r.status(), r.err());
    for (String f : fragments) {
      assertTrue(r.err().contains(f), "'" + f + "' in: " + r.err());
    }
    assertFalse(r.err().contains("sonus: error: -"), r.err());
  }

  private MainTest.Result features(String... options) {
    String[] args = new String[options.length + 5];
    args[0] = "features";
    args[1] = "fbank";
    System.arraycopy(options, 0, args, 2, options.length);
    args[options.length + 2] = "--out";
    args[options.length + 3] = dir.resolve("x.npy").toString();
    args[options.length + 4] = tone().toString();
    return MainTest.run(args);
  }

  @Test
  void aHugeFftSizeIsRefusedNamingTheOptionAndRange() {
    assertUsageError(
        features("--n-fft", "67108864"), "--n-fft is 67108864", "2..65536", "FFT size");
    assertFalse(Files.exists(dir.resolve("x.npy")));
  }

  @Test
  void moreMelFiltersThanFrequencyBinsAreRefused() {
    assertUsageError(
        features("--n-mels", "100000"), "--n-mels is 100000", "1..201", "frequency bins");
    assertUsageError(features("--n-mels", "0"), "--n-mels is 0");
  }

  @Test
  void anAbsurdSampleRateIsRefusedBeforeResampling() {
    long t0 = System.nanoTime();
    assertUsageError(
        features("--sample-rate", "2000000000"), "--sample-rate is 2000000000", "1..768000", "Hz");
    assertTrue((System.nanoTime() - t0) / 1e9 < 10, "refused at once, not after resampling");
  }

  @Test
  void windowHopAndContextAreChecked() {
    assertUsageError(features("--win-ms", "NaN"), "--win-ms is NaN", "(0, 1000]");
    assertUsageError(features("--hop-ms", "0"), "--hop-ms is 0");
    assertUsageError(features("--left-frames", "-3"), "--left-frames is -3", "0..100");
  }

  @Test
  void mfccNeedsNoMoreCoefficientsThanMelFilters() {
    MainTest.Result r =
        MainTest.run(
            "features",
            "mfcc",
            "--n-mfcc",
            "50",
            "--out",
            dir.resolve("m.npy").toString(),
            tone().toString());
    assertUsageError(r, "--n-mfcc is 50", "1..23", "--n-mels 23");
  }

  @Test
  void aVerificationThresholdMustBeAFiniteCosine() {
    for (String t : new String[] {"NaN", "Infinity", "1.5", "-2"}) {
      MainTest.Result r =
          MainTest.run("verify", "--model", dir.toString(), "--threshold", t, "a.wav", "b.wav");
      assertUsageError(r, "--threshold is " + t, "[-1, 1]", "cosine");
    }
  }

  @Test
  void beamSizesAndLmWeightsAreChecked() {
    assertUsageError(
        MainTest.run("transcribe", "--model", dir.toString(), "--beam", "0", "x.wav"),
        "--beam is 0",
        "1..10000");
    assertUsageError(
        MainTest.run("eval", dir.toString(), "--lm-weight", "NaN"),
        "--lm-weight is NaN",
        "[0, 100]");
  }

  @Test
  void scoringOptionsAreChecked() {
    assertUsageError(
        MainTest.run("score", "--model", "m", "--trials", "t", "--p-target", "1"),
        "--p-target is 1.0",
        "(0, 1)");
    assertUsageError(
        MainTest.run("score", "--model", "m", "--trials", "t", "--cohort-size", "-1"),
        "--cohort-size is -1");
  }

  @Test
  void otherCommandsCheckTheirNumbersToo() {
    assertUsageError(
        MainTest.run("replay", dir.toString(), "--tolerance", "NaN"), "--tolerance is NaN");
    assertUsageError(MainTest.run("bench", "fbank", "--runs", "0"), "--runs is 0", "1..1000");
    assertUsageError(
        MainTest.run("bench", "loader", "--data-folder", "d", "--workers", "1,0"),
        "--workers is 0");
    assertUsageError(
        MainTest.run(
            "data", "prepare-fsdd", "--data-folder", "d", "--out", "o", "--valid-takes", "60"),
        "--valid-takes is 60",
        "0..50");
  }

  @Test
  void aRecipeOverrideBeyondFloatRangeNamesTheKey() throws Exception {
    Path recipe = dir.resolve("r.yaml");
    Files.writeString(recipe, "lr: 0.001\n");
    MainTest.Result r = MainTest.run("config", recipe.toString(), "--lr=1e300");
    assertUsageError(r, "--lr=1e300", "float32 range");
    MainTest.Result negative = MainTest.run("config", recipe.toString(), "--lr=-3.5e38");
    assertUsageError(negative, "--lr=-3.5e38");
    assertEquals(0, MainTest.run("config", recipe.toString(), "--lr=3e38").status());
    assertEquals(0, MainTest.run("config", recipe.toString(), "--lr=1e-300").status());
  }

  @Test
  void anIntegerOverrideTooLargeForItsParameterNamesTheKey() throws Exception {
    Path recipe = dir.resolve("f.yaml");
    Files.writeString(
        recipe,
        "n_mels: 40\nfeatures: !new:features.Fbank {sample_rate: 8000, n_mels: !ref <n_mels>}\n");
    MainTest.Result r = MainTest.run("config", recipe.toString(), "--n_mels=3000000000", "--build");
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("features.n_mels") && r.err().contains("3000000000"), r.err());
  }

  @Test
  void somethingThatIsNotAnOverrideIsAUsageError() throws Exception {
    Path recipe = dir.resolve("r.yaml");
    Files.writeString(recipe, "lr: 0.001\n");
    assertUsageError(
        MainTest.run("config", recipe.toString(), "stray"), "unexpected arguments [stray]");
    assertUsageError(
        MainTest.run("config", recipe.toString(), "--lr=1", "--lr=2"), "--lr is given twice");
  }
}
