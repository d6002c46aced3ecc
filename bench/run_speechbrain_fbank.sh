#!/usr/bin/env bash
# Runs fbank_speechbrain.py (SpeechBrain Fbank throughput) with the right
# environment. All arguments are passed on to the Python script.
#
# Environment:
#   SB_SRC           (required) SpeechBrain v1.0.0 source tree: the directory
#                    that contains the `speechbrain` package.
#   HYPERPYYAML_SRC  (optional) HyperPyYAML source tree: the directory that
#                    contains the `hyperpyyaml` package. Not needed if
#                    hyperpyyaml is installed.
#   PYTHON           (optional) interpreter to use; by default the first of
#                    python3 and /usr/bin/python3 that can import torch.
#   SB_ALLOW_ANY_VERSION=1  accept a SpeechBrain tree that is not v1.0.0.
#
# Example:
#   SB_SRC=path/to/speechbrain-1.0.0 HYPERPYYAML_SRC=path/to/HyperPyYAML \
#       bench/run_speechbrain_fbank.sh --n-mels 80
set -euo pipefail

die() { echo "run_speechbrain_fbank.sh: error: $*" >&2; exit 2; }

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bench_py="$script_dir/fbank_speechbrain.py"
[[ -f "$bench_py" ]] || die "cannot find $bench_py"

# --- SpeechBrain source -----------------------------------------------------
[[ -n "${SB_SRC:-}" ]] || die "SB_SRC is not set. Set it to the SpeechBrain v1.0.0 source tree (the directory containing the 'speechbrain' package), e.g. SB_SRC=path/to/speechbrain-1.0.0 $0"
[[ -d "$SB_SRC" ]] || die "SB_SRC=$SB_SRC is not a directory"
SB_SRC=$(cd "$SB_SRC" && pwd)
[[ -f "$SB_SRC/speechbrain/__init__.py" ]] || die "SB_SRC=$SB_SRC does not look like a SpeechBrain source tree (no speechbrain/__init__.py in it; point SB_SRC at the directory that contains the 'speechbrain' package)"
sb_version=$(tr -d '[:space:]' < "$SB_SRC/speechbrain/version.txt" 2>/dev/null || true)
if [[ "$sb_version" != "1.0.0" ]]; then
    if [[ "${SB_ALLOW_ANY_VERSION:-}" == "1" ]]; then
        echo "run_speechbrain_fbank.sh: warning: SpeechBrain version is '${sb_version:-unknown}', not 1.0.0" >&2
    else
        die "SB_SRC=$SB_SRC is SpeechBrain '${sb_version:-unknown version}', expected 1.0.0 (set SB_ALLOW_ANY_VERSION=1 to run anyway)"
    fi
fi

# --- HyperPyYAML source (optional) -----------------------------------------
extra_path=""
if [[ -n "${HYPERPYYAML_SRC:-}" ]]; then
    [[ -d "$HYPERPYYAML_SRC" ]] || die "HYPERPYYAML_SRC=$HYPERPYYAML_SRC is not a directory"
    HYPERPYYAML_SRC=$(cd "$HYPERPYYAML_SRC" && pwd)
    [[ -f "$HYPERPYYAML_SRC/hyperpyyaml/__init__.py" ]] || die "HYPERPYYAML_SRC=$HYPERPYYAML_SRC has no hyperpyyaml/__init__.py (point it at the directory that contains the 'hyperpyyaml' package)"
    extra_path="$HYPERPYYAML_SRC"
fi

# --- Python interpreter -------------------------------------------------------
if [[ -n "${PYTHON:-}" ]]; then
    "$PYTHON" -c 'import torch' 2>/dev/null || die "PYTHON=$PYTHON cannot import torch"
else
    for cand in python3 /usr/bin/python3; do
        if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import torch' 2>/dev/null; then
            PYTHON=$cand
            break
        fi
    done
    [[ -n "${PYTHON:-}" ]] || die "no python3 that can import torch (on Debian: apt-get install python3-torch python3-torchaudio), or set PYTHON"
fi

# --- huggingface_hub stand-in (imported by SpeechBrain, unused by Fbank) -----
tmp_dir=$(mktemp -d "${TMPDIR:-/tmp}/sb-fbank.XXXXXX")
trap 'rm -rf "$tmp_dir"' EXIT
if ! "$PYTHON" -c 'import huggingface_hub' 2>/dev/null; then
    mkdir -p "$tmp_dir/huggingface_hub"
    cat > "$tmp_dir/huggingface_hub/__init__.py" <<'EOF'
"""Offline stand-in for huggingface_hub, made by run_speechbrain_fbank.sh.

SpeechBrain imports huggingface_hub when it is imported, but the Fbank
benchmark never downloads anything. Any real use fails loudly.
"""
__version__ = "0.0.0+stub"


def _offline(*args, **kwargs):
    raise RuntimeError("huggingface_hub is a stub in this benchmark: no hub access")


hf_hub_download = _offline
snapshot_download = _offline


def __getattr__(name):
    raise AttributeError("huggingface_hub stub has no attribute %r" % name)
EOF
    extra_path="${extra_path:+$extra_path:}$tmp_dir"
fi

export PYTHONPATH="$SB_SRC${extra_path:+:$extra_path}${PYTHONPATH:+:$PYTHONPATH}"
export OPENBLAS_NUM_THREADS=1

"$PYTHON" -c 'import hyperpyyaml' 2>/dev/null || die "cannot import hyperpyyaml: set HYPERPYYAML_SRC to a HyperPyYAML source tree (it needs ruamel.yaml: apt-get install python3-ruamel.yaml)"

status=0
"$PYTHON" "$bench_py" "$@" || status=$?
exit "$status"
