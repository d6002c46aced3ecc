package dev.sonus.decode;

/**
 * One result of a CTC beam search, like SpeechBrain's {@code CTCHypothesis}.
 *
 * @param text the decoded text, whitespace normalised (words joined by single spaces)
 * @param score the acoustic (CTC) log-probability of the prefix, natural log
 * @param lmScore the score the beam was ranked by: {@code score} plus the LM, word-bonus and
 *     lexicon terms (equal to {@code score} without an LM)
 */
public record CtcHypothesis(String text, double score, double lmScore) {}
