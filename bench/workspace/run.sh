#!/usr/bin/env bash
# Local workspace benchmarks (docs/PERFORMANCE.md, "## Local workspace").
# Usage (from anywhere):
#   bench/workspace/run.sh events [messagesPerSecond=50] [seconds=20]   chat.postMessage -> signed event
#   bench/workspace/run.sh ui [loads=10]                                 web UI first load in Chromium
#   bench/workspace/run.sh busy [messages=10000] [opens=10]              opening a busy channel in Chromium
set -euo pipefail
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
what=${1:-events}
shift || true
./mvnw -q -o -pl testing,workspace test-compile -Dspotless.check.skip
./mvnw -q -o -pl workspace dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
# testing's own classes first: the shared Chromium setup (dev.threadbare.testing.Chromium)
cp="testing/target/classes:workspace/target/classes:workspace/target/test-classes:$(cat workspace/target/bench-classpath.txt)"
out=workspace/target/bench-classes
mkdir -p "$out"
case "$what" in
  events) main=PostToEventBench ;;
  ui) main=UiLoadBench ;;
  busy) main=BusyChannelBench ;;
  *) echo "usage: $0 events|ui|busy [args]" >&2; exit 2 ;;
esac
# BusyChannelBench shares UiLoadBench's Web API call and percentiles: compile them together
"$JAVA_HOME/bin/javac" -d "$out" -cp "$cp" "bench/workspace/$main.java" bench/workspace/UiLoadBench.java
"$JAVA_HOME/bin/java" -Xmx512m --enable-native-access=ALL-UNNAMED -cp "$out:$cp" -Dlogback.configurationFile=workspace/src/test/resources/logback-test.xml "$main" "$@"
