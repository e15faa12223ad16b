#!/usr/bin/env bash
# JMH: the db layer's rule check per statement (first sight and repeated) against JSqlParser's
# parse alone, for the select-by-key workload's statement and an everyday mix
# (docs/PERFORMANCE.md, "## Database layer"). Usage: bench/db/rulecheck.sh [JMH options]
# (from anywhere; about 4 minutes with the defaults; e.g. -p sql='SELECT v FROM kv WHERE k = $1').
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$root"
./mvnw -q -o -N install
./mvnw -q -o -pl db install -DskipTests -Dspotless.check.skip
./mvnw -q -f bench/db/jmh/pom.xml compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
  -cp "bench/db/jmh/target/classes:$(cat bench/db/jmh/target/classpath.txt)" \
  org.openjdk.jmh.Main RuleCheckBench -rf text -rff bench/db/jmh/target/results.txt "$@"
