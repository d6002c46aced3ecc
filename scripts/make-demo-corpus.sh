#!/usr/bin/env bash
# Makes the quickstart's demo corpus: spoken digit strings ("three one four") synthesised by espeak-ng with
# several voices and speaking rates, stored as 8 kHz mono FLAC with train/valid/test manifests and SHA-256 sums.
#
#   apt-get install -y espeak-ng sox flac      # Debian packages
#   scripts/make-demo-corpus.sh [OUT_DIR]      # default: demo/digits
#
# Deterministic: the digit strings come from a fixed seed, and the same espeak-ng version gives the same audio
# (the committed corpus was made with espeak-ng 1.51, sox 14.4.2 and flac 1.4.2; check with SHA256SUMS).
set -euo pipefail
out="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/demo/digits}"
for tool in espeak-ng sox flac sha256sum; do
  command -v "$tool" >/dev/null || { echo "make-demo-corpus: $tool is missing; apt-get install -y espeak-ng sox flac" >&2; exit 2; }
done
mkdir -p "$out/audio"
rm -f "$out"/audio/*.flac
words=(zero one two three four five six seven eight nine)
# voice name, espeak voice, base rate (words/min), pitch; the last two voices are held out for testing.
voices=(
  "us_m1 en-us+m1 150 45" "gb_f2 en-gb+f2 165 60" "en_m3 en+m3 140 40" "us_f3 en-us+f3 175 70"
  "gb_m4 en-gb+m4 155 35" "en_f4 en+f4 160 65" "us_m7 en-us+m7 145 50" "gb_f5 en-gb+f5 170 55"
)
per_voice=24
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'ID,duration,wav,spk_id,wrd\n' > "$tmp/all.csv"
seed=1234
for v in "${voices[@]}"; do
  read -r name voice rate pitch <<< "$v"
  for ((i = 0; i < per_voice; i++)); do
    # A deterministic pseudo-random digit string of 2-4 digits (linear congruential generator).
    seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
    n=$(( 2 + seed % 3 ))
    text=""
    for ((k = 0; k < n; k++)); do
      seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
      text="$text ${words[$(( (seed / 65536) % 10 ))]}"
    done
    text="${text# }"
    speed=$(( rate + (i % 5) * 8 - 16 ))
    id="${name}_$(printf '%02d' "$i")"
    espeak-ng -v "$voice" -s "$speed" -p "$pitch" -w "$tmp/$id.wav" "$text"
    # Trim leading/trailing silence, downmix, 8 kHz 16-bit; no dither (-D), so the output is reproducible.
    sox -D "$tmp/$id.wav" -r 8000 -c 1 -b 16 "$tmp/$id.8k.wav" silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse
    flac --silent --best --force -o "$out/audio/$id.flac" "$tmp/$id.8k.wav"
    dur=$(sox --i -D "$tmp/$id.8k.wav")
    printf '%s,%.4f,$data_root/audio/%s.flac,%s,%s\n' "$id" "$dur" "$id" "$name" "$text" >> "$tmp/all.csv"
  done
done
header=$(head -1 "$tmp/all.csv")
# Test: the two held-out voices. Valid: utterances 0-3 of each training voice. Train: the rest.
{ echo "$header"; grep -E '^(us_m7|gb_f5)_' "$tmp/all.csv"; } > "$out/test.csv"
{ echo "$header"; grep -vE '^(us_m7|gb_f5)_|^ID,' "$tmp/all.csv" | grep -E '_0[0-3],'; } > "$out/valid.csv"
{ echo "$header"; grep -vE '^(us_m7|gb_f5)_|^ID,' "$tmp/all.csv" | grep -vE '_0[0-3],'; } > "$out/train.csv"
(cd "$out" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS)
echo "demo corpus in $out: $(($(wc -l < "$out/train.csv") - 1)) train, $(($(wc -l < "$out/valid.csv") - 1)) valid, $(($(wc -l < "$out/test.csv") - 1)) test utterances, $(du -sh "$out" | cut -f1)"
