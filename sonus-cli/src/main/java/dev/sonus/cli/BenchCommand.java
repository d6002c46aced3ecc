package dev.sonus.cli;

import dev.sonus.features.Fbank;
import dev.sonus.repro.Environment;
import dev.sonus.tensor.BatchParallel;
import dev.sonus.tensor.Threads;
import dev.sonus.tensor.Tensors;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sonus bench}: throughput benchmarks of core components, as documented in bench/README.md. */
@Command(name = "bench", description = "Benchmarks (documented in bench/README.md).",
    subcommands = {BenchCommand.FbankBench.class, BenchCommand.LoaderBench.class, BenchCommand.EmbedBench.class})
final class BenchCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * Fbank throughput in audio-seconds per wall-second. Protocol (shared with bench/fbank_speechbrain.py):
   * seeded uniform noise of {@code batch × seconds} at {@code sampleRate}, {@code warmup} untimed forwards, then
   * {@code runs} runs of {@code iters} timed forwards each; the median run is reported.
   */
  @Command(name = "fbank", description = "Fbank throughput (audio-seconds per wall-second) on a batch of waveforms.")
  static final class FbankBench implements Callable<Integer> {
    @Option(names = "--n-mels", defaultValue = "40", description = "mel filters (default: ${DEFAULT-VALUE})")
    int nMels;

    @Option(names = "--batch", defaultValue = "8", description = "waveforms per batch (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--seconds", defaultValue = "10", description = "length of each waveform, s "
        + "(default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--sample-rate", defaultValue = "16000", description = "Hz (default: ${DEFAULT-VALUE})")
    int sampleRate;

    @Option(names = "--bench-threads", defaultValue = "2", description = "libtorch intra-op threads "
        + "(default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--intra-op", description = "use libtorch's intra-op threads on one batch instead of "
        + "splitting the batch across Java threads")
    boolean intraOp;

    @Option(names = "--runs", defaultValue = "7", description = "timed runs; the median is reported "
        + "(default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--iters", defaultValue = "10", description = "forwards per run (default: ${DEFAULT-VALUE})")
    int iters;

    @Option(names = "--warmup", defaultValue = "3", description = "untimed forwards first (default: ${DEFAULT-VALUE})")
    int warmup;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if (batch < 1 || runs < 1 || iters < 1 || seconds <= 0 || threads < 1) {
        throw new IllegalArgumentException("--batch, --runs, --iters, --bench-threads and --seconds must be positive");
      }
      Threads.setIntraOp(intraOp ? threads : 1);
      int samples = (int) Math.round(seconds * sampleRate);
      float[] data = new float[batch * samples];
      SplittableRandom rng = new SplittableRandom(1234);
      for (int i = 0; i < data.length; i++) {
        data[i] = (float) ((rng.nextDouble() * 2 - 1) * 0.1);
      }
      var out = spec.commandLine().getOut();
      double[] rates = new double[runs];
      try (PointerScope outer = new PointerScope(); NoGradGuard noGrad = new NoGradGuard();
          Fbank fbank = new Fbank(sampleRate, nMels);
          BatchParallel parallel = new BatchParallel(intraOp ? 1 : threads)) {
        Tensor wav = Tensors.fromFloats(data, batch, samples);
        for (int i = 0; i < warmup; i++) {
          try (Tensor feats = parallel.map(wav, fbank::forward)) {
            feats.size(1);
          }
        }
        for (int r = 0; r < runs; r++) {
          long start = System.nanoTime();
          for (int i = 0; i < iters; i++) {
            try (Tensor feats = parallel.map(wav, fbank::forward)) {
              feats.size(1);
            }
          }
          double elapsed = (System.nanoTime() - start) / 1e9;
          rates[r] = iters * batch * seconds / elapsed;
          out.printf(Locale.ROOT, "run %d: %.1f audio-s/s (%.2f ms per batch)%n", r + 1, rates[r],
              elapsed * 1000 / iters);
        }
      }
      double[] sorted = rates.clone();
      Arrays.sort(sorted);
      double median = runs % 2 == 1 ? sorted[runs / 2] : (sorted[runs / 2 - 1] + sorted[runs / 2]) / 2;
      StringBuilder all = new StringBuilder();
      for (double r : rates) {
        all.append(String.format(Locale.ROOT, " %.1f", r));
      }
      Environment.Libtorch lt = Environment.capture().libtorch();
      out.printf(Locale.ROOT, "sonus fbank n_mels=%d batch=%dx%.1fs threads=%d (%s): median %.1f audio-s/s (runs:%s) "
          + "libtorch %s%n", nMels, batch, seconds, threads, intraOp ? "libtorch intra-op" : "batch split", median, all,
          lt.version());
      return 0;
    }
  }

  /**
   * Data loader throughput: every WAV file of a folder is read, resampled and turned into Fbank features by the
   * loader's workers, and collated into padded batches. Reports utterances per second per worker count, median
   * of {@code runs} passes after one warm-up pass.
   */
  @Command(name = "loader", description = "Data loader throughput (utterances/s): read + resample + Fbank + "
      + "collate, for several worker counts.")
  static final class LoaderBench implements Callable<Integer> {
    @Option(names = "--data-folder", required = true, paramLabel = "DIR", description = "folder of WAV files")
    java.nio.file.Path dataFolder;

    @Option(names = "--workers", split = ",", defaultValue = "1,2,4", description = "worker counts to measure "
        + "(default: ${DEFAULT-VALUE})")
    java.util.List<Integer> workers;

    @Option(names = "--sample-rate", defaultValue = "16000", description = "resample to this rate, Hz "
        + "(default: ${DEFAULT-VALUE})")
    int sampleRate;

    @Option(names = "--n-mels", defaultValue = "40", description = "mel filters (default: ${DEFAULT-VALUE})")
    int nMels;

    @Option(names = "--batch-size", defaultValue = "16", description = "(default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--runs", defaultValue = "3", description = "timed passes per worker count; the median is "
        + "reported (default: ${DEFAULT-VALUE})")
    int runs;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws java.io.IOException {
      java.util.List<dev.sonus.data.Manifest.Row> rows = new java.util.ArrayList<>();
      try (var files = java.nio.file.Files.list(dataFolder)) {
        for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".wav")).sorted().toList()) {
          rows.add(new dev.sonus.data.Manifest.Row(f.getFileName().toString(),
              java.util.Map.of("wav", f.toString()), 0));
        }
      }
      if (rows.isEmpty()) {
        throw new IllegalArgumentException("no .wav files in " + dataFolder);
      }
      var out = spec.commandLine().getOut();
      try (Fbank fbank = new Fbank(sampleRate, nMels)) {
        dev.sonus.data.DynamicItemDataset ds = dev.sonus.data.DynamicItemDataset.fromRows(rows)
            .addPipeline(dev.sonus.data.AudioPipelines.readAudio("wav", "sig", sampleRate))
            .addPipeline(dev.sonus.data.AudioPipelines.features("sig", "feats", fbank))
            .withOutputKeys("id", "feats");
        dev.sonus.data.BatchSampler sampler = dev.sonus.data.BatchSampler.fixed(ds.size(), batchSize,
            dev.sonus.data.BatchSampler.Order.RANDOM, null, 1, false);
        StringBuilder summary = new StringBuilder();
        for (int w : workers) {
          double[] rates = new double[runs];
          try (dev.sonus.data.DataLoader loader = new dev.sonus.data.DataLoader(ds, sampler, w, 2 * Math.max(1, w),
              1)) {
            for (int r = -1; r < runs; r++) {
              long start = System.nanoTime();
              int items = 0;
              try (var epoch = loader.epoch(r + 2)) {
                for (dev.sonus.data.Batch b : epoch) {
                  items += b.size();
                  b.close();
                }
              }
              double s = (System.nanoTime() - start) / 1e9;
              if (r >= 0) {
                rates[r] = items / s;
                out.printf(Locale.ROOT, "workers %d run %d: %d utterances in %.2f s = %.1f utt/s%n", w, r + 1,
                    items, s, rates[r]);
              }
            }
          }
          double[] sorted = rates.clone();
          Arrays.sort(sorted);
          summary.append(String.format(Locale.ROOT, "  workers=%d: median %.1f utt/s%n", w, sorted[runs / 2]));
        }
        out.printf(Locale.ROOT, "sonus loader %d files, %d Hz, fbank %d mels, batch %d:%n%s", ds.size(),
            sampleRate, nMels, batchSize, summary);
      }
      return 0;
    }
  }

  /**
   * Speaker-embedding speed as a real-time factor (wall time / audio time): Fbank, sentence mean normalisation and
   * ECAPA-TDNN in eval mode on batches of random 16 kHz waveforms, as SpeechBrain's {@code encode_batch}. Protocol
   * shared with bench/ecapa_speechbrain.py: libtorch intra-op threads, warm-up forwards, then runs of timed
   * forwards; the median run is reported.
   */
  @Command(name = "embed", description = "ECAPA-TDNN embedding real-time factor (lower is faster).")
  static final class EmbedBench implements Callable<Integer> {
    @Option(names = "--batch", defaultValue = "1", description = "waveforms per batch (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--seconds", defaultValue = "10", description = "length of each waveform, s "
        + "(default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--channels", defaultValue = "1024", description = "ECAPA channels C: [C, C, C, C, 3C] "
        + "(default: ${DEFAULT-VALUE})")
    long channels;

    @Option(names = "--n-mels", defaultValue = "80", description = "mel filters (default: ${DEFAULT-VALUE})")
    int nMels;

    @Option(names = "--bench-threads", defaultValue = "2", description = "libtorch intra-op threads "
        + "(default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--runs", defaultValue = "5", description = "timed runs (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--iters", defaultValue = "5", description = "forwards per run (default: ${DEFAULT-VALUE})")
    int iters;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if (batch < 1 || runs < 1 || iters < 1 || seconds <= 0 || threads < 1 || channels < 8) {
        throw new IllegalArgumentException("--batch, --runs, --iters, --bench-threads, --seconds must be positive "
            + "and --channels at least 8");
      }
      Threads.setIntraOp(threads);
      int sampleRate = 16000;
      int samples = (int) Math.round(seconds * sampleRate);
      SplittableRandom rng = new SplittableRandom(1234);
      java.util.List<float[]> signals = new java.util.ArrayList<>();
      for (int b = 0; b < batch; b++) {
        float[] x = new float[samples];
        for (int i = 0; i < samples; i++) {
          x[i] = (float) ((rng.nextDouble() * 2 - 1) * 0.1);
        }
        signals.add(x);
      }
      dev.sonus.models.EcapaTdnn.Options d = dev.sonus.models.EcapaTdnn.Options.defaults();
      dev.sonus.models.EcapaTdnn model = new dev.sonus.models.EcapaTdnn(new dev.sonus.models.EcapaTdnn.Options(nMels,
          192, d.activation(), java.util.List.of(channels, channels, channels, channels, 3 * channels),
          d.kernelSizes(), d.dilations(), d.attentionChannels(), d.res2netScale(), d.seChannels(), d.globalContext(),
          d.groups()));
      model.eval();
      var norm = new dev.sonus.features.InputNormalization(dev.sonus.features.InputNormalization.Type.SENTENCE,
          true, false);
      norm.eval();
      var out = spec.commandLine().getOut();
      double[] rtf = new double[runs];
      try (Fbank fbank = new Fbank(sampleRate, nMels)) {
        for (int i = 0; i < 2; i++) {
          dev.sonus.inference.Embeddings.compute(signals, fbank, norm, model, null);
        }
        for (int r = 0; r < runs; r++) {
          long start = System.nanoTime();
          for (int i = 0; i < iters; i++) {
            dev.sonus.inference.Embeddings.compute(signals, fbank, norm, model, null);
          }
          double elapsed = (System.nanoTime() - start) / 1e9;
          rtf[r] = elapsed / (iters * batch * seconds);
          out.printf(Locale.ROOT, "run %d: RTF %.4f (%.1f ms per batch)%n", r + 1, rtf[r], elapsed * 1000 / iters);
        }
      }
      double[] sorted = rtf.clone();
      Arrays.sort(sorted);
      double median = runs % 2 == 1 ? sorted[runs / 2] : (sorted[runs / 2 - 1] + sorted[runs / 2]) / 2;
      out.printf(Locale.ROOT, "sonus embed ECAPA C=%d n_mels=%d batch=%dx%.1fs threads=%d: median RTF %.4f "
          + "(wall time / audio time) libtorch %s%n", channels, nMels, batch, seconds, threads, median,
          Environment.capture().libtorch().version());
      return 0;
    }
  }
}
