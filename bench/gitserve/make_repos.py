#!/usr/bin/env python3
"""Builds the benchmark repositories with `git fast-import`, shaped like the materializer's
(authors `Name <USERID@TEAM.chat>`, a `Chat-Message:` trailer), deterministically (fixed seed).

  make_repos.py clone DIR    10,000 files, ~100 MB of text, in 10 commits on main
  make_repos.py blame DIR    two 2,000-line files with 500 versions on main
"""
import random
import subprocess
import sys

USERS = [("U0ALICE", "Alice"), ("U0BOB", "Bob"), ("U0CAROL", "Carol"), ("U0DAN", "Dan")]


def commit(out, n, ts, files, parent):
    user, name = USERS[n % len(USERS)]
    msg = f"version {n}\n\nChat-Message: https://example.slack.com/archives/C0BENCH/p{ts}000100\n".encode()
    out.write(b"commit refs/heads/main\n")
    out.write(f"mark :{n + 1}\n".encode())
    out.write(f"author {name} <{user}@T0BENCH.chat> {ts} +0000\n".encode())
    out.write(f"committer threadbare <threadbare@T0BENCH.chat> {ts + 1} +0000\n".encode())
    out.write(f"data {len(msg)}\n".encode() + msg)
    if parent:
        out.write(f"from :{n}\n".encode())
    for path, content in files:
        out.write(f"M 100644 inline {path}\n".encode())
        out.write(f"data {len(content)}\n".encode() + content + b"\n")


def clone_repo(out):
    rng = random.Random(42)
    words = [("".join(rng.choice("abcdefghijklmnopqrstuvwxyz_") for _ in range(rng.randint(2, 10))))
             for _ in range(5000)]
    ts = 1712000000
    files_per_commit = 1000
    for c in range(10):
        files = []
        for i in range(c * files_per_commit, (c + 1) * files_per_commit):
            lines = []
            size = 0
            while size < 10_000:
                line = "    " + " ".join(rng.choice(words) for _ in range(8)) + f" = {rng.random()!r}"
                lines.append(line)
                size += len(line) + 1
            files.append((f"src/pkg{i // 100:03d}/mod{i:05d}.py", ("\n".join(lines) + "\n").encode()))
        commit(out, c, ts + 60 * c, files, c > 0)


def blame_repo(out):
    """src/big.py (measured) and src/warm.py (JIT warm-up), edited alike in every version."""
    rng = random.Random(7)
    files = {name: [f"line {i}: value = {rng.randint(0, 10**6)}" for i in range(2000)]
             for name in ("src/big.py", "src/warm.py")}
    ts = 1712000000
    for v in range(500):
        if v > 0:
            for lines in files.values():
                for _ in range(4):  # edit a few lines, sometimes insert or delete one
                    k = rng.randrange(len(lines))
                    roll = rng.random()
                    if roll < 0.15 and len(lines) > 1990:
                        del lines[k]
                    elif roll < 0.3 and len(lines) < 2010:
                        lines.insert(k, f"inserted in v{v}: {rng.randint(0, 10**6)}")
                    else:
                        lines[k] = f"line {k} edited in v{v}: value = {rng.randint(0, 10**6)}"
        commit(out, v, ts + 60 * v,
               [(name, ("\n".join(lines) + "\n").encode()) for name, lines in files.items()], v > 0)


def main():
    kind, target = sys.argv[1], sys.argv[2]
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", target], check=True)
    fast_import = subprocess.Popen(["git", "-C", target, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    {"clone": clone_repo, "blame": blame_repo}[kind](fast_import.stdin)
    fast_import.stdin.close()
    if fast_import.wait() != 0:
        sys.exit("fast-import failed")
    subprocess.run(["git", "-C", target, "gc", "-q"], check=True)


if __name__ == "__main__":
    main()
