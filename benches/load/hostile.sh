#!/usr/bin/env bash
# Figures for issue 8 in docs/PERFORMANCE.md: how fast the 40-alias query is refused, and a
# small query's latency alone and while 8 clients (8 owner tokens) keep sending that query.
# Release build, SQLite, the demo cluster with 3 reports. Needs wrk. Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
source benches/load/common.sh
build_release
WORK=$(mktemp -d)
PORT=${PORT:-18182}
DURATION=${DURATION:-15s}
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
cat > "$WORK/config.toml" <<TOML
[server]
listen = "127.0.0.1:$PORT"
[database]
url = "sqlite://$WORK/load.db?mode=rwc"
[[clusters]]
id = "demo"
snapshot = "builtin:demo"
TOML
ADMIN=$($BIN token create --admin --config "$WORK/config.toml" 2>/dev/null)
TOKENS=$(for i in $(seq 8); do $BIN token create --owner demo --config "$WORK/config.toml" 2>/dev/null; done | paste -sd,)
RUST_LOG=warn $BIN serve --config "$WORK/config.toml" &
SERVER=$!
wait_ready "$PORT"
gql() { curl -sf "http://127.0.0.1:$PORT/graphql" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' -d "$1"; }
for _ in 1 2 3; do
  SCAN=$(gql '{"query":"mutation { runScan(clusterId: \"demo\") { id } }"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["data"]["runScan"]["id"])')
  until gql "{\"query\":\"{ scan(id: \\\"$SCAN\\\") { state } }\"}" | grep -q SUCCEEDED; do sleep 0.1; done
done
REPORT_ID=$(gql '{"query":"{ reports(first: 1) { edges { node { id } } } }"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["data"]["reports"]["edges"][0]["node"]["id"])')

echo "== one 40-alias query, each of 8 clients once (curl, time to the refusal)"
BODY=$(python3 -c 'import json; print(json.dumps({"query": "{ " + " ".join(f"a{i}: reports(first: 100) {{ edges {{ node {{ results {{ nodes {{ actual }} }} }} }} }}" for i in range(40)) + " }"}))')
for t in ${TOKENS//,/ }; do
  curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT/graphql" -H "Authorization: Bearer $t" -H 'Content-Type: application/json' -d "$BODY"
done | sort -n | awk '{ a[NR] = $1 * 1000 } END { printf "refused in min %.2f ms, median %.2f ms, max %.2f ms\n", a[1], a[int((NR + 1) / 2)], a[NR] }'
echo "== small query alone (wrk -t1 -c4 $DURATION, admin token: report { summary })"
TOKEN=$ADMIN REPORT_ID=$REPORT_ID wrk -t1 -c4 -d"$DURATION" -s benches/load/summary.lua "http://127.0.0.1:$PORT/graphql" | grep -E "requests|latency|Requests/sec"
echo "== 40-alias query alone (wrk -t1 -c8 $DURATION, 8 owner tokens)"
TOKENS=$TOKENS wrk -t1 -c8 -d"$DURATION" -s benches/load/heavy.lua "http://127.0.0.1:$PORT/graphql" | grep -E "heavy|Requests/sec"
echo "== small query while 8 clients send the 40-alias query (same run, side by side)"
TOKENS=$TOKENS wrk -t1 -c8 -d"$DURATION" -s benches/load/heavy.lua "http://127.0.0.1:$PORT/graphql" > "$WORK/heavy.txt" &
HEAVY=$!
TOKEN=$ADMIN REPORT_ID=$REPORT_ID wrk -t1 -c4 -d"$DURATION" -s benches/load/summary.lua "http://127.0.0.1:$PORT/graphql" | grep -E "requests|latency|Requests/sec"
wait $HEAVY
grep -E "heavy|Requests/sec" "$WORK/heavy.txt"
