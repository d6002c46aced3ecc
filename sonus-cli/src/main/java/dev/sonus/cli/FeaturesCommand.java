package dev.sonus.cli;

import dev.sonus.features.Fbank;
import dev.sonus.features.FeatureFiles;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sonus features}: compute features of one file and write them as a {@code [frames, dims]}
 * .npy.
 */
@Command(
    name = "features",
    sortOptions = false,
    description = {
      "Compute fbank, mfcc or spectrogram features of an audio file and write a float32 .npy of "
          + "shape [frames, dims].",
      "Numerics follow SpeechBrain's Fbank/MFCC (n_fft 400, 25 ms window, 10 ms hop, "
          + "hamming, centre padding, dB with top_db 80)."
    })
final class FeaturesCommand implements Callable<Integer> {
  enum Kind {
    fbank,
    mfcc,
    spectrogram
  }

  @Parameters(index = "0", description = "fbank, mfcc or spectrogram")
  Kind kind;

  @Parameters(
      index = "1",
      paramLabel = "IN",
      description = "audio file (WAV or FLAC); multi-channel audio is " + "averaged to mono")
  Path input;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "OUT.npy",
      description = "output .npy file")
  Path out;

  @Option(
      names = "--sample-rate",
      paramLabel = "HZ",
      description = "resample to this rate first " + "(default: the file's own rate)")
  Integer sampleRate;

  @Option(
      names = "--n-mels",
      paramLabel = "N",
      description = "mel filters (default: 40 for fbank, 23 for mfcc)")
  Integer nMels;

  @Option(
      names = "--n-mfcc",
      paramLabel = "N",
      defaultValue = "20",
      description = "cepstral coefficients for " + "mfcc (default: ${DEFAULT-VALUE})")
  int nMfcc;

  @Option(
      names = "--n-fft",
      paramLabel = "N",
      defaultValue = "400",
      description = "FFT size (default: " + "${DEFAULT-VALUE})")
  int nFft;

  @Option(
      names = "--win-ms",
      paramLabel = "MS",
      defaultValue = "25",
      description = "window length in ms " + "(default: ${DEFAULT-VALUE})")
  double winMs;

  @Option(
      names = "--hop-ms",
      paramLabel = "MS",
      defaultValue = "10",
      description = "hop length in ms " + "(default: ${DEFAULT-VALUE})")
  double hopMs;

  @Option(names = "--deltas", description = "append deltas and delta-deltas")
  boolean deltas;

  @Option(names = "--context", description = "stack 5 past and 5 future frames with each frame")
  boolean context;

  @Option(
      names = "--left-frames",
      paramLabel = "N",
      defaultValue = "5",
      description = "past frames in the " + "context window (default: ${DEFAULT-VALUE})")
  int leftFrames;

  @Option(
      names = "--right-frames",
      paramLabel = "N",
      defaultValue = "5",
      description = "future frames in the " + "context window (default: ${DEFAULT-VALUE})")
  int rightFrames;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (sampleRate != null) {
      OptionChecks.sampleRate(spec, "--sample-rate", sampleRate);
    }
    OptionChecks.intIn(spec, "--n-fft", nFft, 2, OptionChecks.MAX_N_FFT, "the FFT size in samples");
    int bins = nFft / 2 + 1;
    int mels = nMels != null ? nMels : kind == Kind.mfcc ? 23 : 40;
    OptionChecks.intIn(
        spec,
        "--n-mels",
        mels,
        1,
        bins,
        "mel filters; at most the " + bins + " frequency bins of --n-fft " + nFft);
    if (kind == Kind.mfcc) {
      OptionChecks.intIn(
          spec, "--n-mfcc", nMfcc, 1, mels, "cepstral coefficients; at most --n-mels " + mels);
    }
    OptionChecks.finiteAbove(spec, "--win-ms", winMs, 0, 1000, "window length in ms");
    OptionChecks.finiteAbove(spec, "--hop-ms", hopMs, 0, 1000, "hop length in ms");
    OptionChecks.intIn(spec, "--left-frames", leftFrames, 0, 100, "past frames of context");
    OptionChecks.intIn(spec, "--right-frames", rightFrames, 0, 100, "future frames of context");
    Fbank.Options options =
        Fbank.Options.defaults()
            .withNFft(nFft)
            .withFraming(winMs, hopMs)
            .withNMels(mels)
            .withDeltas(deltas)
            .withContext(context)
            .withContextFrames(leftFrames, rightFrames);
    FeatureFiles.Written w =
        FeatureFiles.write(
            FeatureFiles.Kind.valueOf(kind.name().toUpperCase(Locale.ROOT)),
            input,
            sampleRate,
            options,
            nMfcc,
            out);
    if (w.channels() > 1) {
      spec.commandLine()
          .getErr()
          .printf("sonus: %s has %d channels; averaged them to mono%n", input, w.channels());
    }
    spec.commandLine()
        .getErr()
        .printf(
            "sonus: wrote %s: %s [frames, dims] float32 from %.2f s at %d Hz%n",
            out, java.util.Arrays.toString(w.shape()), w.seconds(), w.sampleRate());
    return 0;
  }
}
