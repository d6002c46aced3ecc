package dev.sonus.cli;

import dev.sonus.inference.Decoding;
import dev.sonus.inference.Transcriber;
import dev.sonus.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sonus transcribe}: speech to text with a trained run folder. */
@Command(
    name = "transcribe",
    description = {
      "Transcribe audio files (WAV or FLAC, any rate) with a trained run "
          + "folder's best checkpoint; prints 'path<TAB>text' per file, or a JSON array with --json."
    })
final class TranscribeCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      required = true,
      paramLabel = "RUN_DIR",
      description = "output_folder of a 'sonus train' speech recognition run")
  Path model;

  @Mixin DecodingOptions decoding = new DecodingOptions();

  @Option(names = "--json", description = "print a JSON array of {\"path\": ..., \"text\": ...}")
  boolean json;

  @Parameters(index = "0..*", arity = "1..*", paramLabel = "FILE", description = "audio files")
  List<Path> files = new ArrayList<>();

  @Mixin TrustOptions trust = new TrustOptions();

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Decoding.Change override = decoding.override();
    Transcriber asr = Transcriber.load(model, trust.runFolder(), override);
    List<String> texts = asr.transcribeAll(files);
    var out = spec.commandLine().getOut();
    if (json) {
      List<Object> items = new ArrayList<>();
      for (int i = 0; i < files.size(); i++) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("path", files.get(i).toString());
        item.put("text", texts.get(i));
        items.add(item);
      }
      out.println(Json.writePretty(items));
    } else {
      for (int i = 0; i < files.size(); i++) {
        out.println(files.get(i) + "\t" + texts.get(i));
      }
    }
    return 0;
  }
}
