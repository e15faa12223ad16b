#!/usr/bin/env bash
# Prod figures (docs/PERFORMANCE.md, "## Prod"): time from `promote` to the prod URL serving the new
# version, against the app's own start (the baseline, measured side by side), and requests dropped
# while switching under continuous load through the real deploy proxy.
# Usage: bench/prod/run.sh [host|sandbox] [switches]   (from anywhere; needs python3, bwrap for sandbox)
set -euo pipefail
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
./mvnw -q -o -pl prod -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test -Dspotless.check.skip
cp="$root/prod/target/classes:$root/prod/target/test-classes:$root/deploy/target/classes:$root/sandbox/target/classes:$root/core/target/classes:$(cat prod/target/bench-classpath.txt)"
out=$root/prod/target/bench-classes
mkdir -p "$out"
"$JAVA_HOME/bin/javac" -d "$out" -cp "$cp" bench/prod/ProdBench.java
"$JAVA_HOME/bin/java" -Xmx512m --enable-native-access=ALL-UNNAMED -Djdk.httpclient.allowRestrictedHeaders=host \
  -Dlogback.configurationFile="$root/prod/src/test/resources/logback-test.xml" \
  -cp "$out:$cp" dev.threadbare.prod.ProdBench "${1:-host}" "${2:-10}"
