package dev.sonus.decode;

import dev.sonus.util.Alias;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;

/**
 * CTC prefix beam search (Hannun et al., 2014) over log-probabilities {@code [time, vocab]}, with
 * optional word n-gram shallow fusion and a lexicon constraint.
 *
 * <p>Each prefix keeps the log-probability of ending in a blank and in a non-blank; the beam is
 * ranked by {@code lmScore = ctc + alpha * ln(10) * log10 P_lm(words) + beta * words} (plus {@code
 * unkScoreOffset} for out-of-vocabulary words or word prefixes), where the LM term is added when a
 * word completes at the space token and {@code </s>} at the end. Without an LM it follows
 * SpeechBrain v1.0.0's {@code speechbrain.decoders.ctc.CTCPrefixBeamSearcher} step for step: token
 * pruning, beam pruning, history pruning, blank skipping, the order in which prefixes are created
 * and merged, and the {@code int(relLength * T)} length rule of {@code decodeBatch}.
 *
 * <p>One deviation: SpeechBrain does not append a repeated character (as in "hello") to the word
 * being built, which only changes LM and lexicon scoring; here the partial word always equals the
 * text since the last space.
 */
public final class CtcPrefixBeamSearch implements CtcDecoder {
  private static final double LN_10 = Math.log(10.0);
  private static final String SPM_TOKEN = "\u2581";

  /**
   * Search settings; names follow SpeechBrain's {@code CTCBaseSearcher} arguments.
   *
   * @param beamSize prefixes kept per frame ({@code beam_size})
   * @param topk hypotheses returned ({@code topk})
   * @param beamPruneLogp drop prefixes scoring below the best plus this (natural log, {@code
   *     beam_prune_logp})
   * @param tokenPruneMinLogp consider only tokens with a log-probability above this, plus the
   *     frame's best ({@code token_prune_min_logp})
   * @param pruneHistory keep only the best prefix among those sharing the LM history, current
   *     partial word and last token ({@code prune_history}; it removes diversity, so turn it off
   *     for n-best lists)
   * @param blankSkipThreshold skip a frame whose blank probability exceeds this probability; 1.0
   *     never skips ({@code blank_skip_threshold})
   * @param alpha LM weight
   * @param beta bonus per completed word
   * @param unkScoreOffset natural-log penalty for a word unknown to the LM, or a partial word that
   *     begins no LM word
   */
  public record Options(
      int beamSize,
      int topk,
      double beamPruneLogp,
      double tokenPruneMinLogp,
      boolean pruneHistory,
      double blankSkipThreshold,
      double alpha,
      double beta,
      double unkScoreOffset) {

    /** Validates the settings. */
    public Options {
      if (beamSize < 1) {
        throw new IllegalArgumentException("beamSize is " + beamSize + "; expected at least 1");
      }
      if (topk < 1) {
        throw new IllegalArgumentException("topk is " + topk + "; expected at least 1");
      }
      if (!(beamPruneLogp <= 0)) {
        throw new IllegalArgumentException(
            "beamPruneLogp is "
                + beamPruneLogp
                + "; expected a log-probability margin <= 0 (SpeechBrain's default is -10)");
      }
      if (Double.isNaN(tokenPruneMinLogp)) {
        throw new IllegalArgumentException(
            "tokenPruneMinLogp is NaN; expected a log-probability such as -5");
      }
      if (!(blankSkipThreshold > 0 && blankSkipThreshold <= 1)) {
        throw new IllegalArgumentException(
            "blankSkipThreshold is "
                + blankSkipThreshold
                + "; expected a probability in (0, 1] (1.0 never skips a frame)");
      }
      if (!Double.isFinite(alpha) || !Double.isFinite(beta) || !Double.isFinite(unkScoreOffset)) {
        throw new IllegalArgumentException(
            String.format(
                "alpha=%s, beta=%s, unkScoreOffset=%s; expected finite numbers",
                alpha, beta, unkScoreOffset));
      }
    }

    /**
     * SpeechBrain's defaults: beam 100, topk 1, prune -10 / -5, history pruning, no blank skipping,
     * alpha 0.5, beta 1.5, unk -10.
     */
    public static Options defaults() {
      return new Options(100, 1, -10.0, -5.0, true, 1.0, 0.5, 1.5, -10.0);
    }

    /** A copy with another beam size. */
    public Options withBeamSize(int v) {
      return new Options(
          v,
          topk,
          beamPruneLogp,
          tokenPruneMinLogp,
          pruneHistory,
          blankSkipThreshold,
          alpha,
          beta,
          unkScoreOffset);
    }

    /** A copy with another number of returned hypotheses. */
    public Options withTopk(int v) {
      return new Options(
          beamSize,
          v,
          beamPruneLogp,
          tokenPruneMinLogp,
          pruneHistory,
          blankSkipThreshold,
          alpha,
          beta,
          unkScoreOffset);
    }

    /** A copy with other pruning thresholds. */
    public Options withPruning(double beamPrune, double tokenPruneMin, boolean history) {
      return new Options(
          beamSize,
          topk,
          beamPrune,
          tokenPruneMin,
          history,
          blankSkipThreshold,
          alpha,
          beta,
          unkScoreOffset);
    }

    /** A copy with another blank skip threshold (a probability). */
    public Options withBlankSkipThreshold(double v) {
      return new Options(
          beamSize,
          topk,
          beamPruneLogp,
          tokenPruneMinLogp,
          pruneHistory,
          v,
          alpha,
          beta,
          unkScoreOffset);
    }

    /** A copy with other LM fusion weights. */
    public Options withLmWeights(double lmAlpha, double wordBeta) {
      return new Options(
          beamSize,
          topk,
          beamPruneLogp,
          tokenPruneMinLogp,
          pruneHistory,
          blankSkipThreshold,
          lmAlpha,
          wordBeta,
          unkScoreOffset);
    }
  }

