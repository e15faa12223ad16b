# Sourced (POSIX sh) by ./mvnw and ./threadbare: makes JAVA_HOME a JDK 21 or newer.
#
# The build needs a JDK 21+ (.mvn/jvm.config passes options older JVMs refuse). A machine's
# default `java` may be older, and JAVA_HOME may be unset, so when JAVA_HOME is not a JDK 21+
# this takes, in order: the JDK of the `java` on PATH, then the newest JDK 21+ under the usual
# install folders. It exports JAVA_HOME and puts its bin first on PATH, so Maven, the forked test
# JVMs and anything they start use it. With none found it stops, saying what to install.

tb_jdk_major() { # the feature version of the JDK at $1 (0 when it is no JDK)
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || { echo 0; return; }
  # The JDK's release file names its version without starting a JVM (the launcher calls this on
  # every run); `java -version` when there is none.
  v="$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release" 2>/dev/null || :)"
  [ -n "$v" ] || v="$("$1/bin/java" -version 2>&1 | sed -n '1s/^[^"]*"\([0-9][0-9]*\).*/\1/p')"
  echo "${v:-0}"
}

tb_pick_jdk() {
  if [ -n "${JAVA_HOME-}" ] && [ "$(tb_jdk_major "$JAVA_HOME")" -ge 21 ]; then
    return 0
  fi
  tb_best="" tb_best_major=0
  tb_path_java="$(command -v java 2>/dev/null || :)"
  if [ -n "$tb_path_java" ]; then
    tb_home="$(dirname "$(dirname "$(readlink -f "$tb_path_java" 2>/dev/null || echo "$tb_path_java")")")"
    if [ "$(tb_jdk_major "$tb_home")" -ge 21 ]; then
      tb_best="$tb_home" tb_best_major=21
    fi
  fi
  if [ -z "$tb_best" ]; then
    case "$-" in *f*) tb_noglob=1 ;; *) tb_noglob=0 ;; esac
    set +f # ./mvnw runs with globbing off
    for tb_home in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/java/* \
      /Library/Java/JavaVirtualMachines/*/Contents/Home "${HOME:-/nonexistent}"/.sdkman/candidates/java/*; do
      [ -d "$tb_home" ] || continue
      tb_major="$(tb_jdk_major "$tb_home")"
      if [ "$tb_major" -ge 21 ] && [ "$tb_major" -gt "$tb_best_major" ]; then
        tb_best="$tb_home" tb_best_major="$tb_major"
      fi
    done
    [ "$tb_noglob" = 0 ] || set -f
  fi
  if [ -z "$tb_best" ]; then
    tb_path_version=missing
    [ -z "$tb_path_java" ] || tb_path_version="$("$tb_path_java" -version 2>&1 | head -n 1)"
    echo "threadbare needs a JDK 21 or newer: JAVA_HOME is ${JAVA_HOME:-unset}, the java on PATH is" \
      "$tb_path_version, and none was found under /usr/lib/jvm. Install one (e.g. Temurin 25)" \
      "and set JAVA_HOME to it." >&2
    return 1
  fi
  JAVA_HOME="$tb_best"
  PATH="$JAVA_HOME/bin:$PATH"
  export JAVA_HOME PATH
}
