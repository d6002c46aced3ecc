package dev.sonus.cli;

import dev.sonus.inference.SpeakerVerifier;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sonus verify}: are two recordings the same speaker? */
@Command(
    name = "verify",
    description = {
      "Cosine score of two recordings' speaker embeddings and the decision at the "
          + "model's threshold (the EER threshold a Sonus speaker recipe stored, or 0.25 for SpeechBrain folders, as "
          + "SpeechBrain's verify_files). Prints 'score<TAB>same|different'; exit 0 either way."
    })
final class VerifyCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      description = "speaker run folder or SpeechBrain " + "model folder")
  Path model;

  @Option(
      names = "--threshold",
      paramLabel = "T",
      description = "decision threshold, a cosine score in [-1, 1] (default: the model's)")
  Double threshold;

  @Parameters(index = "0", paramLabel = "A")
  Path a;

  @Parameters(index = "1", paramLabel = "B")
  Path b;

  @Mixin TrustOptions trust = new TrustOptions();

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (threshold != null) {
      OptionChecks.finiteIn(spec, "--threshold", threshold, -1, 1, "a cosine score");
    }
    SpeakerVerifier sv = SpeakerVerifier.load(model, trust.runFolder());
    SpeakerVerifier.Decision d = sv.verify(a, b);
    double t = threshold != null ? threshold : d.threshold();
    spec.commandLine()
        .getOut()
        .printf(Locale.ROOT, "%.4f\t%s%n", d.score(), d.score() >= t ? "same" : "different");
    spec.commandLine().getErr().printf(Locale.ROOT, "sonus: threshold %.4f%n", t);
    return 0;
  }
}
