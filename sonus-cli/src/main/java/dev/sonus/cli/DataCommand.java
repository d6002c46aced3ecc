package dev.sonus.cli;

import dev.sonus.data.DataCheck;
import dev.sonus.data.Manifest;
import dev.sonus.datasets.DatasetPreparer;
import dev.sonus.datasets.Datasets;
import dev.sonus.datasets.PreparedManifest;
import dev.sonus.datasets.PreparerOption;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sonus data}: manifest tools. */
@Command(
    name = "data",
    description = "Check and prepare data manifests.",
    subcommands = {
      DataCommand.Check.class,
      DataCommand.Prepare.class,
      DataCommand.PrepareFsdd.class
    })
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

  @Command(
      name = "check",
      sortOptions = false,
      description = {
        "Check manifests for missing or unreadable audio, empty or duplicate IDs, durations that are "
            + "not a finite number of seconds >= 0 or differ from the file's, wrong sample rates, empty "
            + "transcripts, audio outside --data-root, and speakers of held-out splits that appear in "
            + "other splits. With --deep, also decode every file and report decoding errors (corrupt "
            + "frames, checksum mismatches), NaN or infinite samples, clipping and silent files.",
        "Exits 0 when clean (warnings allowed), 1 when problems are found (each listed with its file and "
            + "line), 2 on a usage error."
      })
  static final class Check implements Callable<Integer> {
    @Parameters(
        arity = "1..*",
        paramLabel = "MANIFEST",
        description = "CSV or JSON manifests (e.g. train valid test)")
    List<Path> manifests;

    @Option(
        names = "--data-root",
        paramLabel = "DIR",
        description =
            "value of $data_root / {data_root} (and data_folder) in the manifests; audio outside it is "
                + "reported")
    Path dataRoot;

    @Option(
        names = "--contain",
        description =
            "audio outside --data-root is an error, and such files are not opened (default: a warning)")
    boolean contain;

    @Option(
        names = "--replace",
        paramLabel = "NAME=VALUE",
        description = "other placeholder values")
    List<String> replace = new ArrayList<>();

    @Option(
        names = "--sample-rate",
        paramLabel = "HZ",
        defaultValue = "0",
        description = "expected sample rate (default: any)")
    int sampleRate;

    @Option(
        names = "--duration-tolerance",
        paramLabel = "S",
        defaultValue = "0.1",
        description =
            "allowed difference between declared and actual duration, s (default: ${DEFAULT-VALUE})")
    double tolerance;

    @Option(
        names = "--audio-key",
        paramLabel = "COLUMN",
        defaultValue = "wav",
        description = "audio column (default: ${DEFAULT-VALUE})")
    String audioKey;

    @Option(
        names = "--text-key",
        paramLabel = "COLUMN",
        defaultValue = "wrd",
        description = "transcript column (default: ${DEFAULT-VALUE})")
    String textKey;

    @Option(
        names = "--speaker-key",
        paramLabel = "COLUMN",
        defaultValue = "spk_id",
        description = "speaker column (default: ${DEFAULT-VALUE})")
    String speakerKey;

    @Option(
        names = "--held-out",
        arity = "1..*",
        paramLabel = "FILE",
        description =
            "held-out splits whose speakers must appear in no other manifest, besides the manifests "
                + "whose name has a test or eval token (test.csv, bad_test.csv, test-clean.csv, "
                + "eval.json); checked too when not among the MANIFESTs")
    List<Path> heldOut = new ArrayList<>();

    @Option(names = "--disjoint", description = "require all manifests to be speaker-disjoint")
    boolean disjoint;

    @Option(
        names = "--deep",
        description =
            "decode every file completely (FLAC CRCs and MD5 verified): decoding errors, NaN or "
                + "infinite samples, clipping, silence, and the decoded length")
    boolean deep;

    @Option(
        names = "--clip-fraction",
        paramLabel = "F",
        defaultValue = "0.001",
        description =
            "with --deep: a file with more than this fraction of its samples at full scale is "
                + "clipped (default: ${DEFAULT-VALUE}, 0.1%%)")
    double clipFraction;

    @Option(
        names = "--silence-peak",
        paramLabel = "A",
        defaultValue = "0.001",
        description =
            "with --deep: a file whose peak |sample| is below this is silent (default: "
                + "${DEFAULT-VALUE}, -60 dBFS)")
    double silencePeak;

    @Option(
        names = "--jobs",
        paramLabel = "N",
        description = "threads reading the audio (default: the number of cores, at least 2)")
    Integer jobs;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if (sampleRate != 0) {
        OptionChecks.sampleRate(spec, "--sample-rate", sampleRate);
      }
      OptionChecks.finiteIn(spec, "--duration-tolerance", tolerance, 0, 3600, "seconds");
      OptionChecks.finiteIn(spec, "--clip-fraction", clipFraction, 0, 1, "a fraction of samples");
      OptionChecks.finiteIn(
          spec, "--silence-peak", silencePeak, 0, 1, "an amplitude, 1 = full scale");
      int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
      if (jobs != null) {
        threads = OptionChecks.intIn(spec, "--jobs", jobs, 1, 1024, "threads");
      }
      if (contain && dataRoot == null) {
        throw OptionChecks.usage(
            spec, "--contain needs --data-root DIR: the folder the audio must stay inside");
      }
      Map<String, String> repl = replacements(replace, dataRoot);
      LinkedHashSet<Path> files = new LinkedHashSet<>(manifests);
      for (Path h : heldOut) {
        boolean listed =
            files.stream()
                .anyMatch(
                    p -> p.toAbsolutePath().normalize().equals(h.toAbsolutePath().normalize()));
        if (!listed) {
          files.add(h);
        }
      }
      List<Manifest> loaded = new ArrayList<>();
      for (Path p : files) {
        loaded.add(Manifest.load(p, repl));
      }
      DataCheck.Options options =
          new DataCheck.Options(
                  audioKey,
                  "duration",
                  textKey,
                  speakerKey,
                  sampleRate,
                  tolerance,
                  threads,
                  disjoint
                      ? DataCheck.Options.ALL_HELD_OUT
                      : DataCheck.Options.heldOutByNameOr(heldOut))
              .withDataRoot(dataRoot)
              .withContain(contain)
              .withDeep(deep)
              .withLevels(clipFraction, silencePeak);
      PrintWriter err = spec.commandLine().getErr();
      DataCheck.Report report =
          DataCheck.check(
              loaded,
              options,
              ProgressBar.counter(err, deep ? "decoding audio" : "reading headers"));
      spec.commandLine().getOut().print(report.format());
      return report.ok() ? 0 : 1;
    }
  }

  /** Prints one line per manifest written: split, path, rows, hours and speakers. */
  static void printWritten(PrintWriter out, List<PreparedManifest> written) {
    for (PreparedManifest m : written) {
      out.printf(
          Locale.ROOT,
          "%-5s %s: %d rows, %.2f h, %s%n",
          m.split(),
          m.path(),
          m.rows(),
          m.hours(),
          m.speakers() == 0
              ? "no speaker labels"
              : m.speakers() + (m.speakers() == 1 ? " speaker" : " speakers"));
    }
  }

  @Command(
      name = "prepare",
      sortOptions = false,
      description = {
        "Write train/valid/test manifests (SpeechBrain "
            + "CSV, audio as $data_root/<relative path>) for a corpus on disk.",
        "Load them with data_root (a recipe's data_folder) set to the --data-folder. Splits are deterministic and "
            + "keep speakers (NOIZEUS: sentences) on one side; a re-run into the same --out replaces the files."
      })
  static final class Prepare implements Callable<Integer> {
    @Parameters(
        index = "0",
        paramLabel = "NAME",
        completionCandidates = CorpusNames.class,
        description = "the corpus: ${COMPLETION-CANDIDATES} (see below)")
    String name;

    @Option(
        names = "--data-folder",
        required = true,
        paramLabel = "DIR",
        description = "the folder that holds " + "the corpus")
    Path dataFolder;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "DIR",
        description = "where to write the CSVs")
    Path out;

    @Option(
        names = {"-o", "--option"},
        paramLabel = "KEY=VALUE",
        description = "a corpus option (see below); " + "repeat for several")
    Map<String, String> options = new LinkedHashMap<>();

    @Option(
        names = "--speaker-regex",
        paramLabel = "REGEX",
        description = "folders: the option speaker_regex (split by speaker)")
    String speakerRegex;

    @Option(
        names = "--fold-regex",
        paramLabel = "REGEX",
        description = "folders: the option fold_regex (split by fold; with -o test_folds=...)")
    String foldRegex;

    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "show this help, with every corpus and its " + "options")
    boolean help;

    CommandSpec spec;

    @Spec
    void spec(CommandSpec spec) {
      this.spec = spec;
      spec.usageMessage().footer(corpusHelp());
    }

    @Override
    public Integer call() {
      DatasetPreparer preparer =
          Datasets.find(name)
              .orElseThrow(() -> new ParameterException(spec.commandLine(), unknownCorpus(name)));
      Map<String, String> all = new LinkedHashMap<>(options);
      if (speakerRegex != null) {
        all.put("speaker_regex", speakerRegex);
      }
      if (foldRegex != null) {
        all.put("fold_regex", foldRegex);
      }
      printWritten(spec.commandLine().getOut(), preparer.prepare(dataFolder, out, all));
      return 0;
    }

    private static String unknownCorpus(String name) {
      try {
        Datasets.get(name);
        return "unknown corpus '" + name + "'";
      } catch (IllegalArgumentException e) {
        return e.getMessage();
      }
    }

    /** The help's list of corpora, each with its description and options. */
    static String corpusHelp() {
      StringBuilder sb = new StringBuilder("%nCorpora and their options (--option KEY=VALUE):%n");
      for (DatasetPreparer p : Datasets.all()) {
        sb.append("%n  ").append(p.name()).append("%n");
        wrap(sb, p.description(), "    ");
        for (PreparerOption o : p.options()) {
          wrap(sb, o.key() + "=" + o.defaultValue() + ": " + o.description(), "      ");
        }
      }
      return sb.toString();
    }

    private static void wrap(StringBuilder sb, String text, String indent) {
      int width = 79 - indent.length(); // picocli wraps usage text at 80 columns
      StringBuilder line = new StringBuilder();
      for (String word : text.replace("%", "%%").split(" ")) {
        if (line.length() > 0 && line.length() + 1 + word.length() > width) {
          sb.append(indent).append(line).append("%n");
          line.setLength(0);
        }
        if (line.length() > 0) {
          line.append(' ');
        }
        line.append(word);
      }
      if (line.length() > 0) {
        sb.append(indent).append(line).append("%n");
      }
    }
  }

  /** The registered corpus names, for the help and shell completion. */
  static final class CorpusNames implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return Datasets.names().iterator();
    }
  }

  @Command(
      name = "prepare-fsdd",
      hidden = true,
      sortOptions = false,
      description =
          "The older form of "
              + "'sonus data prepare fsdd': train/valid/test manifests for the Free Spoken Digit Dataset layout "
              + "({digit}_{speaker}_{index}.wav).")
  static final class PrepareFsdd implements Callable<Integer> {
    @Option(
        names = "--data-folder",
        required = true,
        paramLabel = "DIR",
        description = "folder of FSDD recordings")
    Path dataFolder;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "DIR",
        description = "where to write the CSVs")
    Path out;

    @Option(
        names = "--test-speakers",
        split = ",",
        defaultValue = "theo",
        description = "held-out speakers " + "(default: ${DEFAULT-VALUE})")
    List<String> testSpeakers;

    @Option(
        names = "--valid-takes",
        defaultValue = "5",
        description =
            "takes 0..N-1 of the training speakers "
                + "form the valid set (default: ${DEFAULT-VALUE})")
    int validTakes;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      OptionChecks.intIn(
          spec, "--valid-takes", validTakes, 0, 50, "takes per speaker; FSDD has 50");
      Map<String, String> options = new LinkedHashMap<>();
      options.put("test_speakers", String.join(",", new LinkedHashSet<>(testSpeakers)));
      options.put("valid_takes", String.valueOf(validTakes));
      printWritten(
          spec.commandLine().getOut(), Datasets.get("fsdd").prepare(dataFolder, out, options));
      return 0;
    }
  }
}
