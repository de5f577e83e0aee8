#!/usr/bin/env bash
# Builds powdb-bench's runnable jar and runs the side-by-side storage benchmark (PowDB, SQLite, H2).
# Every argument goes to the benchmark; see --help. Results: a table on stdout and DIR/storage-results.md
# (DIR = --dir, default ./bench-work relative to the current directory, deleted and recreated on every run).
#
# Environment:
#   SKIP_BUILD=1      reuse powdb-bench/target/powdb-bench.jar instead of running Maven first
#   BENCH_JAVA_OPTS   JVM flags (default: -Xms4g -Xmx4g)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
jar="$here/target/powdb-bench.jar"

revision_file="$here/target/powdb-bench.revision"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  # Read-only look at the checkout, to record which PowDB the jar is built from.
  revision="$(git -C "$root" --no-optional-locks rev-parse --short HEAD 2>/dev/null || echo 'no commit')"
  if [[ -n "$(git -C "$root" --no-optional-locks status --porcelain -- powdb-storage powdb-query 2>/dev/null | head -1)" ]]; then
    revision="$revision + uncommitted changes in powdb-storage or powdb-query"
  fi
  mvn -B -q -f "$root/pom.xml" -pl powdb-bench -am package -DskipTests
  printf '%s\n' "$revision" > "$revision_file"
fi
if [[ ! -f "$jar" ]]; then
  echo "Error: $jar is missing; run without SKIP_BUILD=1 to build it" >&2
  exit 1
fi
revision="$(cat "$revision_file" 2>/dev/null || echo unknown)"

# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags
exec java ${BENCH_JAVA_OPTS:--Xms4g -Xmx4g} \
  -Dpowdb.bench.revision="$revision" \
  -Dpowdb.bench.command="powdb-bench/run-storage-bench.sh $*" \
  -jar "$jar" "$@"
