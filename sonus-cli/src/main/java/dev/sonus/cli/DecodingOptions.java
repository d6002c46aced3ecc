package dev.sonus.cli;

import dev.sonus.inference.Decoding;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --beam}, {@code --lm}, {@code --lm-weight}, {@code --lexicon}, {@code --ctc-weight}:
 * change a recogniser's decoding for one command.
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

  @Option(
      names = "--ctc-weight",
      paramLabel = "W",
      description =
          "weight of the CTC prefix score in a joint CTC/attention beam search, 0 to 1 "
              + "(sequence-to-sequence models; default: the recipe's)")
  Double ctcWeight;

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  /**
   * The override, or null when no option was given.
   *
   * @throws picocli.CommandLine.ParameterException naming the option when a value is out of range
   */
  Decoding.Change override() {
    if (beam != null) {
      OptionChecks.intIn(spec, "--beam", beam, 1, 10_000, "a beam size");
    }
    if (lmWeight != null) {
      OptionChecks.finiteIn(spec, "--lm-weight", lmWeight, 0, 100, "the language model's weight");
    }
    if (ctcWeight != null) {
      OptionChecks.finiteIn(spec, "--ctc-weight", ctcWeight, 0, 1, "the CTC weight");
    }
    Decoding.Change o = new Decoding.Change(beam, lm, lmWeight, lexicon, ctcWeight);
    return o.isEmpty() ? null : o;
  }
}
