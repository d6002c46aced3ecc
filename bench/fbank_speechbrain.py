#!/usr/bin/env python3
"""Throughput benchmark of SpeechBrain's Fbank, for comparison with Sonus.

Measures how many seconds of audio SpeechBrain's ``Fbank`` front end turns
into log-mel filterbank features per wall-clock second, on the CPU, with the
same protocol as the Sonus Java benchmark:

* input: ``batch`` signals of ``seconds`` s at ``sample-rate`` Hz, uniform
  noise in [-0.1, 0.1) from ``torch.Generator().manual_seed(1234)``, float32;
* ``Fbank(sample_rate=sr, n_mels=n_mels)`` in eval mode under ``no_grad``;
* ``warmup`` untimed forward passes, then ``runs`` timed runs of ``iters``
  forward passes each (``time.perf_counter``);
* throughput of a run = iters * batch * seconds / elapsed (audio-s/s); the
  median over the runs is reported on the last line.

Setup (Debian 12; no pip needed)
--------------------------------
1. System packages::

       apt-get install python3-torch python3-torchaudio python3-numpy \\
           python3-yaml python3-ruamel.yaml python3-scipy python3-tqdm \\
           python3-joblib python3-packaging python3-sentencepiece

   This gives torch 1.13.1 (it reports itself as ``1.13.0a0``). Run it with
   Debian's interpreter (``/usr/bin/python3``) if another ``python3`` comes
   first on PATH.
2. The SpeechBrain v1.0.0 source tree (the directory that contains the
   ``speechbrain`` package, e.g. ``git archive v1.0.0`` of the SpeechBrain
   repository) and the HyperPyYAML source tree (a release that accepts
   Debian's ruamel.yaml 0.17.21, e.g. v1.2.1) on PYTHONPATH.
3. SpeechBrain imports ``huggingface_hub`` at import time but the Fbank never
   uses it: an empty stand-in package named ``huggingface_hub`` on PYTHONPATH
   is enough (``run_speechbrain_fbank.sh`` next to this file makes one).
4. ``OPENBLAS_NUM_THREADS=1`` in the environment (an oversubscribed OpenBLAS
   pool slows torch 1.13 down on small machines). The script also sets it
   itself, before importing torch, when it is not set.

The wrapper ``run_speechbrain_fbank.sh`` does steps 2-4 given ``SB_SRC`` (and
optionally ``HYPERPYYAML_SRC``)::

    SB_SRC=path/to/speechbrain-1.0.0 HYPERPYYAML_SRC=path/to/HyperPyYAML \\
        bench/run_speechbrain_fbank.sh --n-mels 80

Output: one line per run, then a summary line of the form::

    speechbrain fbank n_mels=40 batch=8x10.0s threads=2: median 2345.6 audio-s/s (runs: 2300.1 2345.6 ...) torch 1.13.0a0
"""

import argparse
import os
import statistics
import sys
import time

# Must be in place before torch (and with it OpenBLAS) is loaded.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Benchmark SpeechBrain's Fbank throughput (audio-s/s)."
    )
    p.add_argument("--n-mels", type=int, default=40)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--sample-rate", type=int, default=16000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--iters", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    args = p.parse_args(argv)
    for name in ("n_mels", "batch", "sample_rate", "threads", "runs", "iters"):
        if getattr(args, name) < 1:
            p.error("--%s must be at least 1" % name.replace("_", "-"))
    if args.warmup < 0:
        p.error("--warmup must not be negative")
    if args.seconds <= 0:
        p.error("--seconds must be positive")
    return args


def load_fbank_class():
    try:
        from speechbrain.lobes.features import Fbank
    except ImportError as e:
        sys.exit(
            "error: cannot import speechbrain.lobes.features.Fbank (%s).\n"
            "Put the SpeechBrain v1.0.0 source tree and HyperPyYAML on "
            "PYTHONPATH (see this script's docstring or use "
            "run_speechbrain_fbank.sh)." % e
        )
    return Fbank


def main(argv=None):
    args = parse_args(argv)

    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError as e:  # only allowed before any inter-op work
        print("note: could not set inter-op threads: %s" % e, file=sys.stderr)

    Fbank = load_fbank_class()

    sr = args.sample_rate
    n_samples = int(args.seconds * sr)
    g = torch.Generator().manual_seed(1234)
    x = (torch.rand(args.batch, n_samples, generator=g) * 2 - 1) * 0.1
    x = x.to(torch.float32)

    fb = Fbank(sample_rate=sr, n_mels=args.n_mels)
    fb.eval()

    audio_seconds_per_iter = args.batch * args.seconds
    throughputs = []
    with torch.no_grad():
        feats = None
        for _ in range(args.warmup):
            feats = fb(x)
        if feats is None:
            feats = fb(x)  # at least check the output shape once
        print(
            "config: n_mels=%d batch=%d seconds=%s sample_rate=%d "
            "threads=%d (torch sees %d, interop %d) runs=%d iters=%d "
            "warmup=%d OPENBLAS_NUM_THREADS=%s; output %s"
            % (
                args.n_mels, args.batch, args.seconds, sr, args.threads,
                torch.get_num_threads(), torch.get_num_interop_threads(),
                args.runs, args.iters, args.warmup,
                os.environ.get("OPENBLAS_NUM_THREADS"), tuple(feats.shape),
            ),
            flush=True,
        )
        for run in range(1, args.runs + 1):
            t0 = time.perf_counter()
            for _ in range(args.iters):
                fb(x)
            elapsed = time.perf_counter() - t0
            tput = args.iters * audio_seconds_per_iter / elapsed
            throughputs.append(tput)
            print(
                "run %d/%d: %d iters in %.4f s -> %.1f audio-s/s"
                % (run, args.runs, args.iters, elapsed, tput),
                flush=True,
            )

    print(
        "speechbrain fbank n_mels=%d batch=%dx%ss threads=%d: "
        "median %.1f audio-s/s (runs: %s) torch %s"
        % (
            args.n_mels, args.batch, args.seconds, args.threads,
            statistics.median(throughputs),
            " ".join("%.1f" % t for t in throughputs),
            torch.__version__,
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
