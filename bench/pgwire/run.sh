#!/usr/bin/env bash
# Select-by-key throughput over the PostgreSQL wire server vs straight to PostgreSQL
# (docs/PERFORMANCE.md, "## PostgreSQL wire server").
# Usage: bench/pgwire/run.sh [clientThreads=4] [secondsPerRound=5] [rounds=3]   (from anywhere)
# BENCH_JAVA_OPTS=-Dbench.workload=insert for single-row INSERTs; -Dbench.targets=a,b,… for a subset
set -euo pipefail
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
./mvnw -q -o -pl db,pgwire test-compile -Dspotless.check.skip
./mvnw -q -o -pl pgwire dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
# this checkout's db classes first, ahead of whatever threadbare-db jar ~/.m2 holds
cp="pgwire/target/classes:db/target/classes:pgwire/target/test-classes:$(cat pgwire/target/bench-classpath.txt)"
out=pgwire/target/bench-classes
mkdir -p "$out"
"$JAVA_HOME/bin/javac" -d "$out" -cp "$cp" bench/pgwire/SelectByKeyBench.java bench/pgwire/Relays.java bench/pgwire/MuxRelay.java
"$JAVA_HOME/bin/java" -Xmx1g --enable-native-access=ALL-UNNAMED -cp "$out:$cp" \
  ${BENCH_JAVA_OPTS:-} -Dlogback.configurationFile=pgwire/src/test/resources/logback-test.xml SelectByKeyBench "$@"
