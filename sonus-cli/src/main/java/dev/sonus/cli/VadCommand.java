package dev.sonus.cli;

import dev.sonus.decode.VadBoundaries.Segment;
import dev.sonus.inference.VoiceActivityDetector;
import dev.sonus.metrics.Rttm;
import dev.sonus.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sonus vad}: speech segments of a recording. */
@Command(
    name = "vad",
    description = {
      "Speech segments of a recording with a trained voice activity run folder: prints 'start end'"
          + " in seconds per segment (SpeechBrain's post-processing: hysteresis thresholds, merging"
          + " of close segments, removal of short ones), or JSON; --rttm also writes them as RTTM."
    })
final class VadCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      required = true,
      paramLabel = "RUN_DIR",
      description = "output_folder of a 'sonus train' voice activity run")
  Path model;

  @Option(names = "--activation", defaultValue = "0.5", description = "start threshold (0.5)")
  double activation;

  @Option(names = "--deactivation", defaultValue = "0.25", description = "end threshold (0.25)")
  double deactivation;

  @Option(
      names = "--close",
      defaultValue = "0.25",
      paramLabel = "SECONDS",
      description = "merge segments at most this far apart (0.25)")
  double close;

  @Option(
      names = "--min-length",
      defaultValue = "0.25",
      paramLabel = "SECONDS",
      description = "drop segments not longer than this (0.25)")
  double minLength;

  @Option(names = "--energy", description = "refine each segment by its energy")
  boolean energy;

  @Option(names = "--rttm", paramLabel = "FILE", description = "also write the segments as RTTM")
  Path rttm;

  @Option(names = "--json", description = "print a JSON array of {\"start\": s, \"end\": s}")
  boolean json;

  @Parameters(index = "0", paramLabel = "FILE", description = "the recording")
  Path file;

  @Mixin TrustOptions trust = new TrustOptions();

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    OptionChecks.finiteIn(spec, "--activation", activation, 0, 1, "a probability");
    OptionChecks.finiteIn(
        spec, "--deactivation", deactivation, 0, activation, "at most --activation");
    OptionChecks.finiteIn(spec, "--close", close, 0, 3600, "seconds");
    OptionChecks.finiteIn(spec, "--min-length", minLength, 0, 3600, "seconds");
    VoiceActivityDetector vad =
        VoiceActivityDetector.load(
            model,
            trust.runFolder(),
            new VoiceActivityDetector.Options(
                activation, deactivation, close, minLength, energy, 30));
    List<Segment> segments = vad.segments(file);
    var out = spec.commandLine().getOut();
    if (json) {
      List<Object> items = new ArrayList<>();
      for (Segment s : segments) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("start", s.start());
        m.put("end", s.end());
        items.add(m);
      }
      out.println(Json.writePretty(items));
    } else {
      for (Segment s : segments) {
        out.printf(Locale.ROOT, "%.2f %.2f%n", s.start(), s.end());
      }
    }
    if (rttm != null) {
      String name = file.getFileName().toString().replaceAll("\\.[^.]*$", "");
      List<Rttm.Turn> turns = new ArrayList<>();
      for (Segment s : segments) {
        turns.add(Rttm.Turn.of(name, s.start(), s.end(), "speech"));
      }
      Rttm.write(rttm, turns);
    }
    return 0;
  }
}
