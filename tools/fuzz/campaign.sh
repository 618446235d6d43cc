#!/usr/bin/env bash
# Long fuzzing campaign over the parser fuzz targets (docs/security.md), one target at a time.
#
#   tools/fuzz/campaign.sh [MINUTES_PER_TARGET] [TARGET...]     e.g. tools/fuzz/campaign.sh 30 SafeTensorsFuzzTest
#
# Runs Jazzer's own driver (not JUnit, whose @FuzzTest duration is a compile-time constant) on each
# @FuzzTest, starting from its committed seeds plus the corpus grown by earlier campaigns
# (target/fuzz/<target>/corpus, not committed). A crashing input is copied into the target's
# regression directory src/test/resources/<package>/<Target>Inputs/fuzz/, where `./mvnw test`
# replays it from then on: fix the parser, then commit the input with the fix.
# Prints one line per target: executions, seconds, executions per second, crashes.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "2[5-9]'; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
MINUTES="${1:-10}"
shift || true
ALL=(
  torchlet-core:dev.torchlet.io.SafeTensorsFuzzTest
  torchlet-core:dev.torchlet.io.PyTorchZipFuzzTest
  torchlet-core:dev.torchlet.io.PyTorchLegacyFuzzTest
  torchlet-core:dev.torchlet.io.NpyFuzzTest
  torchlet-data:dev.torchlet.data.datasets.IdxFuzzTest
  torchlet-data:dev.torchlet.data.datasets.CifarFuzzTest
  torchlet-data:dev.torchlet.data.datasets.CsvFuzzTest
  torchlet-data:dev.torchlet.data.datasets.ImageFolderFuzzTest
  torchlet-onnx:dev.torchlet.onnx.OnnxModelFuzzTest
  torchlet-text:dev.torchlet.text.TokenizerFuzzTest
  torchlet-text:dev.torchlet.text.models.HfConfigFuzzTest
  torchlet-serve:dev.torchlet.serve.RequestDecodingFuzzTest
)
SELECTED=()
for entry in "${ALL[@]}"; do
  if [ $# -eq 0 ]; then SELECTED+=("$entry"); continue; fi
  for want in "$@"; do
    if [ "${entry##*.}" = "$want" ]; then SELECTED+=("$entry"); fi
  done
done
if [ ${#SELECTED[@]} -eq 0 ]; then
  echo "no such target: $* (targets: ${ALL[*]##*.})" >&2
  exit 2
fi

# Test classpaths of the modules with targets (offline once the dependencies are in ~/.m2).
./mvnw -q -o -pl torchlet-core,torchlet-data,torchlet-vision,torchlet-text,torchlet-onnx,torchlet-serve test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/fuzz-classpath.txt -Dmdep.includeScope=test >/dev/null

# Instrument our code and the third-party parsers it calls (the JDK's own decoders cannot be).
INCLUDES='dev.torchlet.**:net.razorvine.**:com.fasterxml.jackson.**:com.twelvemonkeys.**:com.google.protobuf.**'
status=0
for entry in "${SELECTED[@]}"; do
  module="${entry%%:*}"
  class="${entry#*:}"
  name="${class##*.}"
  pkgdir="$(dirname "${class//.//}")"
  seeds="$module/src/test/resources/$pkgdir/${name}Inputs/fuzz"
  work="$module/target/fuzz/$name"
  mkdir -p "$work/corpus" "$work/crashes"
  rm -f "$work"/crashes/*  # this run's findings only (earlier ones are already in the seeds directory)
  cp="$module/target/test-classes:$module/target/classes:$(cat "$module/target/fuzz-classpath.txt")"
  log="$work/campaign.log"
  set +e
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -Xmx2g -Xss8m -cp "$cp" \
    com.code_intelligence.jazzer.Jazzer --target_class="$class" --target_method=fuzz \
    --instrumentation_includes="$INCLUDES" --keep_going=20 \
    "$work/corpus" "$seeds" \
    -max_total_time=$((MINUTES * 60)) -timeout=10 -artifact_prefix="$work/crashes/" >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 | grep -oE '[0-9]+' | head -1 || true)
  secs=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 | grep -oE '[0-9]+' | tail -1 || true)
  crashes=0
  for f in "$work"/crashes/crash-* "$work"/crashes/timeout-* "$work"/crashes/oom-*; do
    [ -e "$f" ] || continue
    cp "$f" "$seeds/"
    crashes=$((crashes + 1))
  done
  if [ -n "$runs" ] && [ -n "$secs" ] && [ "$secs" -gt 0 ]; then
    echo "$name: $runs executions in ${secs}s = $((runs / secs)) exec/s, $crashes crashing input(s) (log: $log)"
  else
    echo "$name: stopped early (exit $rc), $crashes crashing input(s), see $log"
  fi
  if [ "$crashes" -gt 0 ] || [ "$rc" -ne 0 ]; then status=1; fi
done
exit $status
