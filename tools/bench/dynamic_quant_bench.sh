#!/usr/bin/env bash
# Dynamic int8 vs float32 latency (issue #12, item 5): LSTM(256, 512, 2 layers) T=50 at batch 1/32, Linear 1024 at
# batch 1/64, per thread count. Usage: tools/bench/dynamic_quant_bench.sh [threads=1,2] [workload-name-filter]
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
./mvnw -q -o -pl torchlet-compress -am test-compile
CPFILE=$(mktemp)
trap 'rm -f "$CPFILE"' EXIT
# external jars: only core has any (vision and data depend on nothing outside the project)
./mvnw -q -o -pl torchlet-core dependency:build-classpath -Dmdep.outputFile="$CPFILE"
CP=torchlet-compress/target/test-classes:torchlet-compress/target/classes:torchlet-core/target/classes
CP=$CP:torchlet-vision/target/classes:torchlet-data/target/classes
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -XX:+UseParallelGC \
    -cp "$CP:$(tr '\n' ':' < "$CPFILE")" dev.torchlet.compress.quantization.DynamicQuantBench "$@"
