#!/usr/bin/env python3
"""One benchmark sitting: Torchlet and its peers interleaved, several rounds, medians, best rounds and ratios.

The machine's speed drifts by 20-50% within minutes, so peers are only comparable side by side: each round
runs every tool once on the selected workloads, in the same order, and the table reports the median per tool
and the ratio of Torchlet to the best peer (latency: best / Torchlet; throughput: Torchlet / best; > 1 means
Torchlet wins), once for the medians and once for each tool's best round.

Usage (from the repository root; the peers must be set up as ../shared/bench/README.md says):
  /usr/bin/python3 tools/bench/sitting.py --rounds 3 --only resnet18_b1_ms,resnet18_b16_img_s \
      [--peers pytorch,ort,djl] [--threads 2]
Peers: pytorch = /usr/bin/python3 ../shared/bench/pytorch_bench.py, ort = /tmp/ort/run.sh (a copy of
../shared/bench/ort), djl = /tmp/djl/run.sh (a copy of ../shared/bench/djl). Output: a Markdown table.
"""
import argparse
import os
import statistics
import subprocess
import sys
from datetime import date

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(ROOT, "..", "shared", "bench")
DJL_GROUPS = {"gemm1024_gflops": "gemm", "conv3x3_64_56_b8_gflops": "conv", "resnet18_b1_ms": "resnet",
              "resnet18_b16_img_s": "resnet", "mnist_cnn_train_img_s": "mnist", "lstm_train_seq_s": "lstm",
              "transformer_train_tok_s": "transformer"}
ORT_WORKLOADS = {"resnet18_b1_ms", "resnet18_b16_img_s", "mobilenetv2_b1_ms", "resnet50_b1_ms"}


def parse(out):
    """name value unit lines -> {name: value}."""
    res = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and not line.startswith("#"):
            try:
                res[parts[0]] = float(parts[1])
            except ValueError:
                pass
    return res


def run(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    if p.returncode != 0:
        sys.stderr.write(f"# {' '.join(cmd)} failed ({p.returncode}): {p.stderr[-500:]}\n")
    return parse(p.stdout)


def tools(only, peers, threads):
    """name -> function returning {workload: value} for the selected workloads."""
    env = dict(os.environ, THREADS=str(threads))
    t = {"torchlet": lambda: run(["./torchlet", "bench", f"--threads={threads}", "--only", ",".join(only)])}
    if "pytorch" in peers:
        t["pytorch"] = lambda: run(["/usr/bin/python3", os.path.join(SHARED, "pytorch_bench.py"), str(threads),
                                    "--only", ",".join(only)])
    if "ort" in peers and ORT_WORKLOADS & set(only):
        t["ort"] = lambda: {k: v for k, v in run(["/tmp/ort/run.sh", str(threads)]).items() if k in only}
    groups = sorted({DJL_GROUPS[w] for w in only if w in DJL_GROUPS})
    if "djl" in peers and groups:
        t["djl"] = lambda: {k: v for k, v in run(["/tmp/djl/run.sh"] + groups, env).items() if k in only}
    return t


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", required=True)
    ap.add_argument("--peers", default="pytorch,ort,djl")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    only = args.only.split(",")
    runners = tools(only, args.peers.split(","), args.threads)
    results = {name: {w: [] for w in only} for name in runners}
    for r in range(args.rounds):
        for name, fn in runners.items():
            got = fn()
            for w, v in got.items():
                if w in results[name]:
                    results[name][w].append(v)
            sys.stderr.write(f"# round {r + 1} {name}: {got}\n")
    peers = [n for n in runners if n != "torchlet"]
    print(f"One sitting, {date.today()}, {args.threads} threads, {args.rounds} interleaved rounds: medians, and in "
          f"brackets the best round (issue #17's second view: every tool at its best)\n")
    print("| workload | Torchlet | " + " | ".join(peers) + " | vs best peer, medians | vs best peer, best rounds |")
    print("|---|---|" + "---|" * len(peers) + "---|---|")
    for w in only:
        lower_better = w.endswith("_ms")
        pick = min if lower_better else max
        med = {n: statistics.median(results[n][w]) if results[n][w] else None for n in runners}
        top = {n: pick(results[n][w]) if results[n][w] else None for n in runners}
        cells = [f"{med[n]:.1f} ({top[n]:.1f})" if med[n] is not None else "-" for n in ["torchlet"] + peers]
        print(f"| {w} | " + " | ".join(cells) + f" | {ratio(med, peers, lower_better)} | "
              f"{ratio(top, peers, lower_better)} |")


def ratio(values, peers, lower_better):
    """Torchlet against the best peer (> 1: Torchlet is better), or '-'."""
    peer_vals = [values[p] for p in peers if values[p] is not None]
    if not values["torchlet"] or not peer_vals:
        return "-"
    best = min(peer_vals) if lower_better else max(peer_vals)
    return f"{(best / values['torchlet'] if lower_better else values['torchlet'] / best):.2f}x"

if __name__ == "__main__":
    main()
