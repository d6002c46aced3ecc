package dev.sonus.bench;

import dev.sonus.data.AudioPipelines;
import dev.sonus.data.Batch;
import dev.sonus.data.BatchSampler;
import dev.sonus.data.DataLoader;
import dev.sonus.data.DynamicItemDataset;
import dev.sonus.data.Manifest;
import dev.sonus.features.Fbank;
import dev.sonus.features.InputNormalization;
import dev.sonus.inference.Embeddings;
import dev.sonus.models.EcapaTdnn;
import dev.sonus.tensor.BatchParallel;
import dev.sonus.tensor.Tensors;
import dev.sonus.tensor.Threads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The throughput benchmarks behind {@code sonus bench}: Fbank extraction, the data loader, speaker
 * embedding. Each runs warm-up passes, then timed runs, reports every run to a listener as it ends
 * and returns all of them with their median; the command line prints them. Inputs are seeded random
 * waveforms (or a folder of WAV files), so two runs measure the same work.
 */
public final class Benchmarks {
  private Benchmarks() {}

  /**
   * The timed runs of a benchmark.
   *
   * @param values one figure per run (audio-s/s, utterances/s or a real-time factor)
   * @param median their median
   */
  public record Runs(double[] values, double median) {
    static Runs of(double[] values) {
      double[] sorted = values.clone();
      Arrays.sort(sorted);
      int n = sorted.length;
      return new Runs(
          values.clone(), n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2);
    }
  }

  /** Hears each timed run as it ends. */
  public interface Listener {
    /**
     * Called when a timed run ends.
     *
     * @param run 1-based run number
     * @param value the run's figure
     * @param seconds the run's wall time
     * @param work what the run processed (forwards, or utterances for the loader)
     */
    void run(int run, double value, double seconds, long work);
  }

