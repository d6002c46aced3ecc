package dev.sonus.cli;

import dev.sonus.inference.SpeakerVerifier;
import dev.sonus.tensor.Npy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sonus embed}: speaker embeddings of audio files. */
@Command(
    name = "embed",
    description = {
      "Speaker embeddings of audio files (any rate; resampled to the model's) "
          + "with a Sonus speaker run folder or a SpeechBrain pretrained model folder. Writes float32 [files, dims] to "
          + "--out (.npy), or prints one line per file."
    })
final class EmbedCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      description =
          "a speaker run folder, or a SpeechBrain folder with hyperparams.yaml and embedding_model.ckpt")
  Path model;

  @Option(
      names = "--out",
      paramLabel = "EMB.npy",
      description = "write the embeddings as a float32 .npy")
  Path out;

  @Parameters(index = "0..*", arity = "1..*", paramLabel = "FILE", description = "audio files")
  List<Path> files = new ArrayList<>();

  @Mixin TrustOptions trust = new TrustOptions();

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    SpeakerVerifier sv = SpeakerVerifier.load(model, trust.runFolder());
    float[][] e = sv.embedAll(files);
    if (out != null) {
      int dim = e[0].length;
      float[] flat = new float[e.length * dim];
      for (int i = 0; i < e.length; i++) {
        System.arraycopy(e[i], 0, flat, i * dim, dim);
      }
      Npy.write(out, flat, e.length, dim);
      spec.commandLine()
          .getErr()
          .printf("sonus: wrote %d embeddings of %d dimensions to %s%n", e.length, dim, out);
    } else {
      for (int i = 0; i < e.length; i++) {
        StringBuilder sb = new StringBuilder(files.get(i).toString());
        for (float v : e[i]) {
          sb.append('\t').append(v);
        }
        spec.commandLine().getOut().println(sb);
      }
    }
    return 0;
  }
}