  /**
   * The decoder as a recipe configures it, before the vocabulary is known (the label encoder is
   * built from the training transcripts): {@code !new:decode.CtcPrefixBeamSearch {beam_size: 10,
   * lm_path: digits.arpa}}. SpeechBrain's names ({@code alpha}, {@code beta}, {@code
   * kenlm_model_path}) are accepted too.
   *
   * @param beamSize prefixes kept per frame
   * @param beamPruneLogp drop prefixes scoring below the best plus this (natural log)
   * @param tokenPruneMinLogp consider only tokens above this log-probability, plus the frame's best
   * @param pruneHistory keep one prefix per LM history, partial word and last token
   * @param blankSkipThreshold skip frames whose blank probability exceeds this; 1.0 never skips
   * @param lmPath ARPA n-gram language model over words, or null for none
   * @param lmWeight weight of the LM's natural-log probability ({@code alpha})
   * @param wordBonus score added per completed word when an LM is used ({@code beta}: an insertion
   *     bonus)
   * @param unkScoreOffset natural-log penalty for words (and partial words) the LM does not know
   * @param lexiconPath file of allowed words (the first field of each line; a pronunciation lexicon
   *     will do), or null for any spelling
   * @param spaceToken the token that separates words
   * @param blankIndex index of the blank token
   */
  public record Settings(
      int beamSize,
      double beamPruneLogp,
      double tokenPruneMinLogp,
      boolean pruneHistory,
      double blankSkipThreshold,
      @Alias({"kenlm_model_path", "lm"}) Path lmPath,
      @Alias("alpha") double lmWeight,
      @Alias({"beta", "insertion_bonus"}) double wordBonus,
      double unkScoreOffset,
      Path lexiconPath,
      String spaceToken,
      int blankIndex) {

    /**
     * Validates what can be checked without the vocabulary; the numbers as {@link Options} does.
     */
    public Settings {
      options(
          beamSize,
          beamPruneLogp,
          tokenPruneMinLogp,
          pruneHistory,
          blankSkipThreshold,
          lmWeight,
          wordBonus,
          unkScoreOffset);
      if (blankIndex < 0) {
        throw new IllegalArgumentException(
            "blank_index is " + blankIndex + "; expected a vocabulary index (0)");
      }
      if (lmPath != null && !Files.isRegularFile(lmPath)) {
        throw new IllegalArgumentException(
            "lm_path "
                + lmPath
                + " does not exist; give an ARPA language model file "
                + "or leave lm_path out");
      }
      if (lexiconPath != null && !Files.isRegularFile(lexiconPath)) {
        throw new IllegalArgumentException(
            "lexicon_path "
                + lexiconPath
                + " does not exist; give a file with one "
                + "word per line or leave lexicon_path out");
      }
    }

    /**
     * SpeechBrain's defaults: beam 100, prune -10 / -5, history pruning, alpha 0.5, beta 1.5, no LM
     * or lexicon.
     */
    public static Settings defaults() {
      return new Settings(100, -10.0, -5.0, true, 1.0, null, 0.5, 1.5, -10.0, null, " ", 0);
    }

    /** A copy with another beam size. */
    public Settings withBeamSize(int size) {
      return new Settings(
          size,
          beamPruneLogp,
          tokenPruneMinLogp,
          pruneHistory,
          blankSkipThreshold,
          lmPath,
          lmWeight,
          wordBonus,
          unkScoreOffset,
          lexiconPath,
          spaceToken,
          blankIndex);
    }

    /** A copy with another language model (null for none). */
    public Settings withLm(Path path) {
      return new Settings(
          beamSize,
          beamPruneLogp,
          tokenPruneMinLogp,
          pruneHistory,
          blankSkipThreshold,
          path,
          lmWeight,
          wordBonus,
          unkScoreOffset,
          lexiconPath,
          spaceToken,
          blankIndex);
    }

    /** A copy with another LM weight. */
    public Settings withLmWeight(double weight) {
      return new Settings(
          beamSize,
          beamPruneLogp,
          tokenPruneMinLogp,
          pruneHistory,
          blankSkipThreshold,
          lmPath,
          weight,
          wordBonus,
          unkScoreOffset,
          lexiconPath,
          spaceToken,
          blankIndex);
    }

    /** The search options these settings give (top hypothesis only). */
    public Options options() {
      return options(
          beamSize,
          beamPruneLogp,
          tokenPruneMinLogp,
          pruneHistory,
          blankSkipThreshold,
          lmWeight,
          wordBonus,
          unkScoreOffset);
    }

    private static Options options(
        int beamSize,
        double beamPruneLogp,
        double tokenPruneMinLogp,
        boolean pruneHistory,
        double blankSkipThreshold,
        double lmWeight,
        double wordBonus,
        double unkScoreOffset) {
      return new Options(
          beamSize,
          1,
          beamPruneLogp,
          tokenPruneMinLogp,
          pruneHistory,
          blankSkipThreshold,
          lmWeight,
          wordBonus,
          unkScoreOffset);
    }
  }

