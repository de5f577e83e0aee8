#!/usr/bin/env bash
# Builds powdb-bench's runnable jar and runs the backup benchmark: full backup, deep verify, restore and a
# 1%-of-pages incremental on PowDB next to cp -r + sync, SQLite `backup to`, RocksDB BackupEngine and H2 `BACKUP TO`
# (the `compare` part), and with --parts online (or writers,increments,replay) PowDB's writer commit latency during a
# backup, increments after 0.1/1/10% page changes with the bytes they read, and WAL replay speed.
# Every argument goes to the benchmark; see --help (e.g. --sizes 100,1000 --runs 3, or --parts online).
# Results: DIR/backup-results.md (Markdown tables) and DIR/backup-raw.log (everything printed), where DIR is --dir,
# default ./bench-work/backup relative to the current directory, emptied at the start of every run.
#
# Run as root to get cold-cache numbers too (the page cache is dropped through /proc/sys/vm/drop_caches).
# Needs cp, sync and b3sum (Debian package b3sum) on the PATH.
#
# Environment:
#   SKIP_BUILD=1      reuse powdb-bench/target/powdb-bench.jar instead of running Maven first
#   BENCH_JAVA_OPTS   JVM flags (default: -Xms4g -Xmx4g)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
jar="$here/target/powdb-bench.jar"
revision_file="$here/target/powdb-bench.revision"

for tool in cp sync b3sum; do
  if ! command -v "$tool" >/dev/null; then
    echo "Error: $tool is not on the PATH (b3sum: apt-get install b3sum)" >&2
    exit 1
  fi
done

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  # Read-only look at the checkout, to record which PowDB the jar is built from.
  revision="$(git -C "$root" --no-optional-locks rev-parse --short HEAD 2>/dev/null || echo 'no commit')"
  if [[ -n "$(git -C "$root" --no-optional-locks status --porcelain -- powdb-storage powdb-backup 2>/dev/null | head -1)" ]]; then
    revision="$revision + uncommitted changes in powdb-storage or powdb-backup"
  fi
  mvn -B -q -f "$root/pom.xml" -pl powdb-bench -am package -DskipTests
  printf '%s\n' "$revision" > "$revision_file"
fi
# The BLAKE3 probe also measures a newer BouncyCastle than the one powdb-backup pins, in a class loader of its own.
probe_bc_version=1.87
probe_libs="$here/target/probe-libs"
probe_bc_jar="$probe_libs/bcprov-jdk18on-$probe_bc_version.jar"
if [[ ! -f "$probe_bc_jar" ]]; then
  mvn -B -q -f "$root/pom.xml" -N org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="org.bouncycastle:bcprov-jdk18on:$probe_bc_version" -DoutputDirectory="$probe_libs" \
    || echo "Warning: could not fetch bcprov $probe_bc_version; the probe measures the pinned version only" >&2
fi
probe_args=()
if [[ -f "$probe_bc_jar" ]]; then
  probe_args=(--probe-bc-jar "$probe_bc_jar")
fi
if [[ ! -f "$jar" ]]; then
  echo "Error: $jar is missing; run without SKIP_BUILD=1 to build it" >&2
  exit 1
fi
revision="$(cat "$revision_file" 2>/dev/null || echo unknown)"

# The raw log goes next to the results; --dir decides where. The benchmark empties DIR at its start, so the log
# is written to a temporary file first and moved into DIR afterwards.
dir="bench-work/backup"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [[ "${args[$i]}" == "--dir" && $((i + 1)) -lt ${#args[@]} ]]; then
    dir="${args[$((i + 1))]}"
  fi
done
log="$(mktemp "${TMPDIR:-/tmp}/backup-raw.XXXXXX.log")"

set +e
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags
java ${BENCH_JAVA_OPTS:--Xms4g -Xmx4g} \
  -Dpowdb.bench.revision="$revision" \
  -Dpowdb.bench.command="powdb-bench/run-backup-bench.sh $*" \
  -cp "$jar" dev.powdb.bench.backup.BackupBench "${probe_args[@]}" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if [[ -d "$dir" ]]; then
  mv "$log" "$dir/backup-raw.log"
  echo "Raw log: $dir/backup-raw.log"
else
  echo "Raw log: $log"
fi
exit "$status"
