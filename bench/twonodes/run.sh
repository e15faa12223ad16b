#!/usr/bin/env bash
# One serve node against two on one PostgreSQL journal: events/s (docs/PERFORMANCE.md, "## Two nodes").
# Usage: bench/twonodes/run.sh [events=2000] [clients=8]   (from the repository root)
set -euo pipefail
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# In one reactor run, so the sibling modules come from their target/classes, not ~/.m2.
./mvnw -q -o -pl app -am test-compile dependency:build-classpath -Dspotless.check.skip \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
cp="app/target/classes:app/target/test-classes:$(cat app/target/bench-classpath.txt)"
out=app/target/bench-classes
mkdir -p "$out"
"$JAVA_HOME/bin/javac" -d "$out" -cp "$cp" bench/twonodes/TwoNodesBench.java
"$JAVA_HOME/bin/java" -Xmx512m -cp "$out:$cp" TwoNodesBench "$@"
