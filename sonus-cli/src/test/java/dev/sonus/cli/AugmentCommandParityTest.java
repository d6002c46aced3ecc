package dev.sonus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import dev.sonus.cli.MainTest.Result;
import dev.sonus.testing.FixtureManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code sonus augment} against {@code <sonus.fixtures>/speechbrain-augment}: every speed
 * perturbation ({@code SpeedPerturb} with one speed) and every reverberation ({@code AddReverb}
 * with a one-row RIR manifest in original order, {@code rescale_amp} as the case records) the
 * manifest lists, on its input sample, max |diff| ≤ 1e-4 against SpeechBrain's output.
 */
class AugmentCommandParityTest {
  private static final String FOLDER = "speechbrain-augment";
  private static final double TOLERANCE = 1e-4;
  private static final Pattern REVERB_FILE = Pattern.compile("reverb_(.+)_([a-z]+)\\.npy");

  static Stream<String> cases() {
    return FixtureManifest.cases(
        FOLDER,
        m ->
            m.files().stream()
                .filter(
                    f -> {
                      String d = f.get("description").string();
                      return d.startsWith("SpeedPerturb(") || d.startsWith("reverberate(");
                    })
                .map(f -> f.get("file").string()));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void augmentsLikeSpeechBrain(String file, @TempDir Path tmp) throws IOException {
    FixtureManifest m = FixtureManifest.of(FOLDER);
    FixtureManifest.Node input =
        m.files().stream()
            .filter(f -> f.get("file").string().startsWith("input/"))
            .findFirst()
            .orElseThrow(() -> new AssertionError(FOLDER + ": no input/ file in the manifest"));
    int rate = rate(input.get("description").string());
    Path in = tmp.resolve("speech.wav");
    writeWav(in, m.npy(input.get("file").string()).floats(), rate);

    String description = m.file(file).get("description").string();
    Map<String, String> args = FixtureManifest.callArgs(description);
    String yaml;
    if (description.startsWith("SpeedPerturb(")) {
      yaml =
          "augment: !new:augment.SpeedPerturb\n  orig_freq: "
              + args.get("orig_freq")
              + "\n  speeds: "
              + args.get("speeds")
              + "\n";
    } else {
      Matcher fm = REVERB_FILE.matcher(Path.of(file).getFileName().toString());
      assertTrue(fm.matches(), file + " is not named reverb_<rir>_<mode>.npy");
      String rirFile = "rir/" + fm.group(1) + ".npy";
      FixtureManifest.Node rirEntry = m.file(rirFile);
      Path rir = tmp.resolve(fm.group(1).replace(".wav", "") + ".wav");
      float[] taps = m.npy(rirFile).floats();
      int rirRate = rate(rirEntry.get("description").string());
      writeWav(rir, taps, rirRate);
      Path csv = tmp.resolve("rirs.csv");
      Files.writeString(
          csv,
          "ID,duration,wav\nrir,"
              + ((double) taps.length / rirRate)
              + ","
              + rir.toAbsolutePath()
              + "\n");
      yaml =
          "augment: !new:augment.AddReverb\n  csv_file: "
              + csv.toAbsolutePath()
              + "\n  sorting: original\n  rescale_amp: "
              + args.get("rescale_amp")
              + "\n";
    }
    Path config = tmp.resolve("aug.yaml");
    Files.writeString(config, yaml);
    Path out = tmp.resolve("out.wav");
    Result r =
        MainTest.run(
            "augment", "--config", config.toString(), "--out", out.toString(), in.toString());
    assertEquals(0, r.status(), r.err() + r.out());

    float[] expected = m.npy(file).floats();
    Audio got = AudioIO.read(out);
    assertEquals(rate, got.sampleRate(), "the output keeps the input's rate");
    assertEquals(expected.length, got.numFrames(), file + ": length");
    double worst = 0;
    int at = -1;
    for (int i = 0; i < expected.length; i++) {
      double d = Math.abs(expected[i] - got.channel(0)[i]);
      if (d > worst) {
        worst = d;
        at = i;
      }
    }
    assertTrue(
        worst <= TOLERANCE,
        file + " (" + description + "): max |diff| " + worst + " at sample " + at);
  }

  private static int rate(String description) {
    Matcher sr = Pattern.compile("sr=(\\d+)").matcher(description);
    assertTrue(sr.find(), "no sr= in '" + description + "'");
    return Integer.parseInt(sr.group(1));
  }

  private static void writeWav(Path path, float[] samples, int rate) {
    AudioIO.writeWav(path, Audio.mono(samples, rate), WavEncoding.FLOAT32);
  }
}
