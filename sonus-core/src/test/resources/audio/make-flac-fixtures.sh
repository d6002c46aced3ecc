#!/usr/bin/env bash
# Regenerates the FLAC test fixtures used by dev.sonus.audio.FlacReaderTest.
#
# Each fixture NAME is written to flac/ as two files:
#   NAME.flac  encoded by the reference encoder `flac` with options chosen to exercise one decoder feature
#   NAME.raw   the same samples as headerless little-endian signed integers, interleaved, ceil(bits/8) bytes each;
#              the test parses these itself to get the exact integers the decoder must reproduce
#
# Signals are synthesized with sox: tones and chirps plus a little white noise. `sox -R` seeds the noise generator
# with a fixed value and `-D` disables dither, so a given sox version always produces the same samples. Other
# versions of sox or flac may produce different (equally valid) bytes; the .flac and .raw files are generated
# together from one WAV, so any regenerated pair stays consistent.
#
# Requirements: flac (1.4 or later, for 32-bit input) and sox, e.g. `apt-get install -y flac sox`.
# Usage: sonus-core/src/test/resources/audio/make-flac-fixtures.sh   (from any directory)
# Keep the output small (all fixtures together under 300 KB): check with `du -ch flac/*`.
set -euo pipefail

out_dir="$(cd "$(dirname "$0")" && pwd)/flac"
mkdir -p "$out_dir"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Intermediate files are 32-bit integer WAVs: sox computes in 32-bit integers, so 32-bit fixtures get full precision.
# `-r`/`-c` go before `-n` so synth generates at the target rate (after -n sox would synthesize at 48 kHz and resample).

# synth RATE CHANNELS LENGTH OUT.wav SYNTH-ARGS...: a deterministic tone, 32-bit.
synth() {
  local rate=$1 channels=$2 length=$3 out=$4
  shift 4
  sox -R -D -r "$rate" -c "$channels" -n -e signed-integer -b 32 "$out" synth "$length" "$@"
}

# noisy RATE CHANNELS LENGTH BITS OUT.wav SYNTH-ARGS...: a tone plus quiet white noise at BITS bits per sample.
noisy() {
  local rate=$1 channels=$2 length=$3 bits=$4 out=$5
  shift 5
  synth "$rate" "$channels" "$length" "$work/tone.wav" "$@"
  synth "$rate" "$channels" "$length" "$work/noise.wav" whitenoise vol 0.003
  to_bits "$bits" "$out" -m "$work/tone.wav" "$work/noise.wav"
}

# to_bits BITS OUT.wav SOX-INPUTS...: converts to BITS-bit WAV (8-bit WAV is unsigned by definition).
to_bits() {
  local bits=$1 out=$2
  shift 2
  local encoding=signed-integer
  if [ "$bits" -le 8 ]; then encoding=unsigned-integer; fi
  sox -R -D "$@" -e "$encoding" -b "$bits" "$out"
}

# encode NAME IN.wav FLAC-OPTIONS...: writes NAME.flac and NAME.raw.
encode() {
  local name=$1 wav=$2
  shift 2
  flac --silent --force --no-padding "$@" -o "$out_dir/$name.flac" "$wav"
  local bits
  bits=$(soxi -b "$wav")
  sox "$wav" -t raw -e signed-integer -b "$bits" -L "$out_dir/$name.raw"
}

# 16-bit mono 16 kHz, default settings (LPC subframes).
noisy 16000 1 0.5 16 "$work/m16.wav" sine 100-4000 vol 0.5
encode mono16_16k "$work/m16.wav"

# 16-bit stereo, three 0.08 s sections: noise only on the right (left/side coding wins), only on the left
# (right/side wins), on both (mid/side wins in some frames). -m tries every channel assignment per frame, so this
# one file holds left/side, right/side and mid/side frames; --no-mid-side keeps the channels independent.
synth 16000 2 0.24 "$work/chirp.wav" sine 300-2000 vol 0.5
synth 16000 2 0.08 "$work/nr.wav" whitenoise vol 0.01 remix 0 1
synth 16000 2 0.08 "$work/nl.wav" whitenoise vol 0.01 remix 1 0
synth 16000 2 0.08 "$work/nb.wav" whitenoise vol 0.01
sox "$work/nr.wav" "$work/nl.wav" "$work/nb.wav" "$work/noise3.wav"
to_bits 16 "$work/s16.wav" -m "$work/chirp.wav" "$work/noise3.wav"
encode stereo16_side_modes "$work/s16.wav" -m -b 256
encode stereo16_independent "$work/s16.wav" --no-mid-side -b 1024

# 24-bit stereo 44.1 kHz (5-bit Rice parameters appear at this depth).
noisy 44100 2 0.1 24 "$work/s24.wav" sine 440 sine 445 vol 0.7
encode stereo24_44k "$work/s24.wav" -M

# 32-bit stereo: the side channel of 32-bit audio needs 33 bits.
noisy 16000 2 0.05 32 "$work/s32.wav" sine 1000 sine 1001 vol 0.9
encode stereo32_16k "$work/s32.wav" -M

# 8-bit mono 8 kHz (WAV stores 8-bit unsigned; the .raw file holds it as signed, like FLAC).
noisy 8000 1 0.5 8 "$work/m8.wav" sine 300-1200 vol 0.6
encode mono8_8k "$work/m8.wav"

# LPC order 32 (a non-subset stream, hence --lax), at 12 kHz: a sample rate coded in kHz in the frame header.
# Five harmonics are synthesized as five channels and summed into one.
synth 12000 5 0.3 "$work/harmonics.wav" sine 220 sine 440 sine 660 sine 1320 sine 1760 remix 1-5 vol 0.15
synth 12000 1 0.3 "$work/noise.wav" whitenoise vol 0.003
to_bits 16 "$work/lpc.wav" -m "$work/harmonics.wav" "$work/noise.wav"
encode lpc32_12k "$work/lpc.wav" --lax -l 32 -b 1024 -e

# 5000 samples at block size 1152: the last block holds 392 samples (block size stored in the header), and
# 11025 Hz is a sample rate stored in the frame header in Hz.
noisy 11025 1 5000s 16 "$work/odd.wav" sine 700-900 vol 0.4
encode blocksize1152_11k "$work/odd.wav" --blocksize=1152

# -0: FIXED predictors only.
noisy 16000 1 0.3 16 "$work/f.wav" sine 200-800 vol 0.5
encode fixed_16k "$work/f.wav" -0

# Pure silence: CONSTANT subframes.
synth 16000 1 0.25 "$work/z32.wav" sine 0 vol 0
to_bits 16 "$work/z.wav" "$work/z32.wav"
encode silence_16k "$work/z.wav"

# White noise with FIXED and LPC disabled (undocumented flac options): VERBATIM subframes.
synth 16000 1 0.05 "$work/v32.wav" whitenoise vol 0.9
to_bits 16 "$work/v.wav" "$work/v32.wav"
encode noise_verbatim_16k "$work/v.wav" -l 0 --disable-fixed-subframes

# An 8-bit signal stored as 16-bit: every sample's low 8 bits are zero ("wasted bits").
noisy 16000 1 0.25 8 "$work/w8.wav" sine 500 vol 0.5
to_bits 16 "$work/w16.wav" "$work/w8.wav"
encode wasted_bits_16k "$work/w16.wav"

du -ch "$out_dir"/* | tail -n 1
