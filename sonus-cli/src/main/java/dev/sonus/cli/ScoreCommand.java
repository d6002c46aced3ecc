package dev.sonus.cli;

import dev.sonus.inference.SpeakerVerifier;
import dev.sonus.metrics.CosineScoring;
import dev.sonus.metrics.SNorm;
import dev.sonus.metrics.Trials;
import dev.sonus.metrics.VerificationMetrics;
import dev.sonus.tensor.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sonus score}: score a verification trial list. */
@Command(
    name = "score",
    description = {
      "Score a speaker-verification trial list (VoxCeleb/SpeechBrain format: "
          + "'label enrol test' per line, paths relative to --audio-root) by the cosine of the two embeddings, "
          + "optionally s-normalised against an impostor cohort; prints EER and minDCF and writes one "
          + "'enrol test score label' line per trial."
    })
final class ScoreCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      description = "speaker run or SpeechBrain folder")
  Path model;

  @Option(names = "--trials", required = true, paramLabel = "FILE", description = "trial list")
  Path trials;

  @Option(
      names = "--audio-root",
      defaultValue = ".",
      paramLabel = "DIR",
      description = "folder the trial " + "paths are relative to (default: the working directory)")
  Path root;

  @Option(
      names = "--cohort",
      paramLabel = "DIR",
      description = "folder of impostor recordings (*.wav, *.flac) " + "for s-norm")
  Path cohort;

  @Option(
      names = "--cohort-size",
      defaultValue = "0",
      paramLabel = "N",
      description = "adaptive s-norm: use the " + "N best-matching cohort scores (0: all)")
  int cohortSize;

  @Option(
      names = "--p-target",
      defaultValue = "0.01",
      description = "minDCF prior (default: ${DEFAULT-VALUE})")
  double pTarget;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "write the scores here (default: scores.txt next " + "to the trial list)")
  Path out;

  @Mixin TrustOptions trust = new TrustOptions();

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    OptionChecks.intIn(
        spec, "--cohort-size", cohortSize, 0, 1_000_000, "cohort scores kept; 0 keeps all");
    if (!(pTarget > 0 && pTarget < 1)) {
      throw OptionChecks.usage(
          spec,
          "--p-target is " + pTarget + "; it must be in (0, 1) (the prior of a target trial)");
    }
    List<Trials.Trial> list = Trials.read(trials);
    if (list.isEmpty()) {
      throw new IllegalArgumentException("trial list " + trials + " has no trials");
    }
    SpeakerVerifier sv = SpeakerVerifier.load(model, trust.runFolder());
    Map<String, Integer> index = new LinkedHashMap<>();
    for (Trials.Trial t : list) {
      index.putIfAbsent(t.enrol(), index.size());
      index.putIfAbsent(t.test(), index.size());
    }
    List<Path> files = new ArrayList<>();
    for (String token : index.keySet()) {
      Path f = root.resolve(token);
      if (!Files.isRegularFile(f)) {
        throw new IllegalArgumentException(
            "trial file "
                + f
                + " (from "
                + trials
                + ") does not exist; set "
                + "--audio-root to the folder the trial paths are relative to");
      }
      files.add(f);
    }
    float[][] emb = sv.embedAll(files);
    SNorm norm = null;
    if (cohort != null) {
      List<Path> impostors;
      try (Stream<Path> s = Files.list(cohort)) {
        impostors =
            s.filter(p -> p.toString().endsWith(".wav") || p.toString().endsWith(".flac"))
                .sorted()
                .toList();
      }
      if (impostors.size() < 2) {
        throw new IllegalArgumentException(
            "cohort folder "
                + cohort
                + " has "
                + impostors.size()
                + " recordings; s-norm needs at least 2");
      }
      float[][] cohortEmb = sv.embedAll(impostors);
      norm = cohortSize > 0 ? new SNorm(cohortEmb, cohortSize) : new SNorm(cohortEmb);
    }
    List<Double> target = new ArrayList<>();
    List<Double> nontarget = new ArrayList<>();
    StringBuilder lines = new StringBuilder();
    for (Trials.Trial t : list) {
      float[] e = emb[index.get(t.enrol())];
      float[] x = emb[index.get(t.test())];
      double score = norm == null ? CosineScoring.cosine(e, x) : norm.score(e, x);
      (t.target() ? target : nontarget).add(score);
      lines.append(
          String.format(Locale.ROOT, "%s %s %.6f %d%n", t.enrol(), t.test(), score, t.label()));
    }
    Path dest = out != null ? out : trials.toAbsolutePath().resolveSibling("scores.txt");
    AtomicFiles.writeString(dest, lines.toString());
    var o = spec.commandLine().getOut();
    o.printf(
        Locale.ROOT,
        "%d trials (%d target, %d non-target), %s scoring%n",
        list.size(),
        target.size(),
        nontarget.size(),
        norm == null ? "cosine" : "s-norm cosine (" + norm.cohortCount() + " cohort)");
    if (!target.isEmpty() && !nontarget.isEmpty()) {
      double[] ts = target.stream().mapToDouble(Double::doubleValue).toArray();
      double[] ns = nontarget.stream().mapToDouble(Double::doubleValue).toArray();
      VerificationMetrics.Eer eer = VerificationMetrics.eer(ts, ns);
      VerificationMetrics.MinDcf dcf = VerificationMetrics.minDcf(ts, ns, 1.0, 1.0, pTarget);
      o.printf(
          Locale.ROOT,
          "EER %.2f%% (threshold %.4f), minDCF %.4f (p_target %s)%n",
          100 * eer.eer(),
          eer.threshold(),
          dcf.minDcf(),
          pTarget);
    }
    spec.commandLine().getErr().println("sonus: wrote " + dest);
    return 0;
  }
}
