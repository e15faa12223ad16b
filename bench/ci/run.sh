#!/usr/bin/env bash
# CI through `threadbare serve`: message -> run start on an idle queue (p50/p99), and a burst of
# commits on one branch (runs executed vs cancelled, bot messages). docs/PERFORMANCE.md, "## CI".
# Usage: bench/ci/run.sh [idleRuns=40] [burst=100]   (from the repository root)
set -euo pipefail
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# Built from this tree (-am: the modules' target/classes, not whatever ~/.m2 holds).
./mvnw -q -o -pl app -am test-compile dependency:build-classpath -Dspotless.check.skip \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
cp="app/target/classes:app/target/test-classes:$(cat app/target/bench-classpath.txt)"
out=app/target/bench-classes
mkdir -p "$out"
"$JAVA_HOME/bin/javac" -d "$out" -cp "$cp" bench/ci/AckToRunBench.java
"$JAVA_HOME/bin/java" -Xmx512m --enable-native-access=ALL-UNNAMED -cp "$out:$cp" AckToRunBench "$@"
