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
    Fbank.Options options =
        Fbank.Options.defaults()
            .withNFft(nFft)
            .withFraming(winMs, hopMs)
            .withNMels(nMels != null ? nMels : kind == Kind.mfcc ? 23 : 40)
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
