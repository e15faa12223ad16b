#!/usr/bin/env bash
# Prints the classpath of the gitserve module (its classes and its runtime dependencies).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$root"
if [ ! -d gitserve/target/classes/dev ]; then
  ./mvnw -q -o -pl gitserve compile >&2
fi
./mvnw -q -o -pl gitserve dependency:build-classpath -Dmdep.includeScope=runtime \
  -Dmdep.outputFile=/dev/stdout 2>/dev/null | tail -1 | sed "s|^|$root/gitserve/target/classes:|"
