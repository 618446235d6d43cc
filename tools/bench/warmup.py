#!/usr/bin/env python3
"""Warm-up with and without the launcher's AOT cache (issue #17 item 1), interleaved rounds, medians.

For each round and each mode (TORCHLET_AOT=0, then the cache the launcher keeps; the cache is recorded
first if missing), it runs:
  - `./torchlet train --epochs E` and reads the first-step time (JVM start to the end of the first optimizer
    step, printed on the first epoch's line), the first epoch's img/s and the later epochs' img/s (steady state);
  - `./torchlet bench --only W --warmup-seconds 0` (the baselines' strict two-run rule) and the default
    `--warmup-seconds 1.0` for each workload W, to compare the strict figure with the warmed one.

Usage (from the repository root, on a quiet machine):
  /usr/bin/python3 tools/bench/warmup.py --rounds 3 --epochs 3 --only mnist_cnn_train_img_s,transformer_train_tok_s
Output: a Markdown table.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
from datetime import date

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EPOCH = re.compile(r"epoch (\d+)/\d+: .*\| [0-9.]+ s, (\d+) img/s(?: \(first step done ([0-9.]+) s after JVM start\))?")


def run(cmd, aot):
    env = dict(os.environ, TORCHLET_AOT="1" if aot else "0")
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    if p.returncode != 0:
        sys.stderr.write(f"# {' '.join(cmd)} failed ({p.returncode}): {p.stderr[-500:]}\n")
    return p.stdout


def train(epochs, aot):
    """(first step s, first epoch img/s, mean img/s of the later epochs)."""
    out = run(["./torchlet", "train", f"--epochs={epochs}", "--out", f"/tmp/torchlet-warmup-{int(aot)}"], aot)
    first, rates = None, {}
    for m in EPOCH.finditer(out.replace("\r", "\n")):
        rates[int(m.group(1))] = float(m.group(2))
        if m.group(3):
            first = float(m.group(3))
    later = [rates[e] for e in sorted(rates) if e > 1]
    return first, rates.get(1), statistics.mean(later) if later else None


def bench(workload, warmup, aot):
    out = run(["./torchlet", "bench", "--only", workload, f"--warmup-seconds={warmup}"], aot)
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == workload:
            return float(parts[1])
    return None


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--only", default="mnist_cnn_train_img_s,transformer_train_tok_s")
    args = ap.parse_args()
    workloads = [w for w in args.only.split(",") if w]
    # record the caches once, outside the timed rounds
    train(1, True)
    for w in workloads:
        bench(w, 0, True)
    rows = {}
    for r in range(args.rounds):
        for aot in (False, True):
            first, e1, steady = train(args.epochs, aot)
            for key, v in (("train first step (s)", first), ("train epoch 1 (img/s)", e1),
                           (f"train epochs 2-{args.epochs} (img/s)", steady)):
                rows.setdefault(key, {}).setdefault(aot, []).append(v)
            for w in workloads:
                for warm in (0, 1.0):
                    rows.setdefault(f"{w}, warm-up {warm:g} s", {}).setdefault(aot, []).append(bench(w, warm, aot))
        sys.stderr.write(f"# round {r + 1}/{args.rounds} done\n")
    print(f"Warm-up, {date.today()}, {args.rounds} interleaved rounds, medians "
          f"(`/usr/bin/python3 tools/bench/warmup.py --rounds {args.rounds} --epochs {args.epochs} --only {args.only}`)")
    print()
    print("| measure | no AOT cache | AOT cache | all runs (no cache / cache) |")
    print("|---|---:|---:|---|")
    for key, by in rows.items():
        runs = " / ".join(", ".join(f"{v:.4g}" if v is not None else "-" for v in by[a]) for a in (False, True))
        print(f"| {key} | {med(by[False]):.4g} | {med(by[True]):.4g} | {runs} |")


if __name__ == "__main__":
    main()
