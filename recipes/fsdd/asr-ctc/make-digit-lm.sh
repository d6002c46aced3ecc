#!/usr/bin/env bash
# Writes the digit-word language model of the FSDD recipe: a bigram ARPA model over the ten digit words in which
# an utterance is one digit ("<s> seven </s>"). Every digit is equally likely after <s>, a digit is followed by
# </s>, and a second word costs a backoff of 10^-2 on top of its unigram probability.
#   recipes/fsdd/asr-ctc/make-digit-lm.sh results/digits.arpa
set -euo pipefail
out="${1:?usage: make-digit-lm.sh OUT.arpa}"
words=(zero one two three four five six seven eight nine)
uni=$(awk 'BEGIN { printf "%.6f", log(1 / 11) / log(10) }')    # ten words and </s>, uniform
start=$(awk 'BEGIN { printf "%.6f", log(1 / 10) / log(10) }')
mkdir -p "$(dirname "$out")"
tmp="$out.tmp.$$"
{
  printf '\\data\\\nngram 1=%d\nngram 2=%d\n\n\\1-grams:\n' $(( ${#words[@]} + 2 )) $(( 2 * ${#words[@]} ))
  printf '%s </s>\n' "$uni"
  printf -- '-99 <s> 0\n'
  for w in "${words[@]}"; do printf '%s %s -2\n' "$uni" "$w"; done
  printf '\n\\2-grams:\n'
  for w in "${words[@]}"; do printf '%s <s> %s\n' "$start" "$w"; done
  for w in "${words[@]}"; do printf '0 %s </s>\n' "$w"; done
  printf '\n\\end\\\n'
} > "$tmp"
mv "$tmp" "$out"
printf '%s\n' "${words[@]}" > "$(dirname "$out")/digits.lexicon"
echo "wrote $out and $(dirname "$out")/digits.lexicon" >&2