  private final Settings settings;
  private final Map<List<String>, CtcPrefixBeamSearch> byVocab =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final List<String> vocab;
  private final int blankIndex;
  private final String spaceToken;
  private final int spaceIndex;
  private final boolean spm;
  private final Options options;
  private final ArpaLm lm;
  private final Set<String> lmPrefixes;
  private final Set<String> lexicon;
  private final Set<String> lexiconPrefixes;

  /**
   * A searcher over {@code vocab} (index = token id) with the blank at {@code blankIndex}, words
   * separated by {@code spaceToken} (SentencePiece vocabularies, with tokens starting with U+2581,
   * need none), an optional {@code lm} (null for none) and an optional {@code lexicon} of allowed
   * words (null for none).
   */
  public CtcPrefixBeamSearch(
      List<String> vocab,
      int blankIndex,
      String spaceToken,
      Options options,
      ArpaLm lm,
      Set<String> lexicon) {
    if (vocab == null || vocab.isEmpty()) {
      throw new IllegalArgumentException(
          "vocab is " + vocab + "; expected the token strings, blank included");
    }
    if (blankIndex < 0 || blankIndex >= vocab.size()) {
      throw new IllegalArgumentException(
          String.format(
              "blankIndex is %d; expected an index into the vocabulary of %d tokens",
              blankIndex, vocab.size()));
    }
    if (options == null) {
      throw new IllegalArgumentException(
          "options is null; pass Options.defaults() for SpeechBrain's defaults");
    }
    this.vocab = List.copyOf(vocab);
    this.blankIndex = blankIndex;
    this.spaceToken = spaceToken;
    this.spm = vocab.stream().anyMatch(s -> s.startsWith(SPM_TOKEN));
    this.spaceIndex = spaceToken == null ? -1 : vocab.indexOf(spaceToken);
    this.options = options;
    this.lm = lm;
    this.lmPrefixes = lm == null ? null : prefixesOf(lm.words());
    if (lexicon != null && lexicon.isEmpty()) {
      throw new IllegalArgumentException("lexicon is empty; pass null for no lexicon constraint");
    }
    this.lexicon = lexicon == null ? null : Set.copyOf(lexicon);
    this.lexiconPrefixes = lexicon == null ? null : prefixesOf(lexicon);
    this.settings = null;
  }

