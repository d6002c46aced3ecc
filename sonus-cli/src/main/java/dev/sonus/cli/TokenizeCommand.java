package dev.sonus.cli;

import dev.sonus.datasets.Tokenizers;
import dev.sonus.tokenize.SentencePiece;
import dev.sonus.tokenize.SentencePieceModel;
import dev.sonus.tokenize.SentencePieceTrainer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sonus tokenize}: SentencePiece tokenizers, to encode and decode text and to train them.
 */
@Command(
    name = "tokenize",
    sortOptions = false,
    description = {
      "Encode text with a SentencePiece model (.model of SpeechBrain, ESPnet, Hugging Face or "
          + "`sonus tokenize train`): one line of space-separated piece ids per TEXT, or of pieces "
          + "with --pieces. With --decode, each TEXT is ids (or pieces) and its text is printed.",
      "A TEXT that is the word train must follow --: sonus tokenize --model M.model -- train"
    },
    subcommands = {TokenizeCommand.Train.class})
final class TokenizeCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      paramLabel = "M.model",
      description = "the SentencePiece model (unigram, BPE, char or word)")
  Path model;

  @Option(names = "--pieces", description = "print (or, with --decode, read) pieces, not ids")
  boolean pieces;

  @Option(
      names = "--decode",
      description = "decode: each TEXT is space-separated ids (or pieces with --pieces)")
  boolean decode;

  @Parameters(paramLabel = "TEXT", arity = "0..*", description = "texts, one line of output each")
  List<String> texts = new ArrayList<>();

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (model == null) {
      throw OptionChecks.usage(
          spec,
          "--model is missing: give the tokenizer, e.g. sonus tokenize --model tokenizer.model"
              + " \"THE TEXT\" (or train one with sonus tokenize train)");
    }
    if (texts.isEmpty()) {
      throw OptionChecks.usage(
          spec, "no TEXT given: sonus tokenize --model " + model + " \"THE TEXT\" ...");
    }
    SentencePiece sp = SentencePiece.load(model);
    PrintWriter out = spec.commandLine().getOut();
    for (String text : texts) {
      if (decode) {
        out.println(pieces ? sp.decodePieces(split(text)) : sp.decode(ids(sp, text)));
      } else if (pieces) {
        out.println(String.join(" ", sp.encodeAsPieces(text)));
      } else {
        StringBuilder line = new StringBuilder();
        for (int id : sp.encode(text)) {
          if (line.length() > 0) {
            line.append(' ');
          }
          line.append(id);
        }
        out.println(line);
      }
    }
    return 0;
  }

  private static List<String> split(String text) {
    String t = text.strip();
    return t.isEmpty() ? List.of() : List.of(t.split("\\s+"));
  }

  private int[] ids(SentencePiece sp, String text) {
    List<String> words = split(text);
    int[] ids = new int[words.size()];
    for (int i = 0; i < ids.length; i++) {
      try {
        ids[i] = Integer.parseInt(words.get(i));
      } catch (NumberFormatException e) {
        throw OptionChecks.usage(
            spec,
            "--decode reads ids, and '"
                + words.get(i)
                + "' is not one; add --pieces to decode pieces");
      }
      if (ids[i] < 0 || ids[i] >= sp.size()) {
        throw OptionChecks.usage(
            spec,
            "id "
                + ids[i]
                + " is outside the vocabulary of "
                + model
                + " (ids 0.."
                + (sp.size() - 1)
                + ")");
      }
    }
    return ids;
  }

  /** {@code sonus tokenize train}. */
  @Command(
      name = "train",
      sortOptions = false,
      description = {
        "Train a SentencePiece model on the transcripts of data manifests and write a .model that "
            + "sentencepiece (and so SpeechBrain) loads. Unigram: EM over the likelihood of a "
            + "unigram language model, pruned to the vocabulary size; bpe: merges of the most "
            + "frequent pairs; char: one piece per character.",
        "Text is used as it is (identity normalisation; spaces squeezed, a space put first): "
            + "normalise the transcripts beforehand. Placeholders such as $data_root in other "
            + "columns are left alone."
      })
  static final class Train implements Callable<Integer> {
    @Option(
        names = "--type",
        required = true,
        paramLabel = "TYPE",
        description = "unigram, bpe or char")
    String type;

    @Option(
        names = "--vocab",
        paramLabel = "N",
        description =
            "pieces, special pieces included (required for unigram and bpe; for char the"
                + " default is every character)")
    Integer vocab;

    @Option(
        names = "--manifest",
        required = true,
        arity = "1..*",
        paramLabel = "CSV",
        description = "CSV or JSON manifests whose --column holds the transcripts")
    List<Path> manifests;

    @Option(
        names = "--column",
        paramLabel = "NAME",
        defaultValue = "wrd",
        description = "the transcript column (default: ${DEFAULT-VALUE})")
    String column;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "M.model",
        description = "the model to write")
    Path out;

    @Option(
        names = "--character-coverage",
        paramLabel = "F",
        defaultValue = "1.0",
        description =
            "fraction of the characters that get pieces, 0.98 to 1; the rarest others become"
                + " <unk> (default: ${DEFAULT-VALUE})")
    double coverage;

    @Option(
        names = "--max-piece-length",
        paramLabel = "N",
        defaultValue = "16",
        description = "longest piece in characters (default: ${DEFAULT-VALUE})")
    int maxPieceLength;

    @Option(
        names = "--user-defined-symbols",
        split = ",",
        paramLabel = "SYM",
        description = "pieces always kept whole in text, e.g. [NOISE],[LAUGH]")
    List<String> userDefined = new ArrayList<>();

    @Option(
        names = "--control-symbols",
        split = ",",
        paramLabel = "SYM",
        description = "pieces without surface, e.g. language tags <en>,<fr>")
    List<String> control = new ArrayList<>();

    @Option(
        names = "--byte-fallback",
        description = "add the 256 byte pieces: unknown characters encode as their UTF-8 bytes")
    boolean byteFallback;

    @Option(
        names = "--unk-id",
        paramLabel = "ID",
        defaultValue = "0",
        description = "id of <unk> (default: ${DEFAULT-VALUE})")
    int unkId;

    @Option(
        names = "--bos-id",
        paramLabel = "ID",
        defaultValue = "-1",
        description = "id of <s>, -1 for none (default: ${DEFAULT-VALUE}, as SpeechBrain's)")
    int bosId;

    @Option(
        names = "--eos-id",
        paramLabel = "ID",
        defaultValue = "-1",
        description = "id of </s>, -1 for none (default: ${DEFAULT-VALUE})")
    int eosId;

    @Option(
        names = "--pad-id",
        paramLabel = "ID",
        defaultValue = "-1",
        description = "id of <pad>, -1 for none (default: ${DEFAULT-VALUE})")
    int padId;

    @Spec CommandSpec spec;

    /** The largest vocabulary asked for on the command line. */
    static final int MAX_VOCAB = 1_000_000;

    @Override
    public Integer call() {
      SentencePieceModel.Type modelType =
          switch (type.toLowerCase(Locale.ROOT)) {
            case "unigram" -> SentencePieceModel.Type.UNIGRAM;
            case "bpe" -> SentencePieceModel.Type.BPE;
            case "char" -> SentencePieceModel.Type.CHAR;
            default ->
                throw OptionChecks.usage(
                    spec, "--type is '" + type + "'; expected one of [unigram, bpe, char]");
          };
      int vocabSize;
      if (vocab == null) {
        if (modelType != SentencePieceModel.Type.CHAR) {
          throw OptionChecks.usage(
              spec, "--vocab is missing: a " + type + " model needs its size, e.g. --vocab 1000");
        }
        vocabSize = 0;
      } else {
        vocabSize = OptionChecks.intIn(spec, "--vocab", vocab, 1, MAX_VOCAB, "pieces");
      }
      OptionChecks.finiteIn(
          spec, "--character-coverage", coverage, 0.98, 1.0, "a fraction of the characters");
      OptionChecks.intIn(spec, "--max-piece-length", maxPieceLength, 1, 512, "characters");
      int maxId = vocab == null ? MAX_VOCAB - 1 : vocabSize - 1;
      OptionChecks.intIn(spec, "--unk-id", unkId, 0, maxId, "an id of the vocabulary");
      for (String[] o :
          new String[][] {
            {"--bos-id", String.valueOf(bosId)},
            {"--eos-id", String.valueOf(eosId)},
            {"--pad-id", String.valueOf(padId)}
          }) {
        OptionChecks.intIn(
            spec, o[0], Integer.parseInt(o[1]), -1, maxId, "an id of the vocabulary, or -1");
      }
      SentencePieceTrainer.Options options;
      try {
        options =
            new SentencePieceTrainer.Options(
                modelType,
                vocabSize,
                coverage,
                maxPieceLength,
                unkId,
                bosId,
                eosId,
                padId,
                userDefined,
                control,
                byteFallback,
                false);
      } catch (IllegalArgumentException e) {
        throw OptionChecks.usage(spec, e.getMessage());
      }
      List<String> text;
      try {
        text = Tokenizers.transcripts(manifests, column);
      } catch (IllegalArgumentException e) {
        throw OptionChecks.usage(spec, e.getMessage());
      }
      if (Files.isDirectory(out)) {
        throw OptionChecks.usage(spec, "--out " + out + " is a folder; give the .model file");
      }
      SentencePieceModel trained = SentencePieceTrainer.train(text, options);
      trained.save(out);
      spec.commandLine()
          .getOut()
          .printf(
              Locale.ROOT,
              "wrote %s: %s model of %d pieces, trained on %d transcripts%n",
              out,
              type.toLowerCase(Locale.ROOT),
              trained.size(),
              text.size());
      return 0;
    }
  }
}
