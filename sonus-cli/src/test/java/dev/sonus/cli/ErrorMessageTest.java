package dev.sonus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failures print the whole useful chain: the file, what went wrong, never a bare number. */
class ErrorMessageTest {
  @TempDir Path dir;

  @Test
  void writingOntoADirectoryNamesTheTargetAndTheReason() {
    Path wav = dir.resolve("t.wav");
    AudioIO.writeWav(wav, Audio.mono(new float[4000], 8000), WavEncoding.PCM_S16);
    Path out = dir.resolve("folder");
    out.toFile().mkdirs();
    MainTest.Result r = MainTest.run("features", "fbank", "--out", out.toString(), wav.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().contains("could not write " + out), r.err());
    assertTrue(r.err().contains("Is a directory"), r.err());
    assertTrue(r.err().contains("the previous content, if any, is unchanged"), r.err());
  }

  @Test
  void aRecipeThatIsNotTextNamesTheFileAndTheEncoding() throws IOException {
    Path bin = dir.resolve("bin.yaml");
    Files.write(bin, new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, (byte) 0xc3, 0x28});
    MainTest.Result r = MainTest.run("config", bin.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().contains("cannot read recipe " + bin), r.err());
    assertTrue(r.err().contains("not text in the expected encoding (UTF-8)"), r.err());
  }

  @Test
  void aMissingRecipeSaysNoSuchFile() {
    Path missing = dir.resolve("nonexistent.yaml");
    MainTest.Result r = MainTest.run("config", missing.toString());
    assertEquals(1, r.status());
    assertTrue(
        r.err()
            .contains("sonus: error: cannot read recipe " + missing + ": no such file: " + missing),
        r.err());
  }

  @Test
  void aRecipeThatIsADirectoryIsNamed() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("recipe.yaml"));
    MainTest.Result r = MainTest.run("config", folder.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().contains("cannot read recipe " + folder), r.err());
  }

  @Test
  void aFullDiskKeepsTheCheckpointContext() {
    // As Checkpointer reports it: the outer message carries the folder and that nothing was lost.
    UncheckedIOException e =
        new UncheckedIOException(
            "could not save a checkpoint in /runs/x/save: No space left on device (is the disk "
                + "full? earlier checkpoints are intact)",
            new IOException("No space left on device"));
    assertEquals(
        "could not save a checkpoint in /runs/x/save: No space left on device (is the disk full? "
            + "earlier checkpoints are intact)",
        Main.describe(e));
  }

  @Test
  void distinctCausesFollowTheOuterMessage() {
    IllegalStateException e =
        new IllegalStateException(
            "could not resume from /runs/x/save/ckpt-3",
            new UncheckedIOException(
                new NoSuchFileException("/runs/x/save/ckpt-3/model.safetensors")));
    assertEquals(
        "could not resume from /runs/x/save/ckpt-3: no such file: "
            + "/runs/x/save/ckpt-3/model.safetensors",
        Main.describe(e));
    UncheckedIOException enc =
        new UncheckedIOException(
            "cannot read a.txt: Input length = 1", new MalformedInputException(1));
    assertEquals(
        "cannot read a.txt: the bytes are not text in the expected encoding (UTF-8): "
            + "Input length = 1",
        Main.describe(enc));
  }

  @Test
  void anExceptionThatDoesNotExplainItselfKeepsItsName() {
    String d = Main.describe(new NegativeArraySizeException("-1610612656"));
    assertTrue(d.startsWith("NegativeArraySizeException: -1610612656"), d);
    assertTrue(d.contains("SONUS_DEBUG=1"), d);
    assertEquals(
        "NullPointerException (an internal error; run with SONUS_DEBUG=1 to see the stack trace)",
        Main.describe(new NullPointerException()));
    String bare = Main.describe(new IllegalArgumentException("42"));
    assertTrue(bare.startsWith("IllegalArgumentException: 42"), bare);
  }

  @Test
  void libtorchsFloatOverflowGetsAHint() {
    String d =
        Main.describe(
            new RuntimeException(
                "value cannot be converted to type float without overflow\n"
                    + "Exception raised from checked_convert at c10/util/TypeCast.h:22"));
    assertTrue(d.startsWith("value cannot be converted to type float without overflow"), d);
    assertFalse(d.contains("Exception raised from"), d);
    assertTrue(d.contains("float32 range") && d.contains("overrides"), d);
  }

  @Test
  void aMissingAudioFileIsSaidOnce(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    java.nio.file.Path missing = dir.resolve("gone.wav");
    MainTest.Result r =
        MainTest.run(
            "features", "fbank", missing.toString(), "--out", dir.resolve("f.npy").toString());
    assertEquals(1, r.status(), r.err());
    assertEquals("sonus: error: " + missing + ": no such file", r.err().strip(), r.err());
  }
}
