#!/usr/bin/env bash
# Deployment figures (docs/PERFORMANCE.md, "## Deploy"): cold start vs the app's own start,
# proxy req/s and p99 vs direct and vs nginx (wrk), 200 deployments requested once each.
# Usage: bench/deploy/run.sh [cold|proxy|many|all]   (from anywhere; needs bwrap, nginx, wrk,
# python3, node)
set -euo pipefail
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
./mvnw -q -pl deploy -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test -Dspotless.check.skip
cp="$root/deploy/target/classes:$root/deploy/target/test-classes:$root/sandbox/target/classes:$(cat deploy/target/bench-classpath.txt)"
out=$root/deploy/target/bench-classes
mkdir -p "$out"
"$JAVA_HOME/bin/javac" -d "$out" -cp "$cp" bench/deploy/DeployBench.java
cd deploy # the test apps are read from src/test/resources/apps
"$JAVA_HOME/bin/java" -Xmx512m --enable-native-access=ALL-UNNAMED -Djdk.httpclient.allowRestrictedHeaders=host \
  -Dlogback.configurationFile="$root/deploy/src/test/resources/logback-test.xml" \
  -cp "$out:$cp" dev.threadbare.deploy.DeployBench "${1:-all}"
