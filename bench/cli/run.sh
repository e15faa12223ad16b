#!/usr/bin/env bash
# CLI start-up (issue 17 goal 4; docs/PERFORMANCE.md "CLI start-up"): `threadbare tree`, `show`, `log`
# on a data directory against `git ls-tree -r` on the same repository (DIR/git/<channel>.git), with
# hyperfine, side by side: the launcher's java options before (plain -jar) and after (AOT cache +
# C1 only), and the ./threadbare launcher itself. Prints each mean and the ratio to ls-tree.
# Usage: bench/cli/run.sh [MESSAGES=2000] [PATHS=1000] [RUNS=10]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$(dirname "$here")")"
messages="${1:-2000}" paths="${2:-1000}" runs="${3:-10}"
export JAVA_HOME="${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
java="$JAVA_HOME/bin/java"
command -v hyperfine > /dev/null || { echo "bench/cli/run.sh: needs hyperfine (apt-get install -y hyperfine)" >&2; exit 2; }
"$root/threadbare" --help > /dev/null # builds the jar (and its AOT cache) when needed
work="$(mktemp -d /tmp/threadbare-cli.XXXXXX)"
trap 'rm -rf "$work"' EXIT
cp "$root/app/target/threadbare.jar" "$work/threadbare.jar"
jar="$work/threadbare.jar" channel=CBENCH0001
"$java" "$root/bench/GenerateChannel.java" "$work/gen" "$messages" "$paths" > /dev/null
base=("$java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xss2m)
"${base[@]}" -jar "$jar" ingest --data "$work/data" "$work/gen/events.jsonl" > /dev/null
# The training run, as the launcher does it on first use.
"${base[@]}" -XX:TieredStopAtLevel=1 -XX:AOTCacheOutput="$work/tb.aot" -Xlog:aot=off -Xlog:cds=off \
  -jar "$jar" tree --data "$work/data" --channel "$channel" > /dev/null 2>&1
after=("${base[@]}" -XX:AOTCache="$work/tb.aot" -XX:TieredStopAtLevel=1)
repo="$work/data/git/$channel.git"
file="$(git -C "$repo" ls-tree -r --name-only main | head -1)"
d=(--data "$work/data" --channel "$channel")
q() { printf '%q ' "$@"; }
hyperfine -N -w 2 -r "$runs" --export-json "$work/h.json" \
  -n ls-tree "git -C $repo ls-tree -r main" \
  -n "tree before" "$(q "${base[@]}" -jar "$jar" tree "${d[@]}")" \
  -n "tree after" "$(q "${after[@]}" -jar "$jar" tree "${d[@]}")" \
  -n "show after" "$(q "${after[@]}" -jar "$jar" show "${d[@]}" "$file")" \
  -n "log after" "$(q "${after[@]}" -jar "$jar" log "${d[@]}")" > /dev/null
python3 - "$work/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
g = r[0]["mean"]
goal = 3 * g + 0.1
print(f"{'command':<12} {'mean s':>8} {'user+sys s':>10} {'x ls-tree':>9}   goal (3x ls-tree + 100 ms) = {goal:.3f} s")
for x in r:
    verdict = "meets" if x["mean"] <= goal else "%.1fx the goal" % (x["mean"] / goal)
    print(f"{x['command']:<12} {x['mean']:8.3f} {x['user'] + x['system']:10.3f} {x['mean'] / g:9.1f}   {verdict}")
PY