  /**
   * Fbank throughput in audio seconds per second over batches of random waveforms, split across
   * {@code threads} Java threads (or run with libtorch's intra-op threads when {@code intraOp}).
   */
  public static Runs fbank(
      int sampleRate,
      int nMels,
      int batch,
      double seconds,
      int threads,
      boolean intraOp,
      int runs,
      int iters,
      int warmup,
      Listener listener) {
    if (batch < 1 || runs < 1 || iters < 1 || seconds <= 0 || threads < 1) {
      throw new IllegalArgumentException(
          "batch, runs, iters, threads and seconds must be positive");
    }
    Threads.setIntraOp(intraOp ? threads : 1);
    int samples = (int) Math.round(seconds * sampleRate);
    float[] data = new float[batch * samples];
    SplittableRandom rng = new SplittableRandom(1234);
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) ((rng.nextDouble() * 2 - 1) * 0.1);
    }
    double[] rates = new double[runs];
    try (PointerScope outer = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard();
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
        listener.run(r + 1, rates[r], elapsed, iters);
      }
    }
    return Runs.of(rates);
  }

  /**
   * Data loader throughput in utterances per second for each worker count: every WAV file of {@code
   * folder} read, resampled, turned into Fbank features and collated, one untimed pass first.
   *
   * @return the runs by worker count, in the order given
   */
  public static Map<Integer, Runs> loader(
      Path folder,
      List<Integer> workers,
      int sampleRate,
      int nMels,
      int batchSize,
      int runs,
      Map<Integer, Listener> listeners) {
    return loader(folder, workers, sampleRate, nMels, batchSize, runs, listeners, null);
  }

  /**
   * Like {@link #loader(Path, List, int, int, int, int, Map)}, with the waveform augmentation a
   * training recipe's {@code wav_augment} would apply in the loader threads (null for none); the
   * rate counts the folder's utterances, not the augmented copies.
   */
  public static Map<Integer, Runs> loader(
      Path folder,
      List<Integer> workers,
      int sampleRate,
      int nMels,
      int batchSize,
      int runs,
      Map<Integer, Listener> listeners,
      dev.sonus.augment.Augmenter augment) {
    List<Manifest.Row> rows = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".wav")).sorted().toList()) {
        rows.add(new Manifest.Row(f.getFileName().toString(), Map.of("wav", f.toString()), 0));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder + ": " + e.getMessage(), e);
    }
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("no .wav files in " + folder);
    }
    Map<Integer, Runs> out = new LinkedHashMap<>();
    try (Fbank fbank = new Fbank(sampleRate, nMels)) {
      DynamicItemDataset ds =
          DynamicItemDataset.fromRows(rows)
              .addPipeline(AudioPipelines.readAudio("wav", "sig", sampleRate))
              .addPipeline(AudioPipelines.features("sig", "feats", fbank))
              .withOutputKeys("id", "feats");
      if (augment != null) {
        ds =
            ds.withOutputKeys("id", "sig")
                .withBatchStage(
                    dev.sonus.augment.AugmentedData.waveStage(
                        augment, sampleRate, "sig", fbank, "feats"));
      }
      BatchSampler sampler =
          BatchSampler.fixed(ds.size(), batchSize, BatchSampler.Order.RANDOM, null, 1, false);
      for (int w : workers) {
        double[] rates = new double[runs];
        try (DataLoader loader = new DataLoader(ds, sampler, w, 2 * Math.max(1, w), 1)) {
          for (int r = -1; r < runs; r++) {
            long start = System.nanoTime();
            int items = 0;
            try (var epoch = loader.epoch(r + 2)) {
              for (Batch b : epoch) {
                b.close();
              }
              items = ds.size();
            }
            double s = (System.nanoTime() - start) / 1e9;
            if (r >= 0) {
              rates[r] = items / s;
              Listener l = listeners.get(w);
              if (l != null) {
                l.run(r + 1, rates[r], s, items);
              }
            }
          }
        }
        out.put(w, Runs.of(rates));
      }
    }
    return out;
  }

  /**
   * Speaker-embedding real-time factor (wall time / audio time): Fbank, sentence mean normalisation
   * and an ECAPA-TDNN with {@code channels} channels in eval mode on random 16 kHz waveforms, two
   * untimed passes first.
   */
  public static Runs embed(
      int batch,
      double seconds,
      long channels,
      int nMels,
      int threads,
      int runs,
      int iters,
      Listener listener) {
    if (batch < 1 || runs < 1 || iters < 1 || seconds <= 0 || threads < 1 || channels < 8) {
      throw new IllegalArgumentException(
          "batch, runs, iters, threads and seconds must be positive and channels at " + "least 8");
    }
    Threads.setIntraOp(threads);
    int sampleRate = 16000;
    int samples = (int) Math.round(seconds * sampleRate);
    SplittableRandom rng = new SplittableRandom(1234);
    List<float[]> signals = new ArrayList<>();
    for (int b = 0; b < batch; b++) {
      float[] x = new float[samples];
      for (int i = 0; i < samples; i++) {
        x[i] = (float) ((rng.nextDouble() * 2 - 1) * 0.1);
      }
      signals.add(x);
    }
    EcapaTdnn.Options d = EcapaTdnn.Options.defaults();
    EcapaTdnn model =
        new EcapaTdnn(
            new EcapaTdnn.Options(
                nMels,
                192,
                d.activation(),
                List.of(channels, channels, channels, channels, 3 * channels),
                d.kernelSizes(),
                d.dilations(),
                d.attentionChannels(),
                d.res2netScale(),
                d.seChannels(),
                d.globalContext(),
                d.groups()));
    model.eval();
    InputNormalization norm = new InputNormalization(InputNormalization.Type.SENTENCE, true, false);
    norm.eval();
    double[] rtf = new double[runs];
    try (Fbank fbank = new Fbank(sampleRate, nMels)) {
      for (int i = 0; i < 2; i++) {
        Embeddings.compute(signals, fbank, norm, model, null);
      }
      for (int r = 0; r < runs; r++) {
        long start = System.nanoTime();
        for (int i = 0; i < iters; i++) {
          Embeddings.compute(signals, fbank, norm, model, null);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        rtf[r] = elapsed / (iters * batch * seconds);
        listener.run(r + 1, rtf[r], elapsed, iters);
      }
    }
    return Runs.of(rtf);
  }
}
