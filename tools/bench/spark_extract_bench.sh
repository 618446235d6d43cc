#!/usr/bin/env bash
# Spark's overhead on feature extraction: `torchlet extract` (one process) against `torchlet spark extract` in
# local[2] (broadcast and file weight transport) on the same images, interleaved over several rounds.
# Usage: tools/bench/spark_extract_bench.sh IMAGES_DIR WEIGHTS.safetensors [ROUNDS]
# Prints one line per run: "<variant> <img/s>". Each command reports its own throughput (its timer starts after
# JVM and Spark start-up, and includes model loading on the executors and writing the output).
set -euo pipefail
images="$1"; weights="$2"; rounds="${3:-3}"
here="$(cd "$(dirname "$0")/../.." && pwd)"
out="$(mktemp -d)"
for r in $(seq 1 "$rounds"); do
  rate=$("$here/torchlet" extract --model resnet18 --weights "$weights" --images "$images" --out "$out/f.npy" \
    | sed -n 's/.* \([0-9.]*\) img\/s .*/\1/p' | tail -1)
  echo "extract $rate"
  for transport in broadcast file; do
    rate=$("$here/torchlet" spark extract --model resnet18 --weights "$weights" --images "$images" \
      --out "$out/f.parquet" --overwrite --weights-transport "$transport" 2>/dev/null \
      | sed -n 's/.*: \([0-9.]*\) img\/s on .*/\1/p')
    echo "spark-$transport $rate"
  done
done
rm -rf "$out"
