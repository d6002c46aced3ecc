package dev.sonus.datasets;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tiny corpora laid out like the real ones, made in a test's temporary folder: short tones as WAV,
 * and for AN4 a real FLAC file (the 0.5 s fixture of the FLAC reader tests) under each expected
 * name.
 */
final class TinyCorpora {
  /** AN4 training speakers of {@link #an4}: ten, two utterances each. */
  static final List<String> AN4_TRAIN_SPEAKERS =
      List.of("fash", "fbbh", "fclc", "fejs", "fkai", "mblw", "mcen", "mdcs", "mjgm", "mmxg");

  /** AN4 test speakers of {@link #an4}: two, two utterances each. */
  static final List<String> AN4_TEST_SPEAKERS = List.of("fcaw", "mjwl");

  /** Speech Commands speaker hashes of {@link #speechCommands}. */
  static final List<String> SC_SPEAKERS =
      List.of(
          "022cd682",
          "03401e93",
          "0b57a6ed",
          "0bac8a71",
          "0c40e715",
          "0c540988",
          "0cb74144",
          "1a5b9ca4",
          "2aca1e72",
          "3bfd30e6");

  private TinyCorpora() {}

  /**
   * Encoded tones by rate and length: each is encoded once, then copied (an atomic write syncs to
   * disk).
   */
  private static final Map<String, byte[]> TONES = new ConcurrentHashMap<>();

  /** Writes a mono 16-bit WAV tone of {@code seconds} at {@code rate} Hz. */
  static Path tone(Path file, int rate, double seconds) {
    int n = (int) Math.round(rate * seconds);
    try {
      Files.createDirectories(file.getParent());
      byte[] bytes = TONES.get(rate + "/" + n);
      if (bytes == null) {
        float[] x = new float[n];
        for (int i = 0; i < x.length; i++) {
          x[i] = (float) (0.1 * Math.sin(2 * Math.PI * 440 * i / rate));
        }
        AudioIO.writeWav(file, Audio.mono(x, rate), WavEncoding.PCM_S16);
        TONES.put(rate + "/" + n, Files.readAllBytes(file));
      } else {
        Files.write(file, bytes);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies the 16 kHz, 0.5 s FLAC fixture to {@code file}. */
  static Path flac(Path file) {
    try (InputStream in = TinyCorpora.class.getResourceAsStream("/audio/flac/mono16_16k.flac")) {
      if (in == null) {
        throw new IllegalStateException("missing test fixture audio/flac/mono16_16k.flac");
      }
      Files.createDirectories(file.getParent());
      Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * AN4: {@code etc/} with transcriptions and file ids (test lines without {@code <s>} tags, one
   * line in lower case with extra spaces, as normalisation must handle) and {@code
   * flac/an4_clstk/<speaker>/<id>.flac}.
   */
  static Path an4(Path root) {
    write(root, "train", "an4_clstk", AN4_TRAIN_SPEAKERS, true);
    write(root, "test", "an4test_clstk", AN4_TEST_SPEAKERS, false);
    return root;
  }

  private static void write(
      Path root, String set, String folder, List<String> speakers, boolean tags) {
    List<String> transcripts = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    int prompt = set.equals("train") ? 251 : 406;
    for (String spk : speakers) {
      for (int k = 0; k < 2; k++) {
        String id = (k == 0 ? "an" + prompt++ : "cen" + (k + 1)) + "-" + spk + "-b";
        String words = k == 0 ? "RUBOUT G M E F THREE NINE" : "yes  go";
        transcripts.add((tags ? "<s> " + words + " </s>" : words) + " (" + id + ")");
        ids.add(folder + "/" + spk + "/" + id);
        flac(root.resolve("flac/" + folder + "/" + spk + "/" + id + ".flac"));
      }
    }
    try {
      Files.createDirectories(root.resolve("etc"));
      Files.write(root.resolve("etc/an4_" + set + ".transcription"), transcripts);
      Files.write(root.resolve("etc/an4_" + set + ".fileids"), ids);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Speech Commands, 12-class layout: each of the ten speakers says every command word once
   * (speaker 0 twice), two of them say two unknown words, and {@code _silence_} holds four clips;
   * 0.05 s tones at 16 kHz.
   */
  static Path speechCommands(Path root) {
    for (String label : SpeechCommandsPreparer.LABELS) {
      if (label.startsWith("_")) {
        continue;
      }
      for (String spk : SC_SPEAKERS) {
        tone(root.resolve(label + "/" + spk + "_nohash_0.wav"), 16000, 0.05);
      }
      tone(root.resolve(label + "/" + SC_SPEAKERS.get(0) + "_nohash_1.wav"), 16000, 0.05);
    }
    for (String word : List.of("backward", "zero")) {
      for (String spk : SC_SPEAKERS.subList(0, 2)) {
        tone(root.resolve("_unknown_/" + word + "_" + spk + "_nohash_0.wav"), 16000, 0.05);
      }
    }
    for (int i = 0; i < 4; i++) {
      tone(root.resolve("_silence_/" + (1000 + i) + ".wav"), 16000, 0.05);
    }
    return root;
  }

  /**
   * NOIZEUS: six clean sentences and each in airport and car noise at 0 and 5 dB; 0.05 s tones at 8
   * kHz.
   */
  static Path noizeus(Path root) {
    for (int s = 1; s <= 6; s++) {
      String sp = String.format("sp%02d", s);
      double seconds = 0.04 + 0.01 * s;
      tone(root.resolve("clean/" + sp + ".wav"), 8000, seconds);
      for (String noise : List.of("airport", "car")) {
        for (int snr : new int[] {0, 5}) {
          tone(
              root.resolve(
                  "noisy/" + noise + "_" + snr + "dB/" + sp + "_" + noise + "_sn" + snr + ".wav"),
              8000,
              seconds);
        }
      }
    }
    return root;
  }

  /** FSDD: speakers jackson and theo, digits 0-1, takes 0-2; 0.05 s tones at 8 kHz. */
  static Path fsdd(Path root) {
    for (String spk : List.of("jackson", "theo")) {
      for (int digit = 0; digit < 2; digit++) {
        for (int take = 0; take < 3; take++) {
          tone(root.resolve(digit + "_" + spk + "_" + take + ".wav"), 8000, 0.05);
        }
      }
    }
    return root;
  }
}
