#!/usr/bin/env bash
# Benchmark of chat backups (docs/PERFORMANCE.md, "Backup and restore"):
#   threadbare backup (journal -> Slack-format zip) and threadbare restore (zip -> new journal and
#   every repository) of N messages, against the journal's own replay speed: threadbare rebuild
#   (delete the git store, replay the journal) on the same data, in the same script.
# Usage: [BACKUP_HEAP=128m] [BASELINE_JAR=old/threadbare.jar] bench/backup/run.sh [MESSAGES=100000] [PATHS=10000]
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
# Backup and restore stream (facts sorted on disk, the zip written and read an entry at a time):
# they run in a small heap whatever the journal's size. BACKUP_HEAP=1g runs them like rebuild.
heap="${BACKUP_HEAP:-128m}"
small=("$java" "-Xmx$heap" -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED -jar "$work/threadbare.jar")

timed() { local name="$1"; shift; /usr/bin/time -f '%e %U %S %M' -o "$work/$name.time" "$@"; }
# The last line: GNU time puts "Command exited with non-zero status N" before it on a failure.
wall() { tail -1 "$work/$1.time" | cut -d' ' -f1; }
cpu() { tail -1 "$work/$1.time" | awk '{printf "%.2f", $2 + $3}'; }
rss() { tail -1 "$work/$1.time" | awk '{printf "%.0f", $4 / 1024}'; }
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
echo "== threadbare backup (-Xmx$heap)"
timed backup "${small[@]}" backup --data "$work/data" "$work/chat.zip"
echo "== threadbare restore into a new directory (-Xmx$heap)"
timed restore "${small[@]}" restore --data "$work/restored" "$work/chat.zip"
heads "$work/restored" > "$work/heads.after"
if [ -n "${BASELINE_JAR:-}" ]; then
  # The same backup and restore by an older threadbare (e.g. one that held the cut in memory), with
  # the same heap, side by side: its exit status says whether it fits.
  echo "== baseline $BASELINE_JAR: backup and restore (-Xmx$heap)"
  old=("$java" "-Xmx$heap" -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED -jar "$BASELINE_JAR")
  timed old-backup "${old[@]}" backup --data "$work/data" "$work/old.zip" > "$work/old-backup.log" 2>&1 \
    && echo "baseline backup: exit 0" || echo "baseline backup: exit $? ($(grep -o 'OutOfMemoryError[^\n]*' "$work/old-backup.log" | head -1))"
  timed old-restore "${old[@]}" restore --data "$work/old-restored" "$work/chat.zip" > "$work/old-restore.log" 2>&1 \
    && echo "baseline restore: exit 0" || echo "baseline restore: exit $? ($(grep -o 'OutOfMemoryError[^\n]*' "$work/old-restore.log" | head -1))"
fi
same=$(diff "$work/heads.before" "$work/heads.after" > /dev/null && echo yes || echo NO)

journal=$(stat -c %s "$work/data/journal.db")
zip=$(stat -c %s "$work/chat.zip")
echo
echo "messages: $messages, journal entries: $(wc -l < "$work/gen/events.jsonl"), heap: rebuild -Xmx1g, backup and restore -Xmx$heap, load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| step | wall s (msg/s) | CPU s | max RSS MB | vs rebuild (wall) |"
echo "| --- | --- | --- | --- | --- |"
steps=(rebuild backup restore)
[ -n "${BASELINE_JAR:-}" ] && steps+=(old-backup old-restore)
for step in "${steps[@]}"; do
  echo "| $step | $(wall $step) ($(rate "$messages" "$(wall $step)")/s) | $(cpu $step) | $(rss $step) | $(ratio "$(wall $step)" "$(wall rebuild)")x |"
done
echo "sizes: journal.db $(mb "$journal") MB, backup zip $(mb "$zip") MB ($(ratio "$zip" "$journal")x)"
echo "restored heads identical to the original's: $same ($(wc -l < "$work/heads.before") refs)"
