#!/usr/bin/env bash
# The db layer's figures on DuckDB and PostgreSQL side by side, each against a baseline measured in
# the same process (see DbLayerBench.java). Usage: bench/db/run.sh   (from anywhere; ~2 minutes)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
work="${BENCH_DIR:-/tmp/threadbare-bench-db}"
rm -rf "$work"; mkdir -p "$work"
(cd "$root" && ./mvnw -q -o -pl db test-compile dependency:build-classpath \
  -Dmdep.outputFile="$work/classpath.txt" -Dmdep.includeScope=test)
cp="$root/db/target/classes:$(cat "$work/classpath.txt")"
for engine in duckdb postgres; do
  "$JAVA_HOME/bin/java" -Xmx1g --enable-native-access=ALL-UNNAMED \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dlogback.configurationFile="$root/db/src/test/resources/logback-test.xml" \
    -cp "$cp" "$here/DbLayerBench.java" "$engine" "$work/$engine" | tee -a "$work/results.tsv"
done
echo
python3 - "$work/results.tsv" <<'PY'
import sys, collections
rows = collections.OrderedDict()
for line in open(sys.argv[1]):
    engine, name, value = line.rstrip("\n").split("\t")
    rows.setdefault(name, {})[engine] = value
print("| figure | DuckDB | PostgreSQL |")
print("| --- | ---: | ---: |")
for name, v in rows.items():
    print(f"| {name} | {v.get('duckdb', '')} | {v.get('postgres', '')} |")
PY
