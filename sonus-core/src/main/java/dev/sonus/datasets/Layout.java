package dev.sonus.datasets;

import dev.sonus.audio.AudioFormatException;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.AudioInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What the preparers share about folders on disk: checking that a data folder holds the expected
 * corpus (and pointing at the folder that does when it does not), listing, finding and reading
 * recordings, and writing their paths relative to the data folder.
 */
final class Layout {
  /**
   * Extensions (with the dot) of the recordings a preparer accepts, in the order they are looked
   * for: {@link AudioIO#EXTENSIONS}.
   */
  static final List<String> AUDIO_EXTENSIONS =
      AudioIO.EXTENSIONS.stream().map(e -> "." + e).toList();

  private Layout() {}

  /**
   * Checks that {@code dataFolder} is a directory for which {@code looksRight} holds.
   *
   * @param corpus the corpus's name in messages ({@code AN4})
   * @param holds what the right folder holds, for the message ({@code etc/ and flac/})
   * @param missing what is absent from {@code dataFolder}, for the message (called only when it is
   *     wrong)
   * @throws IllegalArgumentException naming the folder, what was expected and, when a sub-folder or
   *     the parent looks right, that folder
   */
  static void require(
      Path dataFolder,
      String corpus,
      String holds,
      Predicate<Path> looksRight,
      Function<Path, String> missing) {
    if (!Files.exists(dataFolder)) {
      throw new IllegalArgumentException(
          String.format(
              "%s data folder %s does not exist; point --data-folder (a "
                  + "recipe's data_folder) at the folder that holds %s",
              corpus, dataFolder, holds));
    }
    if (!Files.isDirectory(dataFolder)) {
      throw new IllegalArgumentException(
          String.format(
              "%s data folder %s is a file, not a folder; point "
                  + "--data-folder (a recipe's data_folder) at the folder that holds %s",
              corpus, dataFolder, holds));
    }
    if (looksRight.test(dataFolder)) {
      return;
    }
    StringBuilder msg =
        new StringBuilder(
            String.format(
                "%s does not look like the %s corpus (%s); point "
                    + "--data-folder (a recipe's data_folder) at the folder that holds %s",
                dataFolder, corpus, missing.apply(dataFolder), holds));
    Path better = nearby(dataFolder, looksRight);
    if (better != null) {
      msg.append(String.format("; %s looks like it", better));
    }
    throw new IllegalArgumentException(msg.toString());
  }

  /**
   * A sub-folder (one level down) or an ancestor (up to two levels) of {@code folder} that looks
   * right.
   */
  private static Path nearby(Path folder, Predicate<Path> looksRight) {
    for (Path child : listOrEmpty(folder)) {
      if (Files.isDirectory(child) && looksRight.test(child)) {
        return child;
      }
    }
    Path up = folder.toAbsolutePath().normalize().getParent();
    for (int i = 0; i < 2 && up != null; i++, up = up.getParent()) {
      if (looksRight.test(up)) {
        return up;
      }
    }
    return null;
  }

  private static List<Path> listOrEmpty(Path folder) {
    try {
      return list(folder);
    } catch (UncheckedIOException e) {
      return List.of();
    }
  }

  /**
   * The entries of {@code folder}, sorted by name, hidden ones ({@code .DS_Store}) left out.
   *
   * @throws UncheckedIOException naming the folder if it cannot be listed
   */
  static List<Path> list(Path folder) {
    try (Stream<Path> s = Files.list(folder)) {
      return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder + ": " + e.getMessage(), e);
    }
  }

  /**
   * The recordings in {@code folder} (files ending in one of {@link #AUDIO_EXTENSIONS}), sorted by
   * name.
   */
  static List<Path> recordings(Path folder) {
    List<Path> out = new ArrayList<>();
    for (Path p : list(folder)) {
      if (Files.isRegularFile(p) && audioExtension(p) != null) {
        out.add(p);
      }
    }
    return out;
  }

  /** The extension of {@code file} if it is one of {@link #AUDIO_EXTENSIONS}, else null. */
  static String audioExtension(Path file) {
    String name = file.getFileName().toString();
    for (String ext : AUDIO_EXTENSIONS) {
      if (name.endsWith(ext)) {
        return ext;
      }
    }
    return null;
  }

  /** The file name without its audio extension: {@code an251-fash-b.flac -> an251-fash-b}. */
  static String stem(Path file) {
    String name = file.getFileName().toString();
    String ext = audioExtension(file);
    return ext == null ? name : name.substring(0, name.length() - ext.length());
  }

  /**
   * {@code <dir>/<stem>.flac} or, failing that, {@code <dir>/<stem>.wav}, {@code .mp3} and the
   * other {@link #AUDIO_EXTENSIONS} in turn; null when none exists.
   */
  static Path findRecording(Path dir, String stem) {
    for (String ext : AUDIO_EXTENSIONS) {
      Path p = dir.resolve(stem + ext);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }

  /**
   * The header of a recording, read without decoding.
   *
   * @throws IllegalArgumentException naming the file when it cannot be read or holds no samples
   */
  static AudioInfo info(Path file, String corpus) {
    AudioInfo info;
    try {
      info = AudioIO.info(file);
    } catch (AudioFormatException e) {
      throw new IllegalArgumentException(
          e.getMessage()
              + " ("
              + corpus
              + " recordings must be readable FLAC or "
              + "WAV: copy the file again from the corpus, or delete it and its transcript)",
          e);
    }
    if (info.numFrames() == 0) {
      throw new IllegalArgumentException(
          file
              + ": the recording is empty (0 samples); "
              + corpus
              + " recordings must hold audio: copy the file again from the corpus, or delete it and its transcript");
    }
    return info;
  }

  /** {@code $data_root/<file relative to dataFolder>}, with forward slashes on every platform. */
  static String dataRootPath(Path dataFolder, Path file) {
    Path rel =
        dataFolder.toAbsolutePath().normalize().relativize(file.toAbsolutePath().normalize());
    StringBuilder sb = new StringBuilder("$data_root");
    for (Path part : rel) {
      sb.append('/').append(part);
    }
    return sb.toString();
  }
}
