#!/usr/bin/env bash
# Runs a test command N times and prints each run's result, to show the suite passes every
# time rather than once.
#
#   bash tests/soak.sh [N]                  # the README's test command (bash .ci/test), N times
#                                           # (default 3), each in a fresh clone of HEAD
#   bash tests/soak.sh --here 5 -- cargo test --test api
#                                           # a command N times in this checkout
#   bash tests/soak.sh --load --here 5 -- cargo test --test api
#                                           # ... with a release build of the project running
#                                           # beside it all the while (CPU load)
#
# Fresh clones share one target folder and schemathesis venv under the work folder (or SOAK_TARGET
# and SOAK_VENV, to keep them from an earlier soak), so only the first run builds the dependencies. Each run's output is kept in WORK/run-I.log (WORK is printed).
# Exit status: 0 when every run passed, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
SOURCE="$(pwd)"

here=false
load=false
runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --here) here=true ;;
    --load) load=true ;;
    --) shift; break ;;
    [0-9]*) runs="$1" ;;
    *) echo "usage: tests/soak.sh [--here] [--load] [N] [-- COMMAND ...]" >&2; exit 2 ;;
  esac
  shift
done
if [ $# -gt 0 ]; then command=("$@"); else command=(bash .ci/test); fi

WORK="$(mktemp -d /tmp/cis-scan-soak.XXXXXX)"
REV="$(git rev-parse HEAD)"
echo "soak: ${runs} run(s) of '${command[*]}' $($here && echo "in $SOURCE" || echo "in fresh clones of $(git rev-parse --short HEAD)"); logs in $WORK"

LOAD_PID=""
if $load; then
  # a CPU-heavy neighbour: release builds of this project from its own clone, again and again
  git clone -q --no-hardlinks "$SOURCE" "$WORK/load-src"
  setsid bash -c 'cd "$1" && while true; do
      CARGO_TARGET_DIR="$2" cargo build --release --locked -q >/dev/null 2>&1
      CARGO_TARGET_DIR="$2" cargo clean --release -q -p cis-scan >/dev/null 2>&1
    done' load "$WORK/load-src" "$WORK/load-target" &
  LOAD_PID=$!
  echo "soak: release builds running beside the runs (process group $LOAD_PID)"
fi
cleanup() {
  if [ -n "$LOAD_PID" ]; then kill -- -"$LOAD_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT

passed=0
failed=0
for i in $(seq 1 "$runs"); do
  log="$WORK/run-$i.log"
  if $here; then
    dir="$SOURCE"
  else
    dir="$WORK/clone-$i"
    git clone -q --no-hardlinks "$SOURCE" "$dir" && git -C "$dir" checkout -q "$REV"
    export CARGO_TARGET_DIR="${SOAK_TARGET:-$WORK/target}" SCHEMATHESIS_VENV="${SOAK_VENV:-$WORK/venv}"
  fi
  started=$(date +%s)
  (cd "$dir" && "${command[@]}") >"$log" 2>&1
  status=$?
  took=$(( $(date +%s) - started ))
  # what the test binaries said, one line each
  results="$(grep -E '^test result:' "$log" | sed -E 's/; finished in .*//' | awk '{print "    " $0}')"
  if [ "$status" -eq 0 ]; then
    passed=$((passed + 1))
    echo "run $i: PASSED in ${took} s"
  else
    failed=$((failed + 1))
    echo "run $i: FAILED (exit $status) in ${took} s; failing tests:"
    grep -E '^(test .* FAILED|---- .* stdout ----|failures:$)' "$log" | grep -v '^failures:$' | sort -u | awk '{print "    " $0}'
    grep -E '^(thread .* panicked|error:)' "$log" | head -n 5 | awk '{print "    " $0}'
  fi
  [ -n "$results" ] && echo "$results"
  if ! $here; then rm -rf "$dir"; fi
done
echo "soak: ${runs} run(s): ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
