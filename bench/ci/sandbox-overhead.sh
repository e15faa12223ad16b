#!/usr/bin/env bash
# Sandbox overhead: the same command run bare and inside the bubblewrap invocation the sandbox
# module builds (setpriv to nobody when root, the namespaces, mounts and prlimit), side by side.
# Usage: bench/ci/sandbox-overhead.sh [RUNS] [COMMAND]   (default 30 runs of `python3 -c pass`)
set -euo pipefail
runs=${1:-30}
cmd=${2:-"python3 -c pass"}
work=$(mktemp -d /tmp/tb-bench-XXXX); chmod 711 "$work"; mkdir -p "$work/w" "$work/t"
trap 'rm -rf "$work"' EXIT
drop=()
if [ "$(id -u)" = 0 ]; then chown 65534:65534 "$work/w" "$work/t"; drop=(setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs --); fi
sandboxed() {
  env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/work TMPDIR=/tmp LANG=C.UTF-8 \
    "${drop[@]}" bwrap --unshare-all --unshare-user --disable-userns --die-with-parent --new-session \
    --cap-drop ALL --hostname sandbox --ro-bind /usr /usr --ro-bind /etc /etc \
    --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/sbin /sbin \
    --proc /proc --dev /dev --bind "$work/t" /tmp --bind "$work/w" /work --chdir /work \
    -- /usr/bin/prlimit --nproc=256 --cpu=600:601 --fsize=536870912 --data=2147483648 --core=0 -- \
    /bin/sh -c "$cmd"
}
bare() { (cd "$work/w" && env -i PATH=/usr/local/bin:/usr/bin:/bin /bin/sh -c "$cmd"); }
measure() { # prints milliseconds per run, median and p90
  local f=$1; local -a t=()
  for _ in $(seq "$runs"); do
    local s=$(date +%s%N); $f >/dev/null 2>&1; local e=$(date +%s%N); t+=($(( (e - s) / 1000 )))
  done
  printf '%s\n' "${t[@]}" | sort -n | awk -v n="$runs" '{a[NR]=$1} END {printf "median %.1f ms, p90 %.1f ms", a[int((n+1)/2)]/1000, a[int(n*0.9)]/1000}'
}
echo "command: $cmd ($runs runs each, alternating warm-up)"
bare >/dev/null 2>&1; sandboxed >/dev/null 2>&1
echo "bare:      $(measure bare)"
echo "sandboxed: $(measure sandboxed)"
