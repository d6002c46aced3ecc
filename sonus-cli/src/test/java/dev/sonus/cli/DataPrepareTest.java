package dev.sonus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataPrepareTest {
  @TempDir Path dir;

  record Result(int status, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Result(status, out.toString(), err.toString());
  }

  /**
   * An FSDD-like folder: speakers jackson and theo, digits 0-1, takes 0-2, 0.1 s tones at 8 kHz.
   */
  private Path fsdd() {
    Path folder = dir.resolve("recordings");
    float[] x = new float[800];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.1 * Math.sin(i * 0.3));
    }
    for (String spk : List.of("jackson", "theo")) {
      for (int digit = 0; digit < 2; digit++) {
        for (int take = 0; take < 3; take++) {
          AudioIO.writeWav(
              folder.resolve(digit + "_" + spk + "_" + take + ".wav"),
              Audio.mono(x, 8000),
              WavEncoding.PCM_S16);
        }
      }
    }
    return folder;
  }

  @Test
  void preparePrintsOneLinePerManifestWithRowsHoursAndSpeakers() throws Exception {
    Path data = fsdd();
    Path out = dir.resolve("out");
    Result r =
        run(
            "data",
            "prepare",
            "fsdd",
            "--data-folder",
            data.toString(),
            "--out",
            out.toString(),
            "--option",
            "valid_takes=1");
    assertEquals(0, r.status(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(
        List.of(
            "train " + out.resolve("train.csv") + ": 4 rows, 0.00 h, 1 speaker",
            "valid " + out.resolve("valid.csv") + ": 2 rows, 0.00 h, 1 speaker",
            "test  " + out.resolve("test.csv") + ": 6 rows, 0.00 h, 1 speaker"),
        lines);
    assertTrue(
        Files.readString(out.resolve("test.csv"))
            .startsWith(
                "ID,duration,wav,spk_id,digit,wrd\n"
                    + "0_theo_0,0.10000,$data_root/0_theo_0.wav,theo,0,zero\n"));
  }

  @Test
  void theOlderPrepareFsddFormWritesTheSameManifests() throws Exception {
    Path data = fsdd();
    assertEquals(
        0,
        run(
                "data",
                "prepare",
                "fsdd",
                "--data-folder",
                data.toString(),
                "--out",
                dir.resolve("a").toString(),
                "-o",
                "valid_takes=2")
            .status());
    Result old =
        run(
            "data",
            "prepare-fsdd",
            "--data-folder",
            data.toString(),
            "--out",
            dir.resolve("b").toString(),
            "--valid-takes",
            "2");
    assertEquals(0, old.status(), old.err());
    for (String f : List.of("train.csv", "valid.csv", "test.csv")) {
      assertEquals(
          Files.readString(dir.resolve("a").resolve(f)),
          Files.readString(dir.resolve("b").resolve(f)),
          f);
    }
  }

  @Test
  void anUnknownCorpusIsAUsageErrorListingTheKnownOnes() {
    Result r =
        run("data", "prepare", "timit", "--data-folder", dir.toString(), "--out", dir.toString());
    assertEquals(2, r.status());
    assertTrue(
        r.err().contains("'timit'") && r.err().contains("fsdd, an4, speech-commands, noizeus"),
        r.err());
  }

  @Test
  void aMissingDataFolderIsNamedAndNothingIsWritten() {
    Path missing = dir.resolve("no-such-corpus");
    Path out = dir.resolve("out");
    Result r =
        run("data", "prepare", "an4", "--data-folder", missing.toString(), "--out", out.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().contains(missing.toString()) && r.err().contains("does not exist"), r.err());
    assertTrue(!Files.exists(out));
  }

  @Test
  void anUnknownOptionNamesTheCorpusOptions() {
    Result r =
        run(
            "data",
            "prepare",
            "noizeus",
            "--data-folder",
            dir.toString(),
            "--out",
            dir.toString(),
            "-o",
            "test_sentence=3");
    assertEquals(1, r.status());
    assertTrue(
        r.err().contains("test_sentence")
            && r.err().contains("valid_sentences, test_sentences, seed"),
        r.err());
  }

  @Test
  void theHelpListsEveryCorpusWithItsOptions() {
    Result r = run("data", "prepare", "--help");
    assertEquals(0, r.status(), r.err());
    for (String s :
        List.of(
            "fsdd",
            "an4",
            "speech-commands",
            "noizeus",
            "valid_takes=5",
            "valid_speakers=0.1",
            "test_speakers=0.1",
            "test_sentences=10",
            "seed=0")) {
      assertTrue(r.out().contains(s), s + " is missing from the help:\n" + r.out());
    }
  }
}
