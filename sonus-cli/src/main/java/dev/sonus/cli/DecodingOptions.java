package dev.sonus.cli;

import dev.sonus.inference.Decoding;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --beam}, {@code --lm}, {@code --lm-weight}: replace a CTC recogniser's decoder for one
 * command.
 */
final class DecodingOptions {
  @Option(
      names = "--beam",
      paramLabel = "N",
      description =
          "decode with a CTC prefix beam search of this size " + "(default: the recipe's decoder)")
  Integer beam;

  @Option(
      names = "--lm",
      paramLabel = "FILE",
      description =
          "ARPA word n-gram language model fused into the beam " + "search (implies a beam search)")
  Path lm;

  @Option(
      names = "--lm-weight",
      paramLabel = "W",
      description = "weight of the language model (default: the " + "recipe's, else 0.5)")
  Double lmWeight;

  @Option(
      names = "--lexicon",
      paramLabel = "FILE",
      description =
          "allowed words, one per line (the first field of each line; implies a beam search)")
  Path lexicon;

  /** The override, or null when no option was given. */
  Decoding.Change override() {
    if (beam != null && beam < 1) {
      throw new IllegalArgumentException("--beam is " + beam + "; give a beam size of 1 or more");
    }
    Decoding.Change o = new Decoding.Change(beam, lm, lmWeight, lexicon);
    return o.isEmpty() ? null : o;
  }
}
