package dev.sonus.cli;

import dev.sonus.data.Manifest;
import dev.sonus.inference.Transcriber;
import dev.sonus.run.Runner;
import dev.sonus.util.Sha256;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sonus quickstart}: train, evaluate and use a small recognizer on the bundled demo corpus.
 */
@Command(
    name = "quickstart",
    description = {
      "Train a small CTC speech recognizer on the demo corpus that ships "
          + "with Sonus (demo/digits), evaluate it, transcribe a held-out recording and show where the run bundle is. "
          + "Offline; under a minute on two cores."
    })
final class QuickstartCommand implements Callable<Integer> {
  @Option(
      names = "--output_folder",
      paramLabel = "DIR",
      description = "where the run bundle goes " + "(default: results/quickstart/1986)")
  Path output;

  @Option(
      names = "--number_of_epochs",
      paramLabel = "N",
      description = "training epochs (default: the recipe's)")
  Integer epochs;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (epochs != null) {
      OptionChecks.intIn(spec, "--number_of_epochs", epochs, 1, 10_000, "training epochs");
    }
    Path home = home();
    Path recipe = home.resolve("recipes/demo/digits-ctc/hparams.yaml");
    Path data = home.resolve("demo/digits");
    verifyDemoCorpus(data);
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("data_folder", data.toString());
    if (output != null) {
      overrides.put("output_folder", output.toString());
    }
    if (epochs != null) {
      overrides.put("number_of_epochs", epochs.toString());
    }
    err.println(
        "sonus quickstart: training "
            + home.relativize(recipe)
            + " on "
            + data
            + " (120 utterances)");
    err.flush();
    long t0 = System.nanoTime();
    Runner.Result result = Runner.train(recipe, overrides, ProgressBar.forTerminal(err));
    double minutes = (System.nanoTime() - t0) / 60e9;

    Manifest test = Manifest.load(data.resolve("test.csv"), Map.of("data_root", data.toString()));
    Manifest.Row sample = test.rows().get(0);
    Path audio = Path.of(String.valueOf(sample.get("wav")));
    Transcriber asr = Transcriber.load(result.folder());
    String text = asr.transcribe(audio);

    Map<String, Object> m = result.metrics();
    out.printf(Locale.ROOT, "%nTrained in %.1f min (%s epochs).%n", minutes, m.get("epochs"));
    out.printf(
        Locale.ROOT,
        "Test set (2 held-out voices, %d utterances): WER %.1f%%, CER %.1f%%%n",
        test.size(),
        number(m.get("test_WER")),
        number(m.get("test_CER")));
    out.printf(
        "Transcribed %s%n  reference:  %s%n  recognized: %s%n", audio, sample.get("wrd"), text);
    out.printf(
        "Run bundle: %s (hparams.yaml, env.json, data.json, train_log.txt, metrics.json, wer_test.txt, "
            + "checkpoints/)%n",
        result.folder());
    out.printf(
        "Next:%n  ./sonus transcribe --model %s YOUR.wav%n  ./sonus eval %s%n  ./sonus replay %s%n",
        result.folder(), result.folder(), result.folder());
    return 0;
  }

  private static double number(Object v) {
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  /** The Sonus folder: SONUS_HOME (set by ./sonus), else two levels above the CLI jar. */
  static Path home() {
    String env = System.getenv("SONUS_HOME");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    try {
      Path jar =
          Path.of(
              QuickstartCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      // sonus-cli/target/sonus-cli.jar (or sonus-cli/target/classes) -> the project folder
      return jar.getParent().getParent().getParent();
    } catch (URISyntaxException | RuntimeException e) {
      return Path.of("").toAbsolutePath();
    }
  }

  /**
   * Checks the demo corpus against its SHA256SUMS, so a damaged checkout fails here with the fix.
   */
  static void verifyDemoCorpus(Path data) {
    Path sums = data.resolve("SHA256SUMS");
    if (!Files.isRegularFile(sums)) {
      throw new IllegalArgumentException(
          "the demo corpus is missing: no "
              + sums
              + ". Run ./sonus from a Sonus "
              + "checkout (or set SONUS_HOME to one); scripts/make-demo-corpus.sh regenerates it");
    }
    try {
      List<String> lines = Files.readAllLines(sums);
      for (String line : lines) {
        if (line.isBlank()) {
          continue;
        }
        String expected = line.substring(0, 64);
        Path file = data.resolve(line.substring(64).trim().replaceFirst("^\\*", ""));
        if (!Files.isRegularFile(file)) {
          throw new IllegalArgumentException(
              "demo corpus file "
                  + file
                  + " is missing; restore it from git "
                  + "(git checkout -- demo) or regenerate with scripts/make-demo-corpus.sh");
        }
        String actual = Sha256.file(file);
        if (!actual.equals(expected)) {
          throw new IllegalArgumentException(
              "demo corpus file "
                  + file
                  + " does not match SHA256SUMS (sha256 "
                  + actual.substring(0, 12)
                  + ", expected "
                  + expected.substring(0, 12)
                  + "); restore it from git "
                  + "(git checkout -- demo) or regenerate with scripts/make-demo-corpus.sh");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the demo corpus in " + data + ": " + e.getMessage(), e);
    }
  }
}
