package dev.sonus.datasets;

import dev.sonus.data.Manifest;
import dev.sonus.tokenize.SentencePiece;
import dev.sonus.tokenize.SentencePieceModel;
import dev.sonus.tokenize.SentencePieceTrainer;
import dev.sonus.util.RecipeCallable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tokenizers trained on the transcripts of data manifests: what {@code sonus tokenize train} and a
 * recipe's {@code tokenizer: !apply:datasets.Tokenizers.sentencePiece [...]} both use.
 */
public final class Tokenizers {
  private static final Logger LOG = LoggerFactory.getLogger(Tokenizers.class);

  private Tokenizers() {}

  /** Leaves {@code $name} placeholders as they are: only the transcripts are read. */
  private static final Map<String, String> KEEP_PLACEHOLDERS =
      new AbstractMap<>() {
        @Override
        public String get(Object key) {
          return "$" + key;
        }

        @Override
        public Set<Entry<String, String>> entrySet() {
          return Set.of();
        }
      };

  /**
   * The values of {@code column} in every row of the manifests, in order.
   *
   * @throws IllegalArgumentException naming the manifest and its columns when one lacks {@code
   *     column}
   */
  public static List<String> transcripts(List<Path> manifests, String column) {
    List<String> text = new ArrayList<>();
    for (Path m : manifests) {
      Manifest manifest = Manifest.load(m, KEEP_PLACEHOLDERS);
      if (!manifest.keys().contains(column)) {
        throw new IllegalArgumentException(
            m
                + " has no column '"
                + column
                + "'; its columns are "
                + manifest.keys()
                + " (choose one with --column, or the recipe's column argument)");
      }
      for (Manifest.Row row : manifest.rows()) {
        Object v = row.get(column);
        if (v != null) {
          text.add(v.toString());
        }
      }
    }
    return text;
  }

  /**
   * A SentencePiece model of {@code type} ({@code unigram}, {@code bpe} or {@code char}) and {@code
   * vocabSize} pieces trained on the {@code column} transcripts of {@code manifest}, with
   * SpeechBrain's special ids for sequence-to-sequence recipes (unk 0, bos 1, eos 2, no pad), saved
   * as {@code out}; an {@code out} that exists already (a resumed run) is loaded instead.
   */
  @RecipeCallable
  public static SentencePiece sentencePiece(
      Path manifest, String column, String type, int vocabSize, Path out) {
    if (Files.isRegularFile(out)) {
      LOG.info("tokenizer {} exists; loading it instead of training another", out);
      return SentencePiece.load(out);
    }
    SentencePieceModel.Type t;
    try {
      t = SentencePieceModel.Type.valueOf(type.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "tokenizer type '" + type + "' is not one of unigram, bpe, char", e);
    }
    SentencePieceTrainer.Options options =
        SentencePieceTrainer.Options.of(t, vocabSize).withSpecialIds(0, 1, 2, -1);
    List<String> text = transcripts(List.of(manifest), column);
    SentencePieceModel trained = SentencePieceTrainer.train(text, options);
    trained.save(out);
    LOG.info(
        "trained a {} tokenizer of {} pieces on {} transcripts of {}: {}",
        type,
        trained.size(),
        text.size(),
        manifest,
        out);
    return SentencePiece.load(out);
  }
}
