package dev.sonus.cli;

import dev.sonus.bench.Benchmarks;
import dev.sonus.bench.TransformerBench;
import dev.sonus.models.transformer.EncoderModule;
import dev.sonus.repro.Environment;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sonus bench}: throughput benchmarks of core components, as documented in bench/README.md.
 */
@Command(
    name = "bench",
    description = "Benchmarks (documented in bench/README.md).",
    subcommands = {
      BenchCommand.FbankBench.class,
      BenchCommand.LoaderBench.class,
      BenchCommand.EmbedBench.class,
      BenchCommand.TransformerBenchCommand.class
    })
final class BenchCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * Fbank throughput in audio-seconds per wall-second. Protocol (shared with
   * bench/fbank_speechbrain.py): seeded uniform noise of {@code batch × seconds} at {@code
   * sampleRate}, {@code warmup} untimed forwards, then {@code runs} runs of {@code iters} timed
   * forwards each; the median run is reported.
   */
  @Command(
      name = "fbank",
      description = "Fbank throughput (audio-seconds per wall-second) on a batch of waveforms.")
  static final class FbankBench implements Callable<Integer> {
    @Option(
        names = "--n-mels",
        defaultValue = "40",
        description = "mel filters (default: ${DEFAULT-VALUE})")
    int nMels;

    @Option(
        names = "--batch",
        defaultValue = "8",
        description = "waveforms per batch (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(
        names = "--seconds",
        defaultValue = "10",
        description = "length of each waveform, s " + "(default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(
        names = "--sample-rate",
        defaultValue = "16000",
        description = "Hz (default: ${DEFAULT-VALUE})")
    int sampleRate;

    @Option(
        names = "--bench-threads",
        defaultValue = "2",
        description = "libtorch intra-op threads " + "(default: ${DEFAULT-VALUE})")
    int threads;

    @Option(
        names = "--intra-op",
        description =
            "use libtorch's intra-op threads on one batch instead of "
                + "splitting the batch across Java threads")
    boolean intraOp;

    @Option(
        names = "--runs",
        defaultValue = "7",
        description = "timed runs; the median is reported " + "(default: ${DEFAULT-VALUE})")
    int runs;

    @Option(
        names = "--iters",
        defaultValue = "10",
        description = "forwards per run (default: ${DEFAULT-VALUE})")
    int iters;

    @Option(
        names = "--warmup",
        defaultValue = "3",
        description = "untimed forwards first (default: ${DEFAULT-VALUE})")
    int warmup;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      OptionChecks.intIn(spec, "--n-mels", nMels, 1, 201, "mel filters of a 400-point FFT");
      OptionChecks.intIn(spec, "--batch", batch, 1, 1024, "waveforms per batch");
      OptionChecks.finiteAbove(spec, "--seconds", seconds, 0, 3600, "seconds per waveform");
      OptionChecks.sampleRate(spec, "--sample-rate", sampleRate);
      OptionChecks.intIn(spec, "--bench-threads", threads, 1, 1024, "libtorch threads");
      OptionChecks.intIn(spec, "--runs", runs, 1, 1000, "timed runs");
      OptionChecks.intIn(spec, "--iters", iters, 1, 100_000, "forwards per run");
      OptionChecks.intIn(spec, "--warmup", warmup, 0, 100_000, "untimed forwards");
      var out = spec.commandLine().getOut();
      Benchmarks.Runs result =
          Benchmarks.fbank(
              sampleRate,
              nMels,
              batch,
              seconds,
              threads,
              intraOp,
              runs,
              iters,
              warmup,
              (run, rate, elapsed, work) ->
                  out.printf(
                      Locale.ROOT,
                      "run %d: %.1f audio-s/s (%.2f ms per batch)%n",
                      run,
                      rate,
                      elapsed * 1000 / work));
      double median = result.median();
      StringBuilder all = new StringBuilder();
      for (double r : result.values()) {
        all.append(String.format(Locale.ROOT, " %.1f", r));
      }
      Environment.Libtorch lt = Environment.capture().libtorch();
      out.printf(
          Locale.ROOT,
          "sonus fbank n_mels=%d batch=%dx%.1fs threads=%d (%s): median %.1f audio-s/s (runs:%s) "
              + "libtorch %s%n",
          nMels,
          batch,
          seconds,
          threads,
          intraOp ? "libtorch intra-op" : "batch split",
          median,
          all,
          lt.version());
      return 0;
    }
  }

  /**
   * Data loader throughput: every WAV file of a folder is read, resampled and turned into Fbank
   * features by the loader's workers, and collated into padded batches. Reports utterances per
   * second per worker count, median of {@code runs} passes after one warm-up pass.
   */
  @Command(
      name = "loader",
      description =
          "Data loader throughput (utterances/s): read + resample + Fbank + "
              + "collate, for several worker counts.")
  static final class LoaderBench implements Callable<Integer> {
    @Option(
        names = "--data-folder",
        required = true,
        paramLabel = "DIR",
        description = "folder of WAV files")
    java.nio.file.Path dataFolder;

    @Option(
        names = "--workers",
        split = ",",
        defaultValue = "1,2,4",
        description = "worker counts to measure " + "(default: ${DEFAULT-VALUE})")
    java.util.List<Integer> workers;

    @Option(
        names = "--sample-rate",
        defaultValue = "16000",
        description = "resample to this rate, Hz " + "(default: ${DEFAULT-VALUE})")
    int sampleRate;

    @Option(
        names = "--n-mels",
        defaultValue = "40",
        description = "mel filters (default: ${DEFAULT-VALUE})")
    int nMels;

    @Option(
        names = "--batch-size",
        defaultValue = "16",
        description = "(default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(
        names = "--runs",
        defaultValue = "3",
        description =
            "timed passes per worker count; the median is "
                + "reported (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(
        names = "--augment",
        paramLabel = "AUG.yaml",
        description =
            "apply the waveform augmentation under the key 'augment' of this YAML file in the"
                + " loader threads, as a recipe's wav_augment (e.g. bench/loader-augment.yaml)")
    java.nio.file.Path augment;

    @Option(
        names = "--augment-key",
        defaultValue = "augment",
        description = "the key of --augment to use (default: ${DEFAULT-VALUE})")
    String augmentKey;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      for (int w : workers) {
        OptionChecks.intIn(spec, "--workers", w, 1, 256, "loader threads");
      }
      dev.sonus.augment.Augmenter augmenter = null;
      if (augment != null) {
        dev.sonus.config.Hparams hp =
            dev.sonus.config.HyperYaml.loadKeys(augment, java.util.List.of(augmentKey));
        Object a = hp.contains(augmentKey) ? hp.get(augmentKey) : null;
        if (!(a instanceof dev.sonus.augment.Augmenter aug)) {
          throw new IllegalArgumentException(
              augment + ": '" + augmentKey + "' is missing or not an augment.Augmenter");
        }
        augmenter = aug;
      }
      OptionChecks.sampleRate(spec, "--sample-rate", sampleRate);
      OptionChecks.intIn(spec, "--n-mels", nMels, 1, 201, "mel filters of a 400-point FFT");
      OptionChecks.intIn(spec, "--batch-size", batchSize, 1, 4096, "utterances per batch");
      OptionChecks.intIn(spec, "--runs", runs, 1, 1000, "timed passes");
      var out = spec.commandLine().getOut();
      java.util.Map<Integer, Benchmarks.Listener> listeners = new java.util.LinkedHashMap<>();
      for (int w : workers) {
        listeners.put(
            w,
            (run, rate, elapsed, items) ->
                out.printf(
                    Locale.ROOT,
                    "workers %d run %d: %d utterances in %.2f s = %.1f utt/s%n",
                    w,
                    run,
                    items,
                    elapsed,
                    rate));
      }
      java.util.Map<Integer, Benchmarks.Runs> results =
          Benchmarks.loader(
              dataFolder, workers, sampleRate, nMels, batchSize, runs, listeners, augmenter);
      StringBuilder summary = new StringBuilder();
      results.forEach(
          (w, r) ->
              summary.append(
                  String.format(Locale.ROOT, "  workers=%d: median %.1f utt/s%n", w, r.median())));
      out.printf(
          Locale.ROOT,
          "sonus loader %d Hz, fbank %d mels, batch %d%s:%n%s",
          sampleRate,
          nMels,
          batchSize,
          augmenter == null ? "" : ", " + augmentKey + " " + augmenter,
          summary);
      return 0;
    }
  }

  /**
   * Speaker-embedding speed as a real-time factor (wall time / audio time): Fbank, sentence mean
   * normalisation and ECAPA-TDNN in eval mode on batches of random 16 kHz waveforms, as
   * SpeechBrain's {@code encode_batch}. Protocol shared with bench/ecapa_speechbrain.py: libtorch
   * intra-op threads, warm-up forwards, then runs of timed forwards; the median run is reported.
   */
  @Command(name = "embed", description = "ECAPA-TDNN embedding real-time factor (lower is faster).")
  static final class EmbedBench implements Callable<Integer> {
    @Option(
        names = "--batch",
        defaultValue = "1",
        description = "waveforms per batch (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(
        names = "--seconds",
        defaultValue = "10",
        description = "length of each waveform, s " + "(default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(
        names = "--channels",
        defaultValue = "1024",
        description = "ECAPA channels C: [C, C, C, C, 3C] " + "(default: ${DEFAULT-VALUE})")
    long channels;

    @Option(
        names = "--n-mels",
        defaultValue = "80",
        description = "mel filters (default: ${DEFAULT-VALUE})")
    int nMels;

    @Option(
        names = "--bench-threads",
        defaultValue = "2",
        description = "libtorch intra-op threads " + "(default: ${DEFAULT-VALUE})")
    int threads;

    @Option(
        names = "--runs",
        defaultValue = "5",
        description = "timed runs (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(
        names = "--iters",
        defaultValue = "5",
        description = "forwards per run (default: ${DEFAULT-VALUE})")
    int iters;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      OptionChecks.intIn(spec, "--batch", batch, 1, 1024, "waveforms per batch");
      OptionChecks.finiteAbove(spec, "--seconds", seconds, 0, 3600, "seconds per waveform");
      OptionChecks.longIn(spec, "--channels", channels, 1, 8192, "ECAPA channels");
      OptionChecks.intIn(spec, "--n-mels", nMels, 1, 201, "mel filters of a 400-point FFT");
      OptionChecks.intIn(spec, "--bench-threads", threads, 1, 1024, "libtorch threads");
      OptionChecks.intIn(spec, "--runs", runs, 1, 1000, "timed runs");
      OptionChecks.intIn(spec, "--iters", iters, 1, 100_000, "forwards per run");
      var out = spec.commandLine().getOut();
      double median =
          Benchmarks.embed(
                  batch,
                  seconds,
                  channels,
                  nMels,
                  threads,
                  runs,
                  iters,
                  (run, rtf, elapsed, work) ->
                      out.printf(
                          Locale.ROOT,
                          "run %d: RTF %.4f (%.1f ms per batch)%n",
                          run,
                          rtf,
                          elapsed * 1000 / work))
              .median();
      out.printf(
          Locale.ROOT,
          "sonus embed ECAPA C=%d n_mels=%d batch=%dx%.1fs threads=%d: median RTF %.4f "
              + "(wall time / audio time) libtorch %s%n",
          channels,
          nMels,
          batch,
          seconds,
          threads,
          median,
          Environment.capture().libtorch().version());
      return 0;
    }
  }

  /**
   * Training steps of the AN4 joint CTC/attention model on a fixed batch: step time, tokens/s and
   * GFLOP/s, against a plain matrix product of the encoder's feed-forward shape timed alternately
   * in the same run (bench/README.md).
   */
  @Command(
      name = "transformer",
      description =
          "Forward + backward of the AN4 Conformer (Transformer, Branchformer) on a fixed batch: step time,"
              + " tokens/s and GFLOP/s against a plain libtorch matmul of the same size.")
  static final class TransformerBenchCommand implements Callable<Integer> {
    @Option(
        names = "--encoder",
        defaultValue = "conformer",
        description = "conformer, transformer or branchformer (default: ${DEFAULT-VALUE})")
    String encoder;

    @Option(
        names = "--batch",
        defaultValue = "16",
        description = "utterances per batch (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(
        names = "--seconds",
        defaultValue = "3",
        description = "length of each utterance, s (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(
        names = "--tokens",
        defaultValue = "20",
        description = "target tokens per utterance (default: ${DEFAULT-VALUE})")
    int tokens;

    @Option(
        names = "--bench-threads",
        defaultValue = "2",
        description = "libtorch intra-op threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(
        names = "--runs",
        defaultValue = "5",
        description = "timed runs (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(
        names = "--iters",
        defaultValue = "3",
        description = "training steps per run (default: ${DEFAULT-VALUE})")
    int iters;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      EncoderModule module =
          switch (encoder.toLowerCase(Locale.ROOT)) {
            case "conformer" -> EncoderModule.CONFORMER;
            case "transformer" -> EncoderModule.TRANSFORMER;
            case "branchformer" -> EncoderModule.BRANCHFORMER;
            default ->
                throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(),
                    "--encoder is '"
                        + encoder
                        + "'; expected conformer, transformer or branchformer");
          };
      OptionChecks.intIn(spec, "--batch", batch, 1, 1024, "utterances per batch");
      OptionChecks.finiteAbove(spec, "--seconds", seconds, 0.1, 60, "seconds per utterance");
      OptionChecks.intIn(spec, "--tokens", tokens, 1, 1000, "tokens per utterance");
      OptionChecks.intIn(spec, "--bench-threads", threads, 1, 1024, "libtorch threads");
      OptionChecks.intIn(spec, "--runs", runs, 1, 1000, "timed runs");
      OptionChecks.intIn(spec, "--iters", iters, 1, 100_000, "steps per run");
      TransformerBench.Shape an4 = TransformerBench.Shape.an4Conformer();
      TransformerBench.Shape shape =
          new TransformerBench.Shape(
              module,
              batch,
              (int) Math.round(seconds * 100),
              tokens,
              an4.dModel(),
              an4.encoderLayers(),
              an4.decoderLayers(),
              an4.dFfn(),
              an4.csgu(),
              an4.heads(),
              an4.kernel(),
              an4.vocab());
      var out = spec.commandLine().getOut();
      TransformerBench.Result r =
          TransformerBench.run(
              shape,
              threads,
              2,
              runs,
              iters,
              (run, gflops, elapsed, work) ->
                  out.printf(
                      Locale.ROOT,
                      "run %d: %.2f GFLOP/s (%.0f ms per step)%n",
                      run,
                      gflops,
                      elapsed * 1000 / work));
      out.printf(
          Locale.ROOT,
          "sonus bench transformer %s d=144 x8 + decoder x4, batch %dx%.1fs, %d tokens, threads=%d:"
              + " median step %.0f ms, %.0f tokens/s, %.1f GFLOP/s (%.2f GFLOP per step);"
              + " plain matmul %s: %.1f GFLOP/s; the model reaches %.0f%% of it. libtorch %s%n",
          module.name().toLowerCase(Locale.ROOT),
          batch,
          seconds,
          tokens,
          threads,
          r.stepSeconds() * 1000,
          r.tokensPerSecond(),
          r.modelGflops(),
          r.stepGflop(),
          r.matmulShape(),
          r.matmulGflops(),
          100 * r.modelGflops() / r.matmulGflops(),
          Environment.capture().libtorch().version());
      return 0;
    }
  }
}
