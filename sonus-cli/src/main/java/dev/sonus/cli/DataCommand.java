package dev.sonus.cli;

import dev.sonus.data.DataCheck;
import dev.sonus.datasets.FsddManifests;
import dev.sonus.data.Manifest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sonus data}: manifest tools. */
@Command(name = "data", description = "Check and prepare data manifests.",
    subcommands = {DataCommand.Check.class, DataCommand.PrepareFsdd.class})
final class DataCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Parses {@code name=value} replacement options. */
  static Map<String, String> replacements(List<String> pairs, Path dataRoot) {
    Map<String, String> out = new LinkedHashMap<>();
    if (dataRoot != null) {
      out.put("data_root", dataRoot.toString());
      out.put("data_folder", dataRoot.toString());
    }
    for (String p : pairs) {
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--replace expects name=value, got '" + p + "'");
      }
      out.put(p.substring(0, eq), p.substring(eq + 1));
    }
    return out;
  }

  @Command(name = "check", sortOptions = false, description = {"Check manifests for missing or unreadable audio, "
      + "duplicate IDs, wrong durations or sample rates, empty transcripts and speakers of held-out splits that "
      + "appear in other splits.",
      "Exits 0 when clean, 1 when problems are found (each listed with its file and line)."})
  static final class Check implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "MANIFEST", description = "CSV or JSON manifests (e.g. train valid "
        + "test)")
    List<Path> manifests;

    @Option(names = "--data-root", paramLabel = "DIR", description = "value of $data_root / {data_root} (and "
        + "data_folder) in the manifests")
    Path dataRoot;

    @Option(names = "--replace", paramLabel = "NAME=VALUE", description = "other placeholder values")
    List<String> replace = new ArrayList<>();

    @Option(names = "--sample-rate", paramLabel = "HZ", defaultValue = "0", description = "expected sample rate "
        + "(default: any)")
    int sampleRate;

    @Option(names = "--duration-tolerance", paramLabel = "S", defaultValue = "0.1", description = "allowed "
        + "difference between declared and actual duration, s (default: ${DEFAULT-VALUE})")
    double tolerance;

    @Option(names = "--audio-key", defaultValue = "wav", description = "audio column (default: ${DEFAULT-VALUE})")
    String audioKey;

    @Option(names = "--text-key", defaultValue = "wrd", description = "transcript column (default: "
        + "${DEFAULT-VALUE})")
    String textKey;

    @Option(names = "--speaker-key", defaultValue = "spk_id", description = "speaker column (default: "
        + "${DEFAULT-VALUE})")
    String speakerKey;

    @Option(names = "--held-out", paramLabel = "MANIFEST", description = "held-out splits whose speakers must "
        + "appear in no other manifest (default: manifests named test* or eval*)")
    List<Path> heldOut = new ArrayList<>();

    @Option(names = "--disjoint", description = "require all manifests to be speaker-disjoint")
    boolean disjoint;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      Map<String, String> repl = replacements(replace, dataRoot);
      List<Manifest> loaded = new ArrayList<>();
      for (Path p : new LinkedHashSet<>(manifests)) {
        loaded.add(Manifest.load(p, repl));
      }
      DataCheck.Options options = new DataCheck.Options(audioKey, "duration", textKey, speakerKey, sampleRate,
          tolerance, Math.max(2, Runtime.getRuntime().availableProcessors()),
          disjoint ? DataCheck.Options.ALL_HELD_OUT
              : heldOut.isEmpty() ? DataCheck.Options.TEST_BY_NAME
              : p -> heldOut.stream().anyMatch(h -> h.toAbsolutePath().normalize().equals(p.toAbsolutePath()
                  .normalize())));
      DataCheck.Report report = DataCheck.check(loaded, options);
      spec.commandLine().getOut().print(report.format());
      return report.ok() ? 0 : 1;
    }
  }

  @Command(name = "prepare-fsdd", sortOptions = false, description = "Write train/valid/test manifests for the "
      + "Free Spoken Digit Dataset layout ({digit}_{speaker}_{index}.wav).")
  static final class PrepareFsdd implements Callable<Integer> {
    @Option(names = "--data-folder", required = true, paramLabel = "DIR", description = "folder of FSDD recordings")
    Path dataFolder;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where to write the CSVs")
    Path out;

    @Option(names = "--test-speakers", split = ",", defaultValue = "theo", description = "held-out speakers "
        + "(default: ${DEFAULT-VALUE})")
    List<String> testSpeakers;

    @Option(names = "--valid-takes", defaultValue = "5", description = "takes 0..N-1 of the training speakers "
        + "form the valid set (default: ${DEFAULT-VALUE})")
    int validTakes;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      FsddManifests.Result r = FsddManifests.prepare(dataFolder, out, new LinkedHashSet<>(testSpeakers),
          validTakes);
      spec.commandLine().getOut().printf("wrote %s, %s, %s %s (load them with data_root=%s)%n", r.train(),
          r.valid(), r.test(), r.counts(), dataFolder);
      return 0;
    }
  }
}
