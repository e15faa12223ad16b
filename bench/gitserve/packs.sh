#!/usr/bin/env bash
# Packs like git's (docs/PERFORMANCE.md, "Packs"): a full clone of a channel's store, as the
# materializer and its background repacker leave it, served by threadbare's gitserve, against
# `git http-backend` serving the same history (the channel's export-git, cloned bare and then
# `git repack -a -d -f`). Two channels: a history channel (the newest COMMITS first-parent commits
# of a local repository, posted as import-git --history does: text files of at most 400 lines)
# and a synthetic one (bench/GenerateChannel.java: MESSAGES versions over PATHS files).
# Prints bytes sent (the size of the pack the clone received) and clone times (median of RUNS).
# Usage: bench/gitserve/packs.sh REPO [COMMITS=1000] [MESSAGES=10000] [PATHS=500] [RUNS=5]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
source_repo="$1"
commits="${2:-1000}"
messages="${3:-10000}"
paths="${4:-500}"
runs="${5:-5}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
java="$JAVA_HOME/bin/java"
jar="$root/app/target/threadbare.jar"
[ -f "$jar" ] || (cd "$root" && ./mvnw -q -o -pl app -am package -Dmaven.test.skip=true -Dspotless.check.skip >&2)
work="$(mktemp -d /tmp/threadbare-bench-packs.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
cp "$jar" "$work/threadbare.jar"
tb=("$java" -Xmx768m --enable-native-access=ALL-UNNAMED -jar "$work/threadbare.jar")

echo "== channels" >&2
"$java" "$here/HistoryChannel.java" "$source_repo" "$commits" "$work/history.jsonl"
"$java" "$root/bench/GenerateChannel.java" "$work/gen" "$messages" "$paths" >/dev/null
declare -A events=([history]="$work/history.jsonl" [synthetic]="$work/gen/events.jsonl")
declare -A channel=([history]=CHISTORY01 [synthetic]=CBENCH0001)

cp=$("$here/classpath.sh")
mkdir -p "$work/repos"
python3 "$here/http_backend_cgi.py" "$work/repos" "$work/cgi.port" &
pids+=($!)

deltas() { # deltas GITDIR -> objects stored as deltas in all its packs
  local n=0 p
  for p in "$1"/objects/pack/*.pack; do
    n=$((n + $(git verify-pack -v "$p" | awk 'NF == 7 && length($1) == 40' | wc -l)))
  done
  echo "$n"
}
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
clone_once() { # clone_once URL DEST -> "seconds bytes"
  rm -rf "$2"
  local start end
  start=$(date +%s%N)
  GIT_TERMINAL_PROMPT=0 git -c protocol.version=2 clone --quiet --bare "$1" "$2"
  end=$(date +%s%N)
  echo "$(echo "scale=3; ($end - $start) / 1000000000" | bc) $(cat "$2"/objects/pack/*.pack | wc -c)"
}

for name in history synthetic; do
  c=${channel[$name]}
  data="$work/data-$name"
  /usr/bin/time -f '%e' -o "$work/ingest-$name.time" "${tb[@]}" ingest --data "$data" "${events[$name]}" >/dev/null
  store="$data/git/$c.git"
  git --git-dir="$store" fsck --full --no-dangling
  "${tb[@]}" export-git --data "$data" --channel "$c" "$work/export-$name" >/dev/null
  git --git-dir="$work/export-$name/.git" fsck --full --no-dangling
  git clone --quiet --bare --no-local "$work/export-$name" "$work/repos/$name.git"
  git -C "$work/repos/$name.git" repack -a -d -f -q
  base_pack=$(cat "$work/repos/$name.git"/objects/pack/*.pack | wc -c)
  export_pack=$(cat "$work/export-$name/.git"/objects/pack/*.pack | wc -c)

  rm -f "$work/tb.port"
  "$java" -Xmx1g -Dlogback.configurationFile="$here/logback.xml" -cp "$cp" "$here/GitServeBench.java" \
    "$store" "$work/tb-data-$name" "$work/tb.port" >"$work/tb-$name.log" 2>&1 &
  tb_pid=$!
  pids+=($tb_pid)
  for _ in $(seq 1 300); do [ -s "$work/tb.port" ] && [ -s "$work/cgi.port" ] && break; sleep 0.1; done
  read -r tb_port tb_token <"$work/tb.port"
  cgi_port=$(cat "$work/cgi.port")
  tb_url="http://bench:$tb_token@127.0.0.1:$tb_port/git/bench.git"
  cgi_url="http://127.0.0.1:$cgi_port/git/$name.git"
  clone_once "$tb_url" "$work/warm" >/dev/null; clone_once "$cgi_url" "$work/warm" >/dev/null
  tb_times=""; cgi_times=""; tb_bytes=0; cgi_bytes=0
  for _ in $(seq 1 "$runs"); do
    read -r t b < <(clone_once "$tb_url" "$work/c-tb"); tb_times+="$t "; tb_bytes=$b
    read -r t b < <(clone_once "$cgi_url" "$work/c-cgi"); cgi_times+="$t "; cgi_bytes=$b
  done
  [ "$(git --git-dir="$work/c-tb" rev-parse main)" = "$(git --git-dir="$work/c-cgi" rev-parse main)" ] \
    || { echo "the two clones differ" >&2; exit 1; }
  kill "$tb_pid"
  tb_m=$(echo "$tb_times" | median); cgi_m=$(echo "$cgi_times" | median)
  echo "== $name channel ($c): $(git --git-dir="$store" rev-list --all --count) commits," \
    "$(git --git-dir="$store" count-objects -v | awk '/^in-pack/ {print $2}') objects; ingest $(cat "$work/ingest-$name.time") s"
  echo "store: $(ls "$store"/objects/pack/*.pack | wc -l) pack(s), $(ls "$store"/objects/pack/*.bitmap 2>/dev/null | wc -l) bitmap(s)," \
    "$(deltas "$store") deltas, $(du -cb "$store"/objects/pack/*.pack | tail -1 | cut -f1) bytes; fsck clean"
  echo "export-git: $(ls "$work/export-$name/.git"/objects/pack/*.pack | wc -l) pack, $export_pack bytes, $(deltas "$work/export-$name/.git") deltas" \
    "(git repack -a -d -f of it: $base_pack bytes)"
  printf 'bytes sent, full clone: threadbare %d, http-backend %d, ratio %.2fx\n' "$tb_bytes" "$cgi_bytes" \
    "$(echo "scale=4; $tb_bytes / $cgi_bytes" | bc)"
  printf 'clone time (median of %d): threadbare %.2f s (%s), http-backend %.2f s (%s), ratio %.2fx\n' \
    "$runs" "$tb_m" "$tb_times" "$cgi_m" "$cgi_times" "$(echo "scale=4; $tb_m / $cgi_m" | bc)"
done
