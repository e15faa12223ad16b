#!/usr/bin/env bash
# git clone of a 10,000-file / ~100 MB repository: threadbare's gitserve (JGit GitServlet on
# Javalin) against `git http-backend` behind a minimal CGI runner, and `git daemon` (git://), all
# serving the same bare repository on 127.0.0.1. Prints medians and ratios.
# Usage: bench/gitserve/clone.sh [RUNS]   (default 5; the repository is cached in $BENCH_DIR)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
runs="${1:-5}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
work="${BENCH_DIR:-/tmp/threadbare-bench-gitserve}"
mkdir -p "$work/repos"
repo="$work/repos/bench.git"
if [ ! -f "$repo/.built" ]; then
  rm -rf "$repo"
  echo "building $repo (10,000 files, ~100 MB)…" >&2
  python3 "$here/make_repos.py" clone "$repo"
  touch "$repo/.built"
fi
files=$(git -C "$repo" ls-tree -r main | wc -l)
bytes=$(git -C "$repo" ls-tree -r -l main | awk '{s+=$4} END {print s}')
pack=$(du -sb "$repo/objects/pack" | cut -f1)

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

rm -f "$work/tb.port" "$work/cgi.port"
cp=$("$here/classpath.sh")
"$JAVA_HOME/bin/java" -Xmx1g -Dlogback.configurationFile="$here/logback.xml" -cp "$cp" "$here/GitServeBench.java" "$repo" "$work/tb-data" "$work/tb.port" \
  >"$work/tb.log" 2>&1 &
pids+=($!)
python3 "$here/http_backend_cgi.py" "$work/repos" "$work/cgi.port" &
pids+=($!)
daemon_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
git daemon --base-path="$work/repos" --export-all --reuseaddr --listen=127.0.0.1 --port="$daemon_port" "$work/repos" &
pids+=($!)
for f in tb.port cgi.port; do
  for _ in $(seq 1 300); do [ -s "$work/$f" ] && break; sleep 0.1; done
  [ -s "$work/$f" ] || { echo "server did not start: $f" >&2; cat "$work/tb.log" >&2; exit 1; }
done
read -r tb_port tb_token <"$work/tb.port"
cgi_port=$(cat "$work/cgi.port")
sleep 0.5

declare -A url=(
  [threadbare]="http://bench:$tb_token@127.0.0.1:$tb_port/git/bench.git"
  [http-backend]="http://127.0.0.1:$cgi_port/git/bench.git"
  [git-daemon]="git://127.0.0.1:$daemon_port/bench.git"
)
order=(threadbare http-backend git-daemon)

clone_once() { # name -> seconds
  local dest="$work/clone-$1"
  rm -rf "$dest"
  local start end
  start=$(date +%s%N)
  GIT_TERMINAL_PROMPT=0 git -c protocol.version=2 clone --quiet --bare "${url[$1]}" "$dest"
  end=$(date +%s%N)
  [ "$(git -C "$dest" rev-parse main)" = "$(git -C "$repo" rev-parse main)" ] || { echo "bad clone from $1" >&2; exit 1; }
  rm -rf "$dest"
  echo "scale=3; ($end - $start) / 1000000000" | bc
}

for name in "${order[@]}"; do clone_once "$name" >/dev/null; done  # warm-up (JIT, page cache)
declare -A times
for i in $(seq 1 "$runs"); do
  for name in "${order[@]}"; do times[$name]+="$(clone_once "$name") "; done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "git clone --bare, $files files, $bytes bytes of content, pack $pack bytes, median of $runs runs"
echo "git $(git --version | cut -d' ' -f3), $(nproc) cores"
tb=$(echo "${times[threadbare]}" | median)
for name in "${order[@]}"; do
  m=$(echo "${times[$name]}" | median)
  printf '%-14s %6.2f s   (runs: %s)\n' "$name" "$m" "${times[$name]}"
done
for name in http-backend git-daemon; do
  m=$(echo "${times[$name]}" | median)
  printf 'ratio threadbare / %-13s %.2fx\n' "$name" "$(echo "scale=4; $tb / $m" | bc)"
done
