package dev.sonus.tokenize;

/**
 * Text to token ids and back, for sequence-to-sequence models: a subword model ({@code
 * SentencePiece}) or any other tokenizer a recipe gives.
 */
public interface TextTokenizer {
  /** Vocabulary size: ids are {@code 0 .. size() - 1}. */
  int size();

  /** The ids of {@code text} (no bos or eos added). */
  long[] encodeIds(String text);

  /** The text of {@code ids}; ids outside the vocabulary are refused. */
  String decodeIds(long[] ids);

  /** The piece (token string) of {@code id}, as a token-level language model names it. */
  String piece(long id);
}
