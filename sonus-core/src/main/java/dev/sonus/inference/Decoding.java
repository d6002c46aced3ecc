package dev.sonus.inference;

import dev.sonus.decode.CtcDecoder;
import dev.sonus.decode.CtcPrefixBeamSearch;
import dev.sonus.decode.S2SBeamSearch;
import dev.sonus.run.RunFolder;
import java.nio.file.Path;

/**
 * Replacing a trained recogniser's CTC decoder at evaluation or transcription time ({@code sonus
 * eval --beam 10 --lm digits.arpa --lm-weight 0.5}): the recipe's beam-search settings are kept
 * where the override is silent, and a recipe with greedy decoding starts from SpeechBrain's
 * beam-search defaults.
 */
public final class Decoding {
  private Decoding() {}

  /**
   * What to change; a null field keeps the recipe's value.
   *
   * @param beamSize beam size; 1 or more switches to prefix beam search
   * @param lmPath ARPA language model
   * @param lmWeight weight of the language model
   * @param lexiconPath file of allowed words (one per line), or null to keep the recipe's
   * @param ctcWeight weight of the CTC prefix score in a joint CTC/attention search
   *     (sequence-to-sequence models only)
   */
  public record Change(
      Integer beamSize, Path lmPath, Double lmWeight, Path lexiconPath, Double ctcWeight) {
    /** A change of beam, LM, LM weight and lexicon. */
    public Change(Integer beamSize, Path lmPath, Double lmWeight, Path lexiconPath) {
      this(beamSize, lmPath, lmWeight, lexiconPath, null);
    }

    /** A change of beam, LM and LM weight only. */
    public Change(Integer beamSize, Path lmPath, Double lmWeight) {
      this(beamSize, lmPath, lmWeight, null, null);
    }

    /**
     * A file-name label for results decoded this way: {@code beam10}, {@code
     * beam10_lm-digits_w0.5}.
     */
    public String label() {
      StringBuilder sb = new StringBuilder(beamSize != null ? "beam" + beamSize : "beam");
      if (lmPath != null) {
        String file = lmPath.getFileName().toString();
        sb.append("_lm-")
            .append(file.contains(".") ? file.substring(0, file.lastIndexOf('.')) : file);
      }
      if (lmWeight != null) {
        sb.append("_w").append(lmWeight);
      }
      if (lexiconPath != null) {
        sb.append("_lexicon");
      }
      if (ctcWeight != null) {
        sb.append("_ctc").append(ctcWeight);
      }
      return sb.toString().replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** Whether anything is to change. */
    public boolean isEmpty() {
      return beamSize == null
          && lmPath == null
          && lmWeight == null
          && lexiconPath == null
          && ctcWeight == null;
    }
  }

  /**
   * The decoder {@code current} becomes under {@code change}; {@code current} itself when nothing
   * changes.
   */
  public static CtcDecoder override(CtcDecoder current, Change change) {
    if (change == null || change.isEmpty()) {
      return current;
    }
    CtcPrefixBeamSearch.Settings settings =
        current instanceof CtcPrefixBeamSearch beam && beam.settings() != null
            ? beam.settings()
            : CtcPrefixBeamSearch.Settings.defaults();
    if (change.beamSize() != null) {
      settings = settings.withBeamSize(change.beamSize());
    }
    if (change.lmPath() != null) {
      settings = settings.withLm(change.lmPath());
    }
    if (change.lmWeight() != null) {
      if (settings.lmPath() == null) {
        throw new IllegalArgumentException(
            "an LM weight of "
                + change.lmWeight()
                + " is given but no language "
                + "model: give one too (--lm FILE) or leave the weight out");
      }
      settings = settings.withLmWeight(change.lmWeight());
    }
    return new CtcPrefixBeamSearch(
        new CtcPrefixBeamSearch.Settings(
            settings.beamSize(),
            settings.beamPruneLogp(),
            settings.tokenPruneMinLogp(),
            settings.pruneHistory(),
            settings.blankSkipThreshold(),
            settings.lmPath(),
            settings.lmWeight(),
            settings.wordBonus(),
            settings.unkScoreOffset(),
            change.lexiconPath() != null ? change.lexiconPath() : settings.lexiconPath(),
            settings.spaceToken(),
            current.blankIndex()));
  }

  /**
   * The attention beam search {@code current} becomes under {@code change}: beam size and CTC
   * weight replace the recipe's (the language model is the recognizer's, see {@link
   * Seq2SeqRecognizer#useLm}).
   */
  public static S2SBeamSearch.Options override(S2SBeamSearch.Options current, Change change) {
    if (change == null || change.isEmpty()) {
      return current;
    }
    int beam = change.beamSize() != null ? change.beamSize() : current.beamSize();
    double ctcWeight = change.ctcWeight() != null ? change.ctcWeight() : current.ctcWeight();
    return current.withBeamAndCtcWeight(beam, ctcWeight);
  }

  /**
   * Applies {@code change} to a trained model's decoder; a model that is not a CTC recogniser is
   * refused.
   */
  static void apply(Object model, Change change) {
    if (change == null || change.isEmpty()) {
      return;
    }
    if (model instanceof Seq2SeqRecognizer s2s) {
      if (change.lexiconPath() != null) {
        throw new IllegalArgumentException(
            "--lexicon applies to CTC prefix beam search; sequence-to-sequence models decode "
                + "without a lexicon (leave it out)");
      }
      s2s.useSearch(override(s2s.search(), change));
      if (change.lmPath() != null || change.lmWeight() != null) {
        java.nio.file.Path lm = change.lmPath() != null ? change.lmPath() : s2s.lmPath();
        if (lm == null) {
          throw new IllegalArgumentException(
              "an LM weight of "
                  + change.lmWeight()
                  + " is given but no language model: give one too (--lm FILE) or leave the weight out");
        }
        double w =
            change.lmWeight() != null
                ? change.lmWeight()
                : (s2s.lmWeight() > 0 ? s2s.lmWeight() : 0.5);
        if (java.nio.file.Files.isDirectory(lm)) {
          // a run folder of a token language model
          RunFolder.Loaded run = RunFolder.load(lm);
          if (!(run.experiment() instanceof LanguageModel language)) {
            throw new IllegalArgumentException(
                "--lm "
                    + lm
                    + " is a run of "
                    + run.experiment().getClass().getSimpleName()
                    + ", not of a language model; give an ARPA file over the tokenizer's pieces or "
                    + "a run folder of experiments.TokenLm");
          }
          s2s.useLm(language.prefixLm(1.0), lm, w);
        } else {
          s2s.useLm(lm, w);
        }
      }
      return;
    }
    if (change.ctcWeight() != null) {
      throw new IllegalArgumentException(
          "--ctc-weight applies to joint CTC/attention (sequence-to-sequence) models; this model is "
              + model.getClass().getName()
              + ", which decodes with CTC alone");
    }
    if (!(model instanceof CtcRecognizer ctc)) {
      throw new IllegalArgumentException(
          "beam size and language model apply to CTC recognisers; this model is a "
              + model.getClass().getName());
    }
    ctc.useDecoder(override(ctc.decoder(), change));
  }
}
