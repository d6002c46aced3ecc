package dev.sonus.cli;

import dev.sonus.audio.Audio;
import dev.sonus.audio.AudioIO;
import dev.sonus.audio.WavEncoding;
import dev.sonus.augment.Augmentation;
import dev.sonus.augment.AugmentedData;
import dev.sonus.augment.Augmenter;
import dev.sonus.config.Hparams;
import dev.sonus.config.HyperYaml;
import dev.sonus.data.AudioPipelines;
import dev.sonus.data.ItemContext;
import dev.sonus.features.Fbank;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code sonus augment}: applies the augmentation under a YAML file's {@code augment} key to one
 * recording, so a user can listen to and look at what it does.
 */
@Command(
    name = "augment",
    sortOptions = false,
    description = {
      "Apply the augmentation under the key 'augment' of a YAML file (an augment.Augmenter or one"
          + " augmentation such as augment.AddNoise) to one recording and write the result as a"
          + " 32-bit float WAV at the input's rate, and/or a before/after spectrogram picture.",
      "The random choices depend on --seed and the file name only: the same command gives the"
          + " same output. An augmenter that outputs several versions (concat_original,"
          + " repeat_augment, parallel_augment) writes OUT.wav, OUT-2.wav, ... in its order.",
      "Feature augmentations (SpectrogramDrop, Warping) are drawn on 80-mel Fbank features:"
          + " give --spectrogram."
    })
final class AugmentCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "IN", description = "audio file")
  Path input;

  @Option(
      names = "--config",
      required = true,
      paramLabel = "AUG.yaml",
      description = "YAML file with the augmentation under the key 'augment'")
  Path config;

  @Option(
      names = "--out",
      paramLabel = "OUT.wav",
      description = "augmented audio (32-bit float WAV)")
  Path out;

  @Option(
      names = "--spectrogram",
      paramLabel = "OUT.png",
      description = "before/after log-mel spectrogram picture")
  Path spectrogram;

  @Option(
      names = "--seed",
      defaultValue = "1986",
      paramLabel = "S",
      description = "seed of the random choices (default: ${DEFAULT-VALUE})")
  long seed;

  @Unmatched List<String> overrides = new ArrayList<>();

  @Mixin TrustOptions trust = new TrustOptions();

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (out == null && spectrogram == null) {
      throw new IllegalArgumentException(
          "give --out OUT.wav (the augmented audio), --spectrogram OUT.png, or both");
    }
    if (out != null && !out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".wav")) {
      throw new IllegalArgumentException(
          "--out " + out + " does not end in .wav; augment writes WAV");
    }
    if (spectrogram != null
        && !spectrogram.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
      throw new IllegalArgumentException(
          "--spectrogram " + spectrogram + " does not end in .png; augment draws PNG pictures");
    }
    Hparams hp = HyperYaml.load(config, RecipeOverrides.parse(overrides, spec), trust.recipe());
    if (!hp.contains("augment")) {
      throw new IllegalArgumentException(
          config
              + " has no key 'augment'; put the augmentation there, e.g. augment:"
              + " !new:augment.AddNoise {csv_file: noises/, snr_low: 0, snr_high: 15}");
    }
    Object built = hp.get("augment");
    Augmenter augmenter;
    if (built instanceof Augmenter a) {
      augmenter = a;
    } else if (built instanceof Augmentation a) {
      augmenter = new Augmenter(a);
    } else {
      throw new IllegalArgumentException(
          config
              + ": 'augment' is "
              + (built == null ? "null" : built.getClass().getSimpleName())
              + ", not an augmentation; give an augment.Augmenter or one augmentation"
              + " (augment.AddNoise, augment.SpeedPerturb, ...)");
    }
    Audio audio = AudioIO.read(input);
    ItemContext ctx = new ItemContext(seed, 1, input.getFileName().toString());
    PrintWriter o = spec.commandLine().getOut();
    Fbank fbank = new Fbank(audio.sampleRate(), 80);
    float[] before = audio.toMono().channel(0);
    List<float[][]> afterFrames = new ArrayList<>();
    if (augmenter.isFeature()) {
      if (out != null) {
        throw new IllegalArgumentException(
            "the augmentation of "
                + config
                + " works on features ("
                + augmenter
                + "), so there is no audio to write; drop --out and give --spectrogram");
      }
      float[][] frames = AudioPipelines.frames(fbank, before);
      afterFrames.addAll(AugmentedData.featureFrames(augmenter, frames, ctx));
    } else {
      Augmenter.Result<List<float[][]>> r =
          augmenter.augmentWaveforms(
              List.<float[][]>of(audio.samples()), audio.sampleRate(), List.of(ctx));
      List<float[][]> outputs = r.data();
      for (int i = 0; i < outputs.size(); i++) {
        Audio a = new Audio(outputs.get(i), audio.sampleRate());
        if (out != null) {
          Path target = numbered(out, i, outputs.size());
          AudioIO.writeWav(target, a, WavEncoding.FLOAT32);
          o.printf(
              Locale.ROOT,
              "wrote %s: %d channel(s), %.3f s at %d Hz (input %.3f s)%n",
              target,
              a.numChannels(),
              a.durationSeconds(),
              a.sampleRate(),
              audio.durationSeconds());
        }
        afterFrames.add(AudioPipelines.frames(fbank, a.toMono().channel(0)));
      }
    }
    if (spectrogram != null) {
      List<float[][]> panels = new ArrayList<>();
      panels.add(AudioPipelines.frames(fbank, before));
      panels.addAll(afterFrames);
      Png.write(SpectrogramPicture.draw(panels, "before", "after"), spectrogram);
      o.printf(
          Locale.ROOT, "wrote %s (%d panels: before, then after)%n", spectrogram, panels.size());
    }
    o.printf(Locale.ROOT, "augment = %s, seed %d%n", augmenter, seed);
    o.flush();
    return 0;
  }

  /** {@code out} for the first of {@code n} outputs, {@code name-2.wav}, ... for the others. */
  static Path numbered(Path out, int index, int n) {
    if (index == 0 || n == 1) {
      return out;
    }
    String name = out.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String numbered = name.substring(0, dot) + "-" + (index + 1) + name.substring(dot);
    return out.resolveSibling(numbered);
  }
}
