#!/usr/bin/env bash
# import-git throughput against the chat's configured post rate (docs/PERFORMANCE.md, "## Import").
# Usage (from anywhere): bench/gitimport/run.sh [FILES=1000] [RATE... = unlimited 20 1]
#   RATE is messages per second (the local workspace's per-channel post limit and the importer's
#   --rate), or "unlimited" (baseline: no limit anywhere).
set -euo pipefail
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
files=${1:-1000}
shift || true
rates=("$@")
if [ ${#rates[@]} -eq 0 ]; then rates=(unlimited 20 1); fi
./mvnw -q -o -pl gitimport test-compile -Dspotless.check.skip
./mvnw -q -o -pl gitimport dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
cp="gitimport/target/classes:gitimport/target/test-classes:$(cat gitimport/target/bench-classpath.txt)"
out=gitimport/target/bench-classes
mkdir -p "$out"
"$JAVA_HOME/bin/javac" -d "$out" -cp "$cp" bench/gitimport/ImportBench.java
"$JAVA_HOME/bin/java" -Xmx768m --enable-native-access=ALL-UNNAMED -cp "$out:$cp" \
  -Dlogback.configurationFile=gitimport/src/test/resources/logback-test.xml \
  dev.threadbare.gitimport.ImportBench "$files" "${rates[@]}"
