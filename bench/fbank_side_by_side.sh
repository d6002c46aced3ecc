#!/usr/bin/env bash
# Runs Sonus's and SpeechBrain's Fbank benchmarks alternately (same protocol, same machine state) and prints each
# invocation's median and the ratio of the medians over all invocations.
#   SB_SRC=/path/to/speechbrain-v1.0.0 [HYPERPYYAML_SRC=...] bench/fbank_side_by_side.sh [ROUNDS] [N_MELS...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
rounds="${1:-4}"
shift || true
mels=("${@:-40}")
[ ${#mels[@]} -eq 0 ] && mels=(40)
: "${SB_SRC:?set SB_SRC to a SpeechBrain v1.0.0 source tree (see bench/README.md)}"

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

for m in "${mels[@]}"; do
  sonus_runs=()
  sb_runs=()
  for ((i = 1; i <= rounds; i++)); do
    s=$("$root/sonus" bench fbank --n-mels "$m" | tail -1 | sed -E 's/.*median ([0-9.]+) audio-s\/s.*/\1/')
    b=$("$here/run_speechbrain_fbank.sh" --n-mels "$m" 2>/dev/null | tail -1 | sed -E 's/.*median ([0-9.]+) audio-s\/s.*/\1/')
    echo "n_mels=$m round $i: sonus $s audio-s/s, speechbrain $b audio-s/s"
    sonus_runs+=("$s")
    sb_runs+=("$b")
  done
  sm=$(printf '%s\n' "${sonus_runs[@]}" | median)
  bm=$(printf '%s\n' "${sb_runs[@]}" | median)
  awk -v m="$m" -v s="$sm" -v b="$bm" -v r="$rounds" 'BEGIN {printf "n_mels=%s over %d rounds: sonus median %.0f, speechbrain median %.0f audio-s/s, ratio %.2fx\n", m, r, s, b, s / b}'
done
