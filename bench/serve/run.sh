#!/usr/bin/env bash
# Message posted -> commit visible, through `threadbare serve` (docs/PERFORMANCE.md, "## Serve").
# Usage: bench/serve/run.sh [messages=300]   (from the repository root; modules from ~/.m2)
set -euo pipefail
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
./mvnw -q -o -pl app test-compile -Dspotless.check.skip
./mvnw -q -o -pl app dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
cp="app/target/classes:app/target/test-classes:$(cat app/target/bench-classpath.txt)"
out=app/target/bench-classes
mkdir -p "$out"
"$JAVA_HOME/bin/javac" -d "$out" -cp "$cp" bench/serve/PostToCommitBench.java
"$JAVA_HOME/bin/java" -Xmx512m --enable-native-access=ALL-UNNAMED -cp "$out:$cp" PostToCommitBench "$@"