  /**
   * A decoder configured by {@code settings}, for any vocabulary: {@link #decode(Tensor, Tensor,
   * List)} searches over the vocabulary it is given. The language model and the lexicon are read
   * now, so a bad file fails here.
   */
  public CtcPrefixBeamSearch(Settings settings) {
    this.settings = settings;
    this.vocab = null;
    this.blankIndex = settings.blankIndex();
    this.spaceToken = settings.spaceToken();
    this.spaceIndex = -1;
    this.spm = false;
    this.options = settings.options();
    this.lm = settings.lmPath() == null ? null : ArpaLm.read(settings.lmPath());
    this.lmPrefixes = lm == null ? null : prefixesOf(lm.words());
    this.lexicon = settings.lexiconPath() == null ? null : readLexicon(settings.lexiconPath());
    this.lexiconPrefixes = lexicon == null ? null : prefixesOf(lexicon);
  }

  /** The words of a lexicon file: the first field of each non-empty line that is not a comment. */
  static Set<String> readLexicon(Path path) {
    Set<String> words = new java.util.LinkedHashSet<>();
    try {
      for (String line : Files.readAllLines(path, java.nio.charset.StandardCharsets.UTF_8)) {
        String trimmed = line.strip();
        if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
          words.add(trimmed.split("\\s+", 2)[0]);
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(
          "cannot read the lexicon " + path + ": " + e.getMessage(), e);
    }
    if (words.isEmpty()) {
      throw new IllegalArgumentException(
          "lexicon " + path + " has no words; give one word per line");
    }
    return words;
  }

  /** The recipe settings, or null when this searcher was built for one vocabulary from Java. */
  public Settings settings() {
    return settings;
  }

  @Override
  public int blankIndex() {
    return blankIndex;
  }

  /** The top hypothesis of each utterance, searched over {@code vocabulary}. */
  @Override
  public List<String> decode(Tensor logProbs, Tensor relLengths, List<String> vocabulary) {
    CtcPrefixBeamSearch search =
        vocab != null
            ? this
            : byVocab.computeIfAbsent(
                List.copyOf(vocabulary),
                v -> new CtcPrefixBeamSearch(v, blankIndex, spaceToken, options, lm, lexicon));
    if (vocab != null && !vocab.equals(vocabulary)) {
      throw new IllegalArgumentException(
          "this searcher was built for the vocabulary "
              + vocab
              + " but is asked to "
              + "decode over "
              + vocabulary
              + "; build it with CtcPrefixBeamSearch(Settings) to decode any vocabulary");
    }
    List<String> texts = new ArrayList<>();
    for (List<CtcHypothesis> hyps : search.decodeBatch(logProbs, relLengths)) {
      texts.add(hyps.isEmpty() ? "" : hyps.get(0).text().strip());
    }
    return texts;
  }

  /** A searcher without LM or lexicon, with the space token {@code " "}. */
  public CtcPrefixBeamSearch(List<String> vocab, int blankIndex, Options options) {
    this(vocab, blankIndex, " ", options, null, null);
  }

  /** A copy of this searcher that fuses {@code lm} (weights from the options' alpha and beta). */
  public CtcPrefixBeamSearch withLm(ArpaLm languageModel) {
    return new CtcPrefixBeamSearch(vocab, blankIndex, spaceToken, options, languageModel, lexicon);
  }

  /** A copy of this searcher that keeps only prefixes spelling words of {@code words}. */
  public CtcPrefixBeamSearch withLexicon(Set<String> words) {
    return new CtcPrefixBeamSearch(vocab, blankIndex, spaceToken, options, lm, words);
  }

  /** The search settings. */
  public Options options() {
    return options;
  }

  private static Set<String> prefixesOf(Set<String> words) {
    Set<String> out = new HashSet<>();
    for (String w : words) {
      for (int i = 1; i <= w.length(); i++) {
        out.add(w.substring(0, i));
      }
    }
    return out;
  }

  /**
   * Decodes all frames of {@code logProbs [time, vocab]}; returns up to {@code topk} hypotheses,
   * best first.
   */
  public List<CtcHypothesis> decode(float[][] logProbs) {
    return decode(logProbs, logProbs.length);
  }

  /**
   * Decodes a batch {@code logProbs [batch, time, vocab]} with {@code relLengths [batch]}; each
   * utterance uses {@code (int) (relLength * time)} frames (truncation, as SpeechBrain's searchers
   * do).
   */
  public List<List<CtcHypothesis>> decodeBatch(Tensor logProbs, Tensor relLengths) {
    float[][][] batch = CtcBatches.toArrays(logProbs, "CtcPrefixBeamSearch.decodeBatch");
    float[] rel =
        CtcBatches.relLengths(relLengths, batch.length, "CtcPrefixBeamSearch.decodeBatch");
    List<List<CtcHypothesis>> out = new ArrayList<>(batch.length);
    for (int b = 0; b < batch.length; b++) {
      int time = batch[b].length;
      int frames =
          (int) (rel[b] * (float) time); // float32 product then truncation, as numpy astype(int)
      out.add(decode(batch[b], Math.min(frames, time)));
    }
    return out;
  }

  /** Decodes the first {@code frames} frames of {@code logProbs [time, vocab]}. */
  public List<CtcHypothesis> decode(float[][] logProbs, int frames) {
    if (frames < 0 || frames > logProbs.length) {
      throw new IllegalArgumentException(
          String.format(
              "frames is %d; expected 0..%d (the number of rows in logProbs)",
              frames, logProbs.length));
    }
    LmCache cache = new LmCache();
    List<Beam> beams = new ArrayList<>();
    Beam start = new Beam("", "", "", "", null, -1);
    start.score = 0.0;
    start.scoreCtc = 0.0;
    start.pB = 0.0;
    beams.add(start);
    double skipLogp = Math.log(options.blankSkipThreshold());
    int vocabSize = vocab.size();
    for (int t = 0; t < frames; t++) {
      float[] col = logProbs[t];
      if (col.length < vocabSize) {
        throw new IllegalArgumentException(
            String.format(
                "frame %d has %d log-probabilities; expected at least the vocabulary size %d",
                t, col.length, vocabSize));
      }
      if (col[blankIndex] > skipLogp) {
        continue;
      }
      int maxIndex = CtcGreedy.argmax(col);
      List<Beam> current = new ArrayList<>(beams);
      for (int k = 0; k < vocabSize; k++) {
        if (!(col[k] > options.tokenPruneMinLogp()) && k != maxIndex) {
          continue;
        }
        extend(beams, current, k, col[k]);
      }
      for (Beam b : beams) {
        b.step();
      }
      List<Beam> ranked = rankAndPrune(beams, cache, false);
      if (ranked.isEmpty()) {
        return List.of();
      }
      beams = options.pruneHistory() ? pruneHistory(ranked) : ranked;
    }
    List<Beam> finals = finalizeBeams(beams, cache);
    List<CtcHypothesis> out = new ArrayList<>();
    for (int i = 0; i < finals.size() && i < options.topk(); i++) {
      Beam b = finals.get(i);
      out.add(new CtcHypothesis(normalizeWhitespace(b.text), b.score, b.lmScore));
    }
    return out;
  }

  private void extend(List<Beam> beams, List<Beam> current, int k, float pToken) {
    double p = pToken;
    String token = vocab.get(k);
    for (Beam beam : current) {
      double pB = beam.pB;
      double pNb = beam.pNb;
      if (k == blankIndex) {
        beam.nPB = logAddExp(beam.nPB, beam.scoreCtc + p);
        continue;
      }
      if (token.equals(beam.lastToken)) {
        beam.nPNb = logAddExp(beam.nPNb, pNb + p);
      }
      Beam next = newBeam(beam.text + token, token, k, beams, beam);
      double nPNb = next.nPNb;
      if (k == beam.lastTokenIndex && pB > Double.NEGATIVE_INFINITY) {
        nPNb = logAddExp(nPNb, pB + p);
      } else if (k != beam.lastTokenIndex) {
        nPNb = logAddExp(nPNb, beam.scoreCtc + p);
      }
      next.nPNb = nPNb;
    }
  }

  /**
   * The beam for {@code prefix}: an existing one with that text, or a new one appended to {@code
   * beams}.
   */
  private Beam newBeam(String prefix, String token, int k, List<Beam> beams, Beam previous) {
    for (Beam b : beams) {
      if (b.text.equals(prefix)) {
        return b;
      }
    }
    Beam created;
    if (!spm && k == spaceIndex) {
      created = new Beam(prefix, previous.fullText, previous.partialWord, "", token, k);
    } else if (spm && token.startsWith(SPM_TOKEN)) {
      String clean = token.substring(SPM_TOKEN.length());
      // SpeechBrain looks the prefix up before rewriting it, so word-initial pieces never merge
      // here.
      created =
          new Beam(
              previous.text + " " + clean,
              previous.fullText,
              previous.partialWord,
              clean,
              token,
              k);
    } else {
      created = new Beam(prefix, previous.fullText, "", previous.partialWord + token, token, k);
    }
    beams.add(created);
    return created;
  }

  /**
   * Scores beams (LM and lexicon), drops those below the beam margin, returns the best {@code
   * beamSize}.
   */
  private List<Beam> rankAndPrune(List<Beam> beams, LmCache cache, boolean isEnd) {
    List<Beam> scored = new ArrayList<>(beams.size());
    for (Beam b : beams) {
      if (score(b, cache, isEnd)) {
        scored.add(b);
      }
    }
    if (scored.isEmpty()) {
      return scored;
    }
    double max = Double.NEGATIVE_INFINITY;
    for (Beam b : scored) {
      max = Math.max(max, b.lmScore);
    }
    double floor = max + options.beamPruneLogp();
    List<Beam> kept = new ArrayList<>(scored.size());
    for (Beam b : scored) {
      if (b.lmScore >= floor) {
        kept.add(b);
      }
    }
    // Stable, as heapq.nlargest is: ties keep creation order.
    kept.sort(Comparator.comparingDouble((Beam b) -> b.lmScore).reversed());
    return kept.size() > options.beamSize()
        ? new ArrayList<>(kept.subList(0, options.beamSize()))
        : kept;
  }

  /**
   * Moves the pending word into the full text and sets {@code lmScore}; false when the lexicon
   * rejects it.
   */
  private boolean score(Beam b, LmCache cache, boolean isEnd) {
    String completed = b.nextWord;
    if (lexicon != null) {
      if (!completed.isEmpty() && !lexicon.contains(completed)) {
        return false;
      }
      if (!b.partialWord.isEmpty() && !lexiconPrefixes.contains(b.partialWord)) {
        return false;
      }
    }
    String newText = mergeTokens(b.fullText, completed);
    double lmPart = 0.0;
    if (lm != null) {
      LmEntry entry = cache.get(newText, isEnd);
      if (entry == null) {
        LmEntry prev = cache.get(b.fullText, false);
        entry = prev.extend(completed, isEnd);
        cache.put(newText, isEnd, entry);
      }
      lmPart = entry.score;
      if (!b.partialWord.isEmpty() && !lmPrefixes.contains(b.partialWord)) {
        lmPart += options.unkScoreOffset();
      }
    }
    b.fullText = newText;
    b.nextWord = "";
    b.lmScore = b.score + lmPart;
    return true;
  }

  private List<Beam> pruneHistory(List<Beam> beams) {
    int history = Math.max(1, (lm == null ? 1 : lm.order()) - 1);
    Set<List<Object>> seen = new HashSet<>();
    List<Beam> out = new ArrayList<>(beams.size());
    for (Beam b : beams) {
      String[] words = splitWords(b.text);
      List<String> last = List.of(words).subList(Math.max(0, words.length - history), words.length);
      List<Object> key = new ArrayList<>(3);
      key.add(last);
      key.add(b.partialWord);
      key.add(b.lastToken == null ? "\u0000none" : b.lastToken);
      if (seen.add(key)) {
        out.add(b);
      }
    }
    return out;
  }

  /**
   * SpeechBrain's finalize_decoding at the end: complete the partial word, merge equal texts,
   * rescore.
   */
  private List<Beam> finalizeBeams(List<Beam> beams, LmCache cache) {
    Map<String, Beam> merged = new LinkedHashMap<>();
    for (Beam b : beams) {
      Beam f = new Beam(b.text, b.fullText, b.partialWord, "", null, -1);
      f.score = b.score;
      f.scoreCtc = b.scoreCtc;
      String key = mergeTokens(b.text, f.nextWord);
      Beam seen = merged.get(key);
      if (seen == null) {
        merged.put(key, f);
      } else {
        // SpeechBrain keeps the later beam's fields with the summed score.
        f.score = logAddExp(seen.score, f.score);
        merged.put(key, f);
      }
    }
    return rankAndPrune(new ArrayList<>(merged.values()), cache, true);
  }

  private static String mergeTokens(String a, String b) {
    if (b.isEmpty()) {
      return a;
    }
    if (a.isEmpty()) {
      return b;
    }
    return a + " " + b;
  }

  private static String[] splitWords(String text) {
    String s = text.strip();
    return s.isEmpty() ? new String[0] : s.split("\\s+");
  }

  private static String normalizeWhitespace(String text) {
    return String.join(" ", splitWords(text));
  }

  /** {@code log(exp(x) + exp(y))} computed as {@code numpy.logaddexp}. */
  static double logAddExp(double x, double y) {
    if (x == y) {
      return x + Math.log(2.0);
    }
    double d = x - y;
    if (d > 0) {
      return x + Math.log1p(Math.exp(-d));
    } else if (d <= 0) {
      return y + Math.log1p(Math.exp(d));
    }
    return Double.NaN;
  }

  @Override
  public String toString() {
    return "CtcPrefixBeamSearch(vocab="
        + (vocab == null ? "any" : vocab.size())
        + ", blankIndex="
        + blankIndex
        + ", "
        + options
        + (lm == null ? "" : ", lm=" + lm)
        + (lexicon == null ? "" : ", lexicon=" + lexicon.size() + " words")
        + ")";
  }

  /** A prefix under construction; mutable like SpeechBrain's {@code CTCBeam}. */
  private static final class Beam {
    final String text;
    String fullText;
    String nextWord;
    final String partialWord;
    final String lastToken;
    final int lastTokenIndex;
    double pB = Double.NEGATIVE_INFINITY;
    double pNb = Double.NEGATIVE_INFINITY;
    double nPB = Double.NEGATIVE_INFINITY;
    double nPNb = Double.NEGATIVE_INFINITY;
    double score = Double.NEGATIVE_INFINITY;
    double scoreCtc = Double.NEGATIVE_INFINITY;
    double lmScore = Double.NEGATIVE_INFINITY;

    Beam(
        String text,
        String fullText,
        String nextWord,
        String partialWord,
        String lastToken,
        int lastTokenIndex) {
      this.text = text;
      this.fullText = fullText;
      this.nextWord = nextWord;
      this.partialWord = partialWord;
      this.lastToken = lastToken;
      this.lastTokenIndex = lastTokenIndex;
    }

    void step() {
      pB = nPB;
      pNb = nPNb;
      nPB = Double.NEGATIVE_INFINITY;
      nPNb = Double.NEGATIVE_INFINITY;
      scoreCtc = logAddExp(pB, pNb);
      score = scoreCtc;
    }
  }

  /** Fused LM score of a full text and the word history that follows it. */
  private final class LmEntry {
    final double score;
    final List<String> history;

    LmEntry(double score, List<String> history) {
      this.score = score;
      this.history = history;
    }

    LmEntry extend(String word, boolean isEnd) {
      double add = 0.0;
      List<String> h = history;
      if (!word.isEmpty()) {
        add += options.alpha() * LN_10 * lm.logProb10(history, word) + options.beta();
        if (!lm.contains(word)) {
          add += options.unkScoreOffset();
        }
        h = new ArrayList<>(history);
        h.add(word);
        int keep = Math.max(1, lm.order() - 1);
        if (h.size() > keep) {
          h = new ArrayList<>(h.subList(h.size() - keep, h.size()));
        }
      }
      if (isEnd) {
        add += options.alpha() * LN_10 * lm.logProb10(h, ArpaLm.EOS);
      }
      return new LmEntry(score + add, h);
    }
  }

  private final class LmCache {
    private final Map<String, LmEntry> open = new HashMap<>();
    private final Map<String, LmEntry> ended = new HashMap<>();

    LmCache() {
      if (lm != null) {
        open.put("", new LmEntry(0.0, List.of(ArpaLm.BOS)));
      }
    }

    LmEntry get(String text, boolean isEnd) {
      return (isEnd ? ended : open).get(text);
    }

    void put(String text, boolean isEnd, LmEntry e) {
      (isEnd ? ended : open).put(text, e);
    }
  }
}
