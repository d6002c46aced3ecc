package dev.sonus.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import dev.sonus.tensor.Npy;
import dev.sonus.util.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  @TempDir Path dir;

  record Result(int status, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Result(status, out.toString(), err.toString());
  }

  private Path tone(int rate, double seconds, int channels) {
    int n = (int) Math.round(rate * seconds);
    float[][] s = new float[channels][n];
    for (int c = 0; c < channels; c++) {
      for (int i = 0; i < n; i++) {
        s[c][i] = (float) (0.3 * Math.sin(2 * Math.PI * (300 + 200 * c) * i / rate));
      }
    }
    Path p = dir.resolve("tone" + rate + "_" + channels + ".wav");
    AudioIO.writeWav(p, new Audio(s, rate), WavEncoding.PCM_S16);
    return p;
  }

  @Test
  @SuppressWarnings("unchecked")
  void envJsonIsValidJsonWithLibtorchAndJavaDetails() {
    Result r = run("env", "--json");
    assertEquals(0, r.status(), r.err());
    Map<String, Object> env = (Map<String, Object>) Json.parse(r.out());
    assertEquals(System.getProperty("java.version"), env.get("java_version"));
    Map<String, Object> torch = (Map<String, Object>) env.get("libtorch");
    // The libtorch that loaded is the one the build's presets carry (pytorch.version =
    // LIBTORCH-JAVACPP).
    Map<String, Object> bytedeco = (Map<String, Object>) env.get("bytedeco");
    String presets = (String) bytedeco.get("pytorch_presets");
    assertEquals(presets.substring(0, presets.lastIndexOf('-')), torch.get("version"), presets);
    assertTrue(((Long) torch.get("intra_op_threads")) >= 1);
    assertTrue(
        env.containsKey("cpu_model")
            && env.containsKey("simd")
            && env.containsKey("sonus_version"));
  }

  @Test
  void envTextNamesLibtorchAndTheBlas() {
    Result r = run("env");
    assertEquals(0, r.status(), r.err());
    assertTrue(
        r.out().matches("(?s).*libtorch   \\d+\\.\\d+\\.\\d+.*") && r.out().contains("BLAS"),
        r.out());
  }

  @Test
  void featuresFbankWritesFramesByMels() throws Exception {
    Path wav = tone(8000, 0.5, 1);
    Path out = dir.resolve("f.npy");
    Result r = run("features", "fbank", "--n-mels", "40", "--out", out.toString(), wav.toString());
    assertEquals(0, r.status(), r.err());
    Npy.Array a = Npy.read(out);
    assertEquals("<f4", a.dtype());
    assertArrayEquals(new long[] {1 + 4000 / 80, 40}, a.shape());
  }

  @Test
  void featuresResamplesFirstWhenAskedAndAveragesChannels() {
    Path wav = tone(8000, 0.5, 2);
    Path out = dir.resolve("m.npy");
    Result r =
        run(
            "features",
            "mfcc",
            "--sample-rate",
            "16000",
            "--deltas",
            "--context",
            "--out",
            out.toString(),
            wav.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.err().contains("2 channels"), r.err());
    assertArrayEquals(new long[] {1 + 8000 / 160, 20 * 3 * 11}, Npy.read(out).shape());
  }

  @Test
  void featuresSpectrogramHasHalfTheFftPlusOneBins() {
    Path wav = tone(16000, 0.25, 1);
    Path out = dir.resolve("s.npy");
    Result r = run("features", "spectrogram", "--out", out.toString(), wav.toString());
    assertEquals(0, r.status(), r.err());
    assertArrayEquals(new long[] {1 + 4000 / 160, 201}, Npy.read(out).shape());
  }

  @Test
  void aMissingInputIsReportedWithItsPathAndStatusOne() {
    Path missing = dir.resolve("nope.wav");
    Path out = dir.resolve("x.npy");
    Result r = run("features", "fbank", "--out", out.toString(), missing.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().contains(missing.toString()) && r.err().contains("no such file"), r.err());
    assertTrue(!Files.exists(out), "no output is written when the input cannot be read");
  }

  @Test
  void aCorruptInputLeavesAnExistingOutputUntouched() throws Exception {
    Path bad = dir.resolve("bad.wav");
    Files.writeString(bad, "RIFF....WAVEfmt this is not audio");
    Path out = dir.resolve("keep.npy");
    Npy.write(out, new float[] {1f, 2f}, 2);
    byte[] before = Files.readAllBytes(out);
    Result r = run("features", "fbank", "--out", out.toString(), bad.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().contains(bad.toString()), r.err());
    assertArrayEquals(before, Files.readAllBytes(out));
  }

  @Test
  void anUnknownFeatureKindIsAUsageErrorListingTheChoices() {
    Result r = run("features", "fbnk", "--out", dir.resolve("x.npy").toString(), "x.wav");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("fbnk") && r.err().contains("fbank, mfcc, spectrogram"), r.err());
  }

  @Test
  void configPrintsTheResolvedRecipeWithOverrides() throws Exception {
    Path recipe = dir.resolve("r.yaml");
    Files.writeString(
        recipe,
        "data_folder: !PLACEHOLDER\nn_mels: 40\nsave: !ref <data_folder>/save\n"
            + "features: !new:features.Fbank {sample_rate: 8000, n_mels: !ref <n_mels>}\n");
    Result r = run("config", recipe.toString(), "--data_folder=/d", "--n_mels=80", "--build");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("save: /d/save") && r.out().contains("n_mels: 80"), r.out());
    Result missing = run("config", recipe.toString());
    assertEquals(1, missing.status());
    assertTrue(
        missing.err().contains("r.yaml:1") && missing.err().contains("data_folder"), missing.err());
  }

  @Test
  void dataCheckExitsOneAndListsEachProblemWithItsRow() throws Exception {
    Path wav = tone(16000, 0.5, 1);
    Path train = dir.resolve("train.csv");
    Files.writeString(
        train,
        "ID,duration,wav,spk_id,wrd\na,0.5,"
            + wav
            + ",s1,one\na,0.5,"
            + wav
            + ",s1,one\n"
            + "b,0.5,"
            + dir.resolve("gone.wav")
            + ",s1,two\n");
    Path test = dir.resolve("test.csv");
    Files.writeString(test, "ID,duration,wav,spk_id,wrd\nt,0.5," + wav + ",s1,three\n");
    Result r = run("data", "check", train.toString(), test.toString());
    assertEquals(1, r.status(), r.out() + r.err());
    assertTrue(r.out().contains("train.csv:3: a [duplicate_id]"), r.out());
    assertTrue(r.out().contains("train.csv:4: b [missing_audio]"), r.out());
    assertTrue(r.out().contains("test.csv:2: t [speaker_overlap]"), r.out());
    Path clean = dir.resolve("clean.csv");
    Files.writeString(clean, "ID,duration,wav,spk_id,wrd\na,0.5," + wav + ",s1,one\n");
    assertEquals(0, run("data", "check", clean.toString()).status());
  }

  @Test
  void aNonPositiveThreadCountIsRejected() {
    Result r = run("--threads", "0", "env");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("--threads is 0"), r.err());
  }

  @Test
  void transcribeAndEvalNameAFolderThatIsNotARun() throws Exception {
    Result missing = run("transcribe", "--model", dir.resolve("nope").toString(), "x.wav");
    assertEquals(1, missing.status());
    assertTrue(
        missing.err().contains("model folder " + dir.resolve("nope") + " does not exist"),
        missing.err());
    java.nio.file.Files.createDirectories(dir.resolve("empty"));
    Result notRun = run("eval", dir.resolve("empty").toString());
    assertEquals(1, notRun.status());
    assertTrue(notRun.err().contains("has no hparams.yaml: not a Sonus run folder"), notRun.err());
  }

  @Test
  void quickstartChecksTheDemoCorpusBeforeTraining() throws Exception {
    Path demo = java.nio.file.Files.createDirectories(dir.resolve("digits/audio"));
    java.nio.file.Files.writeString(demo.resolve("a.flac"), "not what was committed");
    java.nio.file.Files.writeString(
        dir.resolve("digits/SHA256SUMS"),
        "0000000000000000000000000000000000000000000000000000000000000000  ./audio/a.flac\n");
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> QuickstartCommand.verifyDemoCorpus(dir.resolve("digits")));
    assertTrue(
        e.getMessage().contains("does not match SHA256SUMS")
            && e.getMessage().contains("git checkout"),
        e.getMessage());
    // The corpus that ships with the project passes.
    QuickstartCommand.verifyDemoCorpus(Path.of("../demo/digits"));
  }
}
