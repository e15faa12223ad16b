#!/usr/bin/env bash
# Event received -> journal-durable ack benchmark (docs/PERFORMANCE.md, "## Bot").
# Usage: bench/chat/run.sh [eventsPerSecond=50] [seconds=20]   (from the repository root)
set -euo pipefail
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
./mvnw -q -o -pl chat test-compile -Dspotless.check.skip
./mvnw -q -o -pl chat dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
cp="chat/target/classes:chat/target/test-classes:$(cat chat/target/bench-classpath.txt)"
out=chat/target/bench-classes
mkdir -p "$out"
"$JAVA_HOME/bin/javac" -d "$out" -cp "$cp" bench/chat/EventAckBench.java
"$JAVA_HOME/bin/java" -Xmx512m -cp "$out:$cp" -Dlogback.configurationFile=chat/src/test/resources/logback-test.xml EventAckBench "$@"
