#!/usr/bin/env bash
# Read-path figures for docs/PERFORMANCE.md (issue 9), all against ONE server in ONE run so
# they compare side by side: `{ __typename }` and `report { summary }` throughput (wrk), a whole
# 2-node report's latency, the FAIL results of a 1,000-node report with every node's evidence,
# and that report's CSV. Release build, SQLite. Needs wrk. Traffic stays on 127.0.0.1.
# The wrk runs use more connections per token than the default per-client share (4), so the
# server runs with CIS_SCAN_CLIENT_CONCURRENCY=64: the figures measure the read path, not the share.
set -euo pipefail
cd "$(dirname "$0")/../.."
source benches/load/common.sh
build_release
WORK=$(mktemp -d)
PORT=${PORT:-18183}
DURATION=${DURATION:-10s}
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT

big_snapshot "$WORK/big"
cat > "$WORK/config.toml" <<TOML
[server]
listen = "127.0.0.1:$PORT"
[database]
url = "sqlite://$WORK/load.db?mode=rwc"
[[clusters]]
id = "demo"
snapshot = "builtin:demo"
[[clusters]]
id = "big"
snapshot = "$WORK/big"
TOML

TOKEN=$($BIN token create --admin --config "$WORK/config.toml" 2>/dev/null)
CIS_SCAN_CLIENT_CONCURRENCY=64 RUST_LOG=warn $BIN serve --config "$WORK/config.toml" &
SERVER=$!
wait_ready "$PORT"
URL="http://127.0.0.1:$PORT/graphql"
gql() { curl -sf "$URL" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$1"; }
scan() {
  local id
  id=$(gql "{\"query\":\"mutation { runScan(clusterId: \\\"$1\\\") { id } }\"}" | python3 -c 'import sys,json; print(json.load(sys.stdin)["data"]["runScan"]["id"])')
  until gql "{\"query\":\"{ scan(id: \\\"$id\\\") { state } }\"}" | grep -q SUCCEEDED; do sleep 0.1; done
  gql "{\"query\":\"{ scan(id: \\\"$id\\\") { report { id } } }\"}" | python3 -c 'import sys,json; print(json.load(sys.stdin)["data"]["scan"]["report"]["id"])'
}
SMALL=$(scan demo)
BIG=$(scan big)
body() { python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$1"; }
# median of N sequential requests' total time, in ms (curl -w time_total)
timed() {
  local n=$1 b=$2 path=${3:-/graphql}
  for _ in $(seq "$n"); do
    if [ "$path" = /graphql ]; then
      curl -s -o /dev/null -w '%{time_total} %{size_download}\n' "$URL" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$b"
    else
      curl -s -o /dev/null -w '%{time_total} %{size_download}\n' "http://127.0.0.1:$PORT$path" -H "Authorization: Bearer $TOKEN"
    fi
  done | sort -n | awk '{ t[NR] = $1 * 1000; s = $2 } END { printf "min %.1f ms, median %.1f ms, max %.1f ms (%d runs, %d KiB each)\n", t[1], t[int((NR + 1) / 2)], t[NR], NR, s / 1024 }'
}

FAILS=$(body "{ report(id: \"$BIG\") { results(states: [FAIL]) { id description nodes { node state actual expected source reason } } } }")
echo "== 1,000-node report's CSV, first read (not cached: streamed from the database)"
timed 1 "" "/reports/$BIG/csv"
echo "== FAIL results of the 1,000-node report with every node's evidence, first read (parses and caches the report)"
timed 1 "$FAILS"
echo "== the same, cached"
timed 15 "$FAILS"
echo "== 1,000-node report's CSV, cached"
timed 5 "" "/reports/$BIG/csv"

echo "== { __typename } with a token (wrk -t2 -c32 $DURATION)"
TOKEN=$TOKEN BODY='{"query":"{ __typename }"}' wrk -t2 -c32 -d"$DURATION" -s benches/load/query.lua "$URL" | grep -E "requests|latency|Requests/sec"
echo "== report { summary } of the 2-node report (wrk -t2 -c32 $DURATION)"
TOKEN=$TOKEN REPORT_ID=$SMALL wrk -t2 -c32 -d"$DURATION" -s benches/load/summary.lua "$URL" | grep -E "requests|latency|Requests/sec"
WHOLE=$(body "{ report(id: \"$SMALL\") { id state benchmarkVersion kubernetesVersion provider mode nodes createdAt csvUrl summary { total pass fail warn skip notApplicable error } results { id description state scored automated section nodeType remediation reason nodes { node state actual expected source reason } } } }")
echo "== whole 2-node report (wrk -t2 -c8 $DURATION)"
TOKEN=$TOKEN BODY=$WHOLE wrk -t2 -c8 -d"$DURATION" -s benches/load/query.lua "$URL" | grep -E "requests|latency|Requests/sec"
