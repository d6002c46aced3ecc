package dev.sonus.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sonus.audio.AudioFormatException;
import dev.sonus.audio.AudioIO;
import dev.sonus.config.ClassPolicy;
import dev.sonus.config.ConfigException;
import dev.sonus.config.HyperYaml;
import dev.sonus.config.LoadOptions;
import dev.sonus.data.Manifest;
import dev.sonus.tensor.SafeTensors;
import dev.sonus.tensor.TorchCheckpoint;
import dev.sonus.tokenize.SentencePiece;
import dev.sonus.tokenize.SentencePieceModel;
import dev.sonus.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzz targets (Jazzer) for every reader of untrusted files: audio, safetensors,
 * torch checkpoints, JSON, manifests, recipes (HyperYaml) and SentencePiece models.
 *
 * <p>Each target feeds the input to the reader and accepts only the reader's documented refusals
 * ({@link AudioFormatException}, {@link TorchCheckpoint.CheckpointException}, ...): any other
 * exception, an {@link OutOfMemoryError} (the test JVM has a 2 GiB heap) or a {@link
 * StackOverflowError} is a finding, and so is an input that takes longer than 25 s (the {@code
 * Timeout}, which Jazzer also passes to libFuzzer as {@code -timeout}): the per-input budget of a
 * fuzzing service such as OSS-Fuzz.
 *
 * <p>In a normal build ({@code ./mvnw verify}) the targets run once per input in {@code
 * src/test/resources/dev/sonus/fuzz/ReaderFuzzTestInputs/<method>/}: the seed corpus that {@link
 * SeedCorpus} generates, and every crash that fuzzing found (kept as a regression input). To fuzz
 * one target, see {@code docs/fuzzing.md}: {@code JAZZER_FUZZ=1 ./mvnw -pl sonus-core test
 * -Dtest=ReaderFuzzTest#json -Djazzer.max_duration=1h}.
 */
class ReaderFuzzTest {
  /** Decoded audio is kept smaller than the default limit, so that one input stays well in heap. */
  private static final AudioIO.ReadOptions AUDIO =
      AudioIO.ReadOptions.defaults().withMaxDecodedBytes(256L << 20);

  private static final Map<String, String> REPLACEMENTS = Map.of("data_root", "/data");

  private static Path dir;

  @BeforeAll
  static void createFolder() throws IOException {
    dir = Files.createTempDirectory("sonus-fuzz");
  }

  @AfterAll
  static void deleteFolder() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(p);
      }
    }
    Files.deleteIfExists(dir);
  }

  private static Path file(String name, byte[] input) {
    try {
      return Files.write(dir.resolve(name), input);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code AudioIO.read}, with non-finite samples refused and, on every other input, allowed. */
  @FuzzTest
  @Timeout(value = 25, unit = TimeUnit.SECONDS)
  void audioRead(byte[] input) {
    Path f = file("in.audio", input);
    try {
      AudioIO.read(f, AUDIO.withAllowNonFinite(input.length % 2 == 0));
    } catch (AudioFormatException expected) {
      // a documented refusal
    }
  }

  /** {@code AudioIO.info}: the header only (a FLAC stream of unknown length is counted). */
  @FuzzTest
  @Timeout(value = 25, unit = TimeUnit.SECONDS)
  void audioInfo(byte[] input) {
    Path f = file("in.audio", input);
    try {
      AudioIO.info(f, AUDIO);
    } catch (AudioFormatException expected) {
      // a documented refusal
    }
  }

  /** {@code SafeTensors.read} of the input as a file. */
  @FuzzTest
  @Timeout(value = 25, unit = TimeUnit.SECONDS)
  void safeTensors(byte[] input) {
    Path f = file("in.safetensors", input);
    try (PointerScope scope = new PointerScope()) {
      SafeTensors.read(f).values().forEach(Tensor::close);
    } catch (UncheckedIOException expected) {
      // a documented refusal
    }
  }

  /** {@code TorchCheckpoint.load} of the input as a whole file (a zip archive). */
  @FuzzTest
  @Timeout(value = 25, unit = TimeUnit.SECONDS)
  void torchCheckpoint(byte[] input) {
    loadCheckpoint(file("in.ckpt", input));
  }

  /**
   * {@code TorchCheckpoint.load} of an archive whose {@code data.pkl} is the input, beside two
   * storages ({@code 0}: 8 floats, {@code 1}: 1 long): reaches the unpickler directly, which
   * mutations of a whole zip rarely do.
   */
  @FuzzTest
  @Timeout(value = 25, unit = TimeUnit.SECONDS)
  void torchPickle(byte[] input) {
    loadCheckpoint(file("in-pickle.ckpt", SeedCorpus.checkpointZip(input)));
  }

  private static void loadCheckpoint(Path f) {
    try (PointerScope scope = new PointerScope()) {
      TorchCheckpoint.load(f).tensors().values().forEach(Tensor::close);
    } catch (TorchCheckpoint.CheckpointException expected) {
      // a documented refusal
    }
  }

  /** {@code Json.parse} of the input as UTF-8. */
  @FuzzTest
  @Timeout(value = 25, unit = TimeUnit.SECONDS)
  void json(byte[] input) {
    try {
      Json.parse(new String(input, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException expected) {
      // a documented refusal
    }
  }

  /** {@code Manifest.load} of the input as a {@code .csv} file. */
  @FuzzTest
  @Timeout(value = 25, unit = TimeUnit.SECONDS)
  void manifestCsv(byte[] input) {
    loadManifest(file("in.csv", input));
  }

  /** {@code Manifest.load} of the input as a {@code .json} file. */
  @FuzzTest
  @Timeout(value = 25, unit = TimeUnit.SECONDS)
  void manifestJson(byte[] input) {
    loadManifest(file("in.json", input));
  }

  /** Recipes resolve within a node budget small enough for the fuzzer's heap. */
  private static final LoadOptions RECIPE =
      new LoadOptions(ClassPolicy.valuesOnly(), true, false, 20_000);

  /**
   * {@code HyperYaml.resolve} and {@code HyperYaml.load} (which builds every object) of the input
   * as a recipe. Building is limited to the JDK value types ({@link ClassPolicy#valuesOnly()}): the
   * target is the dialect's parser, references, arithmetic and binder, not the sizes a recipe may
   * legitimately ask of Sonus's models.
   */
  @FuzzTest
  @Timeout(value = 25, unit = TimeUnit.SECONDS)
  void hyperYaml(byte[] input) {
    Path f = file("recipe.yaml", input);
    try {
      HyperYaml.resolve(f, Map.of(), RECIPE);
      HyperYaml.load(f, Map.of(), RECIPE);
    } catch (ConfigException | IllegalArgumentException | UncheckedIOException expected) {
      // a documented refusal
    }
  }

  /** A sentence with a space run, non-ASCII letters, a ligature and an unassigned character. */
  private static final String SENTENCE = "THE  CAT [NOISE] \uFF21\uFB01 \u00E9t\u00E9 \uFFFF";

  /**
   * {@code SentencePiece.load} of the input as a {@code .model} file, then encoding {@link
   * #SENTENCE} to ids and pieces and decoding both back.
   */
  @FuzzTest
  @Timeout(value = 25, unit = TimeUnit.SECONDS)
  void sentencePieceModel(byte[] input) {
    Path f = file("in.model", input);
    try {
      SentencePiece sp = SentencePiece.load(f);
      sp.decode(sp.encode(SENTENCE));
      sp.decodePieces(sp.encodeAsPieces(SENTENCE));
    } catch (SentencePieceModel.ModelException expected) {
      // a documented refusal
    }
  }

  private static void loadManifest(Path f) {
    try {
      Manifest m = Manifest.load(f, REPLACEMENTS);
      m.keys();
    } catch (IllegalArgumentException | UncheckedIOException expected) {
      // a documented refusal
    }
  }
}
