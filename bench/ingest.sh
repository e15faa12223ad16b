#!/usr/bin/env bash
# Benchmark of the core path (docs/PERFORMANCE.md, "Core: ingest, rebuild, tree"):
#   threadbare ingest (journal durable) vs git fast-import of the same sequence of trees,
#   threadbare rebuild, threadbare tree vs git ls-tree -r. Every threadbare run uses -Xmx512m.
# Usage: bench/ingest.sh [MESSAGES=100000] [PATHS=10000]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
messages="${1:-100000}"
paths="${2:-10000}"
export JAVA_HOME="${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
java="$JAVA_HOME/bin/java"
jar="$root/app/target/threadbare.jar"
if [ ! -f "$jar" ]; then
  (cd "$root" && ./mvnw -q -o -pl app package -Dmaven.test.skip=true -Dspotless.check.skip >&2)
fi
work="$(mktemp -d /tmp/threadbare-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
# A private copy: app/target may be rebuilt by someone else while the benchmark runs.
cp "$jar" "$work/threadbare.jar"
jar="$work/threadbare.jar"
tb=("$java" -Xmx512m -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED -jar "$jar")
channel=CBENCH0001

timed() { # timed NAME CMD... : wall, user, sys seconds and max RSS (KB) into $work/NAME.time
  local name="$1"; shift
  /usr/bin/time -f '%e %U %S %M' -o "$work/$name.time" "$@"
}
wall() { cut -d' ' -f1 "$work/$1.time"; }
cpu() { awk '{printf "%.2f", $2 + $3}' "$work/$1.time"; }
rss() { awk '{printf "%.0f", $4 / 1024}' "$work/$1.time"; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "== generating $messages messages over $paths paths"
"$java" "$here/GenerateChannel.java" "$work/gen" "$messages" "$paths"

echo "== threadbare ingest (SQLite journal, durable appends)"
timed ingest "${tb[@]}" ingest --data "$work/data" "$work/gen/events.jsonl"
echo "== git fast-import of the same trees"
git init -q --bare "$work/fast-import.git"
timed fastimport git -C "$work/fast-import.git" fast-import --quiet < "$work/gen/fast-import.txt"
echo "== threadbare rebuild"
timed rebuild "${tb[@]}" rebuild --data "$work/data"
"${tb[@]}" export-git --data "$work/data" --channel "$channel" "$work/export" > /dev/null

# Same commits and the same head trees on both sides?
ours=$(git -C "$work/export" rev-list --all | wc -l)
theirs=$(git -C "$work/fast-import.git" rev-list --all | wc -l)
heads() { git -C "$1" for-each-ref --format='%(refname) %(tree)' refs/heads | sort; }
same_heads=$(diff <(heads "$work/export") <(heads "$work/fast-import.git") > /dev/null && echo yes || echo NO)

ref="main@$((messages / 2))"
read -r commit files cold warm < <("$java" -Xmx512m -cp "$jar" "$here/TreeBench.java" "$work/data/git" "$channel" "$ref" 30)
runs=10
timed treecli bash -c "for i in \$(seq $runs); do ${tb[*]} tree --data $work/data --channel $channel --ref $commit > $work/tree.out; done"
timed lstree bash -c "for i in \$(seq $runs); do git -C $work/export ls-tree -r $commit > $work/lstree.out; done"
lstree_inproc=$(bash -c "start=\$(date +%s%N); for i in \$(seq 30); do git -C $work/export ls-tree -r $commit > /dev/null; done; echo \$(( (\$(date +%s%N) - start) / 30 ))" )
same=$(diff <(awk -F'\t' '{split($1, a, " "); print $2 "\t" a[3]}' "$work/lstree.out") "$work/tree.out" > /dev/null && echo yes || echo NO)

echo
echo "| measure | threadbare | baseline | ratio |"
echo "| --- | --- | --- | --- |"
echo "| ingest $messages msgs: wall s (msg/s) | $(wall ingest) ($(rate "$messages" "$(wall ingest)")/s) | fast-import $(wall fastimport) ($(rate "$messages" "$(wall fastimport)")/s) | $(ratio "$(wall ingest)" "$(wall fastimport)")x |"
echo "| ingest: CPU s (user+sys) | $(cpu ingest) | fast-import $(cpu fastimport) | $(ratio "$(cpu ingest)" "$(cpu fastimport)")x |"
echo "| ingest: max RSS MB | $(rss ingest) | fast-import $(rss fastimport) | |"
echo "| rebuild: wall s (msg/s) | $(wall rebuild) ($(rate "$messages" "$(wall rebuild)")/s) | | |"
echo "| rebuild: CPU s, max RSS MB | $(cpu rebuild), $(rss rebuild) | | |"
echo "| commits (all branches) | $ours | fast-import $theirs | |"
echo "| every branch head has the same tree id as fast-import's | $same_heads | | |"
echo "| tree $ref ($files files) in-process, warm median ms | $warm (cold $cold) | git ls-tree -r whole command $(awk -v ns="$lstree_inproc" 'BEGIN { printf "%.2f", ns / 1e6 }') ms | $(awk -v a="$warm" -v ns="$lstree_inproc" 'BEGIN { printf "%.2f", a / (ns / 1e6) }')x |"
echo "| tree whole command (JVM start included), ms | $(awk -v s="$(wall treecli)" -v n=$runs 'BEGIN { printf "%.0f", s * 1000 / n }') | git ls-tree -r $(awk -v s="$(wall lstree)" -v n=$runs 'BEGIN { printf "%.1f", s * 1000 / n }') | $(ratio "$(wall treecli)" "$(wall lstree)")x |"
echo "| tree output equals git ls-tree -r | $same | | |"
echo
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
