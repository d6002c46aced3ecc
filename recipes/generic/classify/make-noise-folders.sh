#!/usr/bin/env bash
# Lays NOIZEUS's noisy sentences out one folder per noise type (airport/, babble/, car/, ...), as symbolic links,
# to show the generic recipe on a corpus no recipe here was tuned on. Usage:
#   recipes/generic/classify/make-noise-folders.sh ../shared/data/noizeus results/noise-folders
set -euo pipefail
src="${1:?usage: make-noise-folders.sh NOIZEUS_FOLDER OUT_FOLDER}"
out="${2:?usage: make-noise-folders.sh NOIZEUS_FOLDER OUT_FOLDER}"
[ -d "$src/noisy" ] || { echo "make-noise-folders.sh: $src has no noisy/ folder; give the NOIZEUS folder" >&2; exit 1; }
src="$(cd "$src" && pwd)"
count=0
for dir in "$src"/noisy/*_*dB; do
  noise="$(basename "$dir")"
  noise="${noise%_*dB}"
  mkdir -p "$out/$noise"
  for f in "$dir"/*.flac; do
    ln -sf "$f" "$out/$noise/$(basename "$f")"
    count=$((count + 1))
  done
done
echo "linked $count recordings into $(ls "$out" | wc -l) class folders under $out"
