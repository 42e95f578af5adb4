#!/usr/bin/env bash
# Export figures for docs/PERFORMANCE.md (security finding 8): every download format of a
# 1,000-node report (3 control planes, 997 workers), one at a time and four at once, with
# the server's added peak memory and each download's time. Release build, SQLite. The
# report is read from the database (the server restarts after the scan, so nothing is
# cached). Peak memory: /proc/PID/clear_refs resets VmHWM to the current RSS before each
# round; the figure is VmHWM after the round minus VmRSS before it.
# BIN=path/to/cis-scan measures another binary (e.g. the main branch's) the same way;
# FORMATS="sarif oscal" measures only those formats.
set -euo pipefail
cd "$(dirname "$0")/../.."
source benches/load/common.sh
if [ -z "${BIN:-}" ]; then build_release; fi
WORK=$(mktemp -d)
PORT=${PORT:-18184}
SERVER=
trap 'if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT

big_snapshot "$WORK/big"
cat > "$WORK/config.toml" <<TOML
[server]
listen = "127.0.0.1:$PORT"
[database]
url = "sqlite://$WORK/load.db?mode=rwc"
[[clusters]]
id = "big"
snapshot = "$WORK/big"
TOML

TOKEN=$($BIN token create --admin --config "$WORK/config.toml" 2>/dev/null)
serve() {
  CIS_SCAN_CLIENT_CONCURRENCY=8 RUST_LOG=warn $BIN serve --config "$WORK/config.toml" &
  SERVER=$!
  wait_ready "$PORT"
}
serve
URL="http://127.0.0.1:$PORT/graphql"
gql() { curl -sf "$URL" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$1"; }
id=$(gql '{"query":"mutation { runScan(clusterId: \"big\") { id } }"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["data"]["runScan"]["id"])')
until gql "{\"query\":\"{ scan(id: \\\"$id\\\") { state } }\"}" | grep -q SUCCEEDED; do sleep 0.2; done
REPORT=$(gql "{\"query\":\"{ scan(id: \\\"$id\\\") { report { id } } }\"}" | python3 -c 'import sys,json; print(json.load(sys.stdin)["data"]["scan"]["report"]["id"])')
# a fresh server: nothing of the report in memory
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
serve

kib() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$SERVER/status"; }
# runs "$@" and prints the server's added peak memory in MiB
peak() {
  echo 5 > "/proc/$SERVER/clear_refs"
  local before; before=$(kib VmRSS)
  "$@"
  echo "added peak $(( ($(kib VmHWM) - before) / 1024 )) MiB (RSS before $(( before / 1024 )) MiB)"
}
fetch() {
  curl -sf -o /dev/null -w "$1: %{http_code}, %{size_download} bytes in %{time_total} s, first byte %{time_starttransfer} s\n" \
    "http://127.0.0.1:$PORT/reports/$REPORT/$1" -H "Authorization: Bearer $TOKEN"
}
four() {
  local pids=()
  for _ in 1 2 3 4; do fetch "$1" & pids+=($!); done
  wait "${pids[@]}"
}
FORMATS=${FORMATS:-csv json kube-bench junit xccdf oscal sarif}
echo "== one at a time"
for f in $FORMATS; do peak fetch "$f"; done
echo "== four at once"
for f in $FORMATS; do peak four "$f"; done
echo "== server RSS at the end: $(( $(kib VmRSS) / 1024 )) MiB"
