# Sourced by ./temper and ./run-tests: exports JAVA_HOME as a JDK 25+ (java.lang.foreign is final
# there). Order: $TEMPER_JAVA_HOME, $JAVA_HOME if it is 25+, /usr/lib/jvm/temurin-25-jdk-amd64.

# The JDK's release file names its version without starting a JVM.
java_major() { local v; v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null); echo "${v:-0}"; }

pick_jdk() {
  local c
  for c in "${TEMPER_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64; do
    if [[ -n "$c" && -x "$c/bin/java" ]] && (( $(java_major "$c") >= 25 )); then echo "$c"; return 0; fi
  done
  echo "temper: needs JDK 25 (java.lang.foreign); set TEMPER_JAVA_HOME or JAVA_HOME" >&2
  return 1
}

JAVA_HOME="$(pick_jdk)" || exit 2
export JAVA_HOME
