#!/usr/bin/env bash
# Load figures for docs/PERFORMANCE.md: a 1,000-node scan end to end, report
# { summary } latency under load (wrk), and server memory while a 1,000-node
# report streams as CSV. Needs wrk (apt-get install wrk). Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
source benches/load/common.sh
build_release
WORK=$(mktemp -d)
PORT=${PORT:-18181}
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT

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
RUST_LOG=warn $BIN serve --config "$WORK/config.toml" &
SERVER=$!
wait_ready "$PORT"

gql() { curl -sf "http://127.0.0.1:$PORT/graphql" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$1"; }
start=$(date +%s.%N)
SCAN=$(gql '{"query":"mutation { runScan(clusterId: \"big\") { id } }"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["data"]["runScan"]["id"])')
while :; do
  OUT=$(gql "{\"query\":\"{ scan(id: \\\"$SCAN\\\") { state report { id } } }\"}")
  STATE=$(echo "$OUT" | python3 -c 'import sys,json; print(json.load(sys.stdin)["data"]["scan"]["state"])')
  [ "$STATE" = QUEUED ] || [ "$STATE" = RUNNING ] || break
  sleep 0.1
done
end=$(date +%s.%N)
REPORT_ID=$(echo "$OUT" | python3 -c 'import sys,json; print(json.load(sys.stdin)["data"]["scan"]["report"]["id"])')
echo "1000-node scan ($STATE): $(python3 -c "print(round($end-$start,2))") s from runScan to SUCCEEDED (polled every 100 ms)"

echo "report { summary } under load (wrk, 2 threads, 16 connections, 20 s):"
TOKEN=$TOKEN REPORT_ID=$REPORT_ID wrk -t2 -c16 -d20s -s benches/load/summary.lua "http://127.0.0.1:$PORT/graphql" | grep -E "requests|latency|Requests/sec"

rss() { grep -E "^$1:" /proc/$SERVER/status | awk '{print $2}'; }
before=$(rss VmRSS)
SIZE=$(curl -sf "http://127.0.0.1:$PORT/reports/$REPORT_ID/csv" -H "Authorization: Bearer $TOKEN" | wc -c)
after=$(rss VmRSS)
STORED=$(python3 -c "import sqlite3; c=sqlite3.connect('$WORK/load.db'); print(c.execute(\"select sum(length(nodes)) from check_results where report_id in (select id from reports)\").fetchone()[0] // 1024)")
echo "per-node results stored for the report: $STORED KiB of JSON"
echo "CSV of the 1000-node report: $((SIZE / 1024)) KiB streamed; server RSS ${before} KiB before, ${after} KiB after, peak $(rss VmHWM) KiB"
