#!/usr/bin/env bash
# Blame of a 2,000-line file with 500 versions: server time of threadbare's blame against
# `git blame --porcelain` on the same repository. Each round starts a fresh server (empty cache),
# warms the JIT on another file with the same history, then measures on src/big.py:
#   cold   the first blame of the file (at main~1): a forward walk over all 500 versions
#   step   blame at main once main~1 is cached: the new-message case, one diff
#   cached blame at main again
# Server time is gitserve's Server-Timing header; client time adds HTTP and the JSON of 2,000 lines.
# Two storages of the same history: "plain" is how the materializer writes (JGit PackInserter:
# whole objects, no deltas), "deltas" is after `git gc` (delta chains up to depth 50).
# Usage: bench/gitserve/blame.sh [ROUNDS] [plain|deltas]   (default 3 rounds, both storages)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
rounds="${1:-3}"
storages="${2:-plain deltas}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
work="${BENCH_DIR:-/tmp/threadbare-bench-gitserve}"
mkdir -p "$work/blame-repos"
if [ ! -f "$work/blame-repos/blame.git/.built2" ]; then
  rm -rf "$work/blame-repos/blame.git" "$work/blame-repos/plain.git"
  python3 "$here/make_repos.py" blame "$work/blame-repos/blame.git"
  touch "$work/blame-repos/blame.git/.built2"
fi
if [ ! -f "$work/blame-repos/plain.git/.built2" ]; then
  rm -rf "$work/blame-repos/plain.git"
  git clone -q --bare --no-local "$work/blame-repos/blame.git" "$work/blame-repos/plain.git"
  git -C "$work/blame-repos/plain.git" repack -q -a -d -f --window=0 --depth=0
  touch "$work/blame-repos/plain.git/.built2"
fi
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; }
trap cleanup EXIT
cp=$("$here/classpath.sh")
for storage in $storages; do
repo="$work/blame-repos/$([ "$storage" = deltas ] && echo blame || echo plain).git"
results="$work/blame-results-$storage.txt"
: >"$results"
for round in $(seq 1 "$rounds"); do
  rm -f "$work/blame.port"
  rm -rf "$work/blame-data"
  "$JAVA_HOME/bin/java" -Xmx1g -Dlogback.configurationFile="$here/logback.xml" -cp "$cp" "$here/GitServeBench.java" "$repo" "$work/blame-data" \
    "$work/blame.port" >"$work/blame.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do [ -s "$work/blame.port" ] && break; sleep 0.1; done
  read -r port token <"$work/blame.port"
  python3 - "$repo" "$port" "$token" >>"$results" <<'PY'
import subprocess, sys, time, urllib.request
repo, port, token = sys.argv[1:]

def rev(spec):
    return subprocess.run(["git", "-C", repo, "rev-parse", spec], check=True,
                          capture_output=True, text=True).stdout.strip()

def blame(commit, path="src/big.py"):
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/channels/bench/blame?rev={commit}&path={path}",
        headers={"Authorization": f"Bearer {token}"})
    start = time.perf_counter()
    with urllib.request.urlopen(req) as r:
        body = r.read()
        timing = r.headers["Server-Timing"]
    client = (time.perf_counter() - start) * 1000
    expected = subprocess.run(["git", "-C", repo, "show", f"{commit}:{path}"], check=True,
                              capture_output=True).stdout.count(b"\n")
    assert body.count(b'"sourceLine"') == expected, "wrong number of blamed lines"
    wall = float(timing.split("dur=")[1].split(",")[0])
    cpu = float(timing.split("dur=")[2])
    return wall, client, "hit" in timing, cpu

def git_blame(commit):
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(["git", "-C", repo, "blame", "--porcelain", commit, "--", "src/big.py"],
                   check=True, stdout=subprocess.DEVNULL)
    wall = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu

for k in (400, 300, 200, 100, 50, 20, 10, 5):  # JIT warm-up on the other file
    blame(rev(f"main~{k}"), "src/warm.py")
cold = blame(rev("main~1"))
step = blame(rev("main"))
hit = blame(rev("main"))
assert not cold[2] and not step[2] and hit[2]
git = git_blame(rev("main"))
print(f"{cold[0]} {cold[1]} {step[0]} {step[1]} {hit[0]} {hit[1]} {git[0]} {cold[3]} {step[3]} {hit[3]} {git[1]}")
PY
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
lines=$(git -C "$repo" show main:src/big.py | wc -l)
versions=$(git -C "$repo" rev-list --count main -- src/big.py)
echo "== storage: $storage ($(git -C "$repo" count-objects -v | grep size-pack))"
python3 - "$results" "$lines" "$versions" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
med = lambda i: statistics.median(r[i] for r in rows)
print(f"blame of a {sys.argv[2]}-line file with {sys.argv[3]} versions, median of {len(rows)} fresh servers")
print("                                                wall (server / client)    CPU")
print(f"threadbare cold  (first blame of the file)   {med(0):8.1f} / {med(1):8.1f} ms  {med(7):8.1f} ms")
print(f"threadbare step  (new version, parent cached){med(2):8.1f} / {med(3):8.1f} ms  {med(8):8.1f} ms")
print(f"threadbare cached                            {med(4):8.1f} / {med(5):8.1f} ms  {med(9):8.1f} ms")
print(f"git blame --porcelain (CLI, baseline)        {med(6):8.1f}            ms  {med(10):8.1f} ms")
print(f"ratio threadbare cold / git blame   wall {med(0) / med(6):.2f}x   CPU {med(7) / med(10):.2f}x")
print(f"ratio threadbare step / git blame   wall {med(2) / med(6):.3f}x  CPU {med(8) / med(10):.3f}x")
PY
done
