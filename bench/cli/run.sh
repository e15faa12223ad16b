#!/usr/bin/env bash
# CLI start-up (issue 17 goal 4; docs/PERFORMANCE.md "CLI start-up"): `threadbare tree`, `show`, `log`
# on a data directory against `git ls-tree -r` on the same repository (DIR/git/<channel>.git), with
# hyperfine, side by side: the launcher's java options before (plain -jar) and after (AOT cache +
# C1 only), and, with BEFORE_JAR=path/to/an/older/threadbare.jar, that jar with the same AOT options
# (each jar's cache trained on one `tree` run). Then serve's time from start to "listening", for the
# jar (and BEFORE_JAR). Prints each mean, its user+sys CPU and the ratio to ls-tree, and the load.
# Usage: [BEFORE_JAR=…] bench/cli/run.sh [MESSAGES=2000] [PATHS=1000] [RUNS=10]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$(dirname "$here")")"
messages="${1:-2000}" paths="${2:-1000}" runs="${3:-10}"
export JAVA_HOME="${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
java="$JAVA_HOME/bin/java"
command -v hyperfine > /dev/null || { echo "bench/cli/run.sh: needs hyperfine (apt-get install -y hyperfine)" >&2; exit 2; }
"$root/threadbare" --help > /dev/null # builds the jar (and its AOT cache) when needed
work="$(mktemp -d /tmp/threadbare-cli.XXXXXX)"
chmod 711 "$work" # serve's sandbox user must reach the deployments' folders under it
trap 'rm -rf "$work"' EXIT
cp "$root/app/target/threadbare.jar" "$work/threadbare.jar"
jar="$work/threadbare.jar" channel=CBENCH0001
"$java" "$root/bench/GenerateChannel.java" "$work/gen" "$messages" "$paths" > /dev/null
base=("$java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xss2m)
"${base[@]}" -jar "$jar" ingest --data "$work/data" "$work/gen/events.jsonl" > /dev/null
d=(--data "$work/data" --channel "$channel")
# The first read after the journal's last write settles (3 s) records its stamp; later reads skip
# the journal, as they do on any data directory not written in the last seconds.
sleep 4
"${base[@]}" -jar "$jar" tree "${d[@]}" > /dev/null
# The training run, as the launcher does it on first use.
train() { # JAR CACHE
  "${base[@]}" -XX:TieredStopAtLevel=1 -XX:AOTCacheOutput="$2" -Xlog:aot=off -Xlog:cds=off \
    -jar "$1" tree "${d[@]}" > /dev/null 2>&1
}
train "$jar" "$work/tb.aot"
after=("${base[@]}" -XX:AOTCache="$work/tb.aot" -XX:TieredStopAtLevel=1)
repo="$work/data/git/$channel.git"
file="$(git -C "$repo" ls-tree -r --name-only main | head -1)"
q() { printf '%q ' "$@"; }
older=()
if [ -n "${BEFORE_JAR:-}" ]; then
  cp "$BEFORE_JAR" "$work/before.jar"
  train "$work/before.jar" "$work/before.aot"
  b=("${base[@]}" -XX:AOTCache="$work/before.aot" -XX:TieredStopAtLevel=1 -jar "$work/before.jar")
  older=(-n "tree BEFORE_JAR" "$(q "${b[@]}" tree "${d[@]}")"
    -n "show BEFORE_JAR" "$(q "${b[@]}" show "${d[@]}" "$file")"
    -n "log BEFORE_JAR" "$(q "${b[@]}" log "${d[@]}")")
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N -w 2 -r "$runs" --export-json "$work/h.json" \
  -n ls-tree "git -C $repo ls-tree -r main" \
  -n "tree plain -jar" "$(q "${base[@]}" -jar "$jar" tree "${d[@]}")" \
  -n "tree" "$(q "${after[@]}" -jar "$jar" tree "${d[@]}")" \
  -n "show" "$(q "${after[@]}" -jar "$jar" show "${d[@]}" "$file")" \
  -n "log" "$(q "${after[@]}" -jar "$jar" log "${d[@]}")" \
  "${older[@]}" > /dev/null
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
g = r[0]["mean"]
goal = 3 * g + 0.1
print(f"{'command':<16} {'mean s':>8} {'user+sys s':>10} {'x ls-tree':>9}   goal (3x ls-tree + 100 ms) = {goal:.3f} s")
for x in r:
    verdict = "meets" if x["mean"] <= goal else "%.1fx the goal" % (x["mean"] / goal)
    print(f"{x['command']:<16} {x['mean']:8.3f} {x['user'] + x['system']:10.3f} {x['mean'] / g:9.1f}   {verdict}")
PY
# serve: from the JVM's start to its "listening" line (a fresh data directory each run).
serve_time() { # LABEL JAR
  local total=0 n=3 i
  for i in $(seq "$n"); do
    local dir="$work/serve-$i" t0 t1
    rm -rf "$dir"
    t0=$(date +%s%N)
    "${base[@]}" -jar "$2" serve --data "$dir" --port 0 --db-port 0 > "$work/serve.out" 2>&1 &
    local pid=$!
    until grep -q "listening on" "$work/serve.out" 2> /dev/null; do
      kill -0 "$pid" 2> /dev/null || { echo "serve exited:"; tail -3 "$work/serve.out"; return 0; }
      sleep 0.05
    done
    t1=$(date +%s%N)
    kill "$pid"; wait "$pid" 2> /dev/null || :
    total=$((total + (t1 - t0) / 1000000))
  done
  echo "serve to \"listening\", $1: mean $((total / n)) ms over $n runs (load $(cut -d' ' -f1 /proc/loadavg))"
}
serve_time "this jar" "$jar"
if [ -n "${BEFORE_JAR:-}" ]; then serve_time "BEFORE_JAR" "$work/before.jar"; fi
