package dev.sonus.cli;

import dev.sonus.metrics.DiarizationErrorRate;
import dev.sonus.metrics.Rttm;
import dev.sonus.util.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sonus der}: the diarization error rate of a hypothesis RTTM against a reference. */
@Command(
    name = "der",
    description = {
      "Diarization error rate of a hypothesis RTTM against a reference RTTM (NIST md-eval's"
          + " definition: missed speech + false alarm + speaker confusion over the reference speaker"
          + " time, overlap counted per speaker, the best one-to-one speaker mapping per recording);"
          + " prints DER and its parts in %%, or JSON with --json."
    })
final class DerCommand implements Callable<Integer> {
  @Option(names = "--ref", required = true, paramLabel = "RTTM", description = "reference turns")
  Path ref;

  @Option(names = "--hyp", required = true, paramLabel = "RTTM", description = "hypothesis turns")
  Path hyp;

  @Option(
      names = "--collar",
      defaultValue = "0",
      paramLabel = "SECONDS",
      description = "not scored: this much either side of each reference boundary (default: 0)")
  double collar;

  @Option(
      names = "--skip-overlap",
      description = "leave out the time where the reference has overlapping speakers")
  boolean skipOverlap;

  @Option(names = "--json", description = "print the result as JSON")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    OptionChecks.finiteIn(spec, "--collar", collar, 0, 60, "seconds of collar");
    DiarizationErrorRate.Result r =
        DiarizationErrorRate.compute(Rttm.read(ref), Rttm.read(hyp), collar, skipOverlap);
    var out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> record = new LinkedHashMap<>(r.asMap());
      record.put("collar_seconds", collar);
      record.put("skip_overlap", skipOverlap);
      record.put("mapping", r.mapping());
      out.println(Json.writePretty(record));
    } else {
      Map<String, Double> m = r.asMap();
      out.printf(
          Locale.ROOT,
          "DER %.2f%% (missed %.2f%%, false alarm %.2f%%, confusion %.2f%%) over %.2f s of"
              + " reference speaker time, collar %.2f s%s%n",
          m.get("DER"),
          m.get("missed_speech"),
          m.get("false_alarm"),
          m.get("speaker_confusion"),
          r.reference(),
          collar,
          skipOverlap ? ", overlap skipped" : "");
    }
    return 0;
  }
}
