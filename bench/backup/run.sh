#!/usr/bin/env bash
# Benchmark of chat backups (docs/PERFORMANCE.md, "Backup and restore"):
#   threadbare backup (journal -> Slack-format zip) and threadbare restore (zip -> new journal and
#   every repository) of N messages, against the journal's own replay speed: threadbare rebuild
#   (delete the git store, replay the journal) on the same data, in the same script.
# Usage: bench/backup/run.sh [MESSAGES=100000] [PATHS=10000]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bench="$(dirname "$here")"
root="$(dirname "$bench")"
messages="${1:-100000}"
paths="${2:-10000}"
export JAVA_HOME="${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
java="$JAVA_HOME/bin/java"
jar="$root/app/target/threadbare.jar"
if [ ! -f "$jar" ]; then
  (cd "$root" && ./mvnw -q -o -pl app -am package -Dmaven.test.skip=true -Dspotless.check.skip >&2)
fi
work="$(mktemp -d /tmp/threadbare-bench-backup.XXXXXX)"
trap 'rm -rf "$work"' EXIT
cp "$jar" "$work/threadbare.jar"
tb=("$java" -Xmx1g -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED -jar "$work/threadbare.jar")

timed() { local name="$1"; shift; /usr/bin/time -f '%e %U %S %M' -o "$work/$name.time" "$@"; }
wall() { cut -d' ' -f1 "$work/$1.time"; }
cpu() { awk '{printf "%.2f", $2 + $3}' "$work/$1.time"; }
rss() { awk '{printf "%.0f", $4 / 1024}' "$work/$1.time"; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

echo "== generating $messages messages over $paths paths, ingesting them"
"$java" "$bench/GenerateChannel.java" "$work/gen" "$messages" "$paths"
"${tb[@]}" ingest --data "$work/data" "$work/gen/events.jsonl" > /dev/null
heads() { for repo in "$1"/git/*.git; do git -C "$repo" for-each-ref --format="$(basename "$repo") %(refname) %(objectname)" | sort; done; }
heads "$work/data" > "$work/heads.before"

echo "== threadbare rebuild (baseline: the journal's own replay)"
timed rebuild "${tb[@]}" rebuild --data "$work/data"
echo "== threadbare backup"
timed backup "${tb[@]}" backup --data "$work/data" "$work/chat.zip"
echo "== threadbare restore (into a new directory)"
timed restore "${tb[@]}" restore --data "$work/restored" "$work/chat.zip"
heads "$work/restored" > "$work/heads.after"
same=$(diff "$work/heads.before" "$work/heads.after" > /dev/null && echo yes || echo NO)

journal=$(stat -c %s "$work/data/journal.db")
zip=$(stat -c %s "$work/chat.zip")
echo
echo "messages: $messages, journal entries: $(wc -l < "$work/gen/events.jsonl"), load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| step | wall s (msg/s) | CPU s | max RSS MB | vs rebuild (wall) |"
echo "| --- | --- | --- | --- | --- |"
for step in rebuild backup restore; do
  echo "| $step | $(wall $step) ($(rate "$messages" "$(wall $step)")/s) | $(cpu $step) | $(rss $step) | $(ratio "$(wall $step)" "$(wall rebuild)")x |"
done
echo "sizes: journal.db $(mb "$journal") MB, backup zip $(mb "$zip") MB ($(ratio "$zip" "$journal")x)"
echo "restored heads identical to the original's: $same ($(wc -l < "$work/heads.before") refs)"
