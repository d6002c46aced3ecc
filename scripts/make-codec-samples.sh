#!/usr/bin/env bash
# Regenerates the compressed-audio test inputs of dev.sonus.audio.FfmpegReaderTest in
# sonus-core/src/test/resources/audio/codec/: two source WAVs synthesized here and their encodings by the common
# codecs, each a few KB. The tests decode every encoding through FFmpeg and compare it with its source WAV.
#
#   mono16k.wav            1 s, 16 kHz mono 16-bit: a rising chirp over two tones, with a fade in and out
#   mono16k.mp3            LAME MP3 32 kbit/s, behind an ID3v2 tag and with a Xing/Info header (gapless trimming)
#   mono16k.ogg            Ogg Vorbis, quality 2
#   mono16k.opus           Ogg Opus 24 kbit/s (Opus always decodes at 48 kHz)
#   mono16k.m4a            AAC-LC 32 kbit/s in MP4, index (moov) at the front
#   mono16k.oga            FLAC in Ogg (lossless, decoded as 16-bit integers: converted by libswresample)
#   mono16k.aiff           the first 0.25 s as 16-bit big-endian PCM in AIFF (a container AudioIO knows only
#                          through FFmpeg)
#   stereo44k.wav          0.5 s, 44.1 kHz stereo 16-bit: a different chirp in each channel
#   stereo44k.mp3          LAME MP3 64 kbit/s, no ID3v2 tag (starts with a frame sync)
#   stereo44k.aac          AAC-LC 64 kbit/s as raw ADTS frames
#   stereo44k.webm         Opus 48 kbit/s in WebM (Matroska)
#   cbr8k.mp3              1 s, 8 kHz mono MP3 at a constant 8 kbit/s, no ID3v2 tag and no Xing/Info header:
#                          72-byte frames that a test repeats into a two-hour file
#
# The signals are expressions evaluated by FFmpeg's aevalsrc (deterministic); chirps make the encoder delay
# unambiguous when a test searches for the best alignment (the expressions are quoted: their commas would
# otherwise separate filters). -bitexact keeps encoder version strings out of the files.
# Other FFmpeg or encoder versions may write different (equally valid) bytes: the tests compare with the source WAV
# within each codec's tolerance, never byte for byte.
#
# Requirements: ffmpeg with libmp3lame, libvorbis and libopus (Debian: apt-get install -y ffmpeg).
# Usage: scripts/make-codec-samples.sh   (from any directory). Check the sizes with du -ch on the output folder.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/sonus-core/src/test/resources/audio/codec"
mkdir -p "$out"

ff() { ffmpeg -hide_banner -loglevel error -nostdin -y "$@"; }
bitexact=(-fflags +bitexact -flags:a +bitexact -map_metadata -1)

# A chirp from 200 Hz to 3 kHz plus tones at 440 and 1250 Hz, faded in and out over 50 ms.
mono='(0.35*sin(2*PI*(200*t+1400*t*t))+0.15*sin(2*PI*440*t)+0.1*sin(2*PI*1250*t))*min(1,min(t,1-t)/0.05)'
ff -f lavfi -i "aevalsrc='${mono}':s=16000:d=1" -c:a pcm_s16le "${bitexact[@]}" "$out/mono16k.wav"

# Left: a rising chirp 300 Hz -> 5.3 kHz; right: a falling one 4 kHz -> 1 kHz plus a 660 Hz tone.
left='0.4*sin(2*PI*(300*t+5000*t*t))*min(1,min(t,0.5-t)/0.03)'
right='(0.3*sin(2*PI*(4000*t-3000*t*t))+0.15*sin(2*PI*660*t))*min(1,min(t,0.5-t)/0.03)'
ff -f lavfi -i "aevalsrc='${left}|${right}':s=44100:d=0.5" -c:a pcm_s16le "${bitexact[@]}" "$out/stereo44k.wav"

src="$out/mono16k.wav"
ff -i "$src" -c:a libmp3lame -b:a 32k -id3v2_version 3 "${bitexact[@]}" "$out/mono16k.mp3"
ff -i "$src" -c:a libvorbis -q:a 2 "${bitexact[@]}" "$out/mono16k.ogg"
ff -i "$src" -c:a libopus -b:a 24k "${bitexact[@]}" "$out/mono16k.opus"
ff -i "$src" -c:a aac -b:a 32k -movflags +faststart "${bitexact[@]}" "$out/mono16k.m4a"
ff -i "$src" -c:a flac -f ogg "${bitexact[@]}" "$out/mono16k.oga"
ff -i "$src" -t 0.25 -c:a pcm_s16be "${bitexact[@]}" "$out/mono16k.aiff"

src="$out/stereo44k.wav"
ff -i "$src" -c:a libmp3lame -b:a 64k -id3v2_version 0 "${bitexact[@]}" "$out/stereo44k.mp3"
ff -i "$src" -c:a aac -b:a 64k -f adts "${bitexact[@]}" "$out/stereo44k.aac"
ff -i "$src" -c:a libopus -b:a 48k "${bitexact[@]}" "$out/stereo44k.webm"

ff -f lavfi -i "aevalsrc='${mono}':s=8000:d=1" -c:a libmp3lame -b:a 8k -abr 0 -write_xing 0 -id3v2_version 0 \
  "${bitexact[@]}" -f mp3 "$out/cbr8k.mp3"

du -ch "$out"/*
