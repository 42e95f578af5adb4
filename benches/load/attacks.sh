#!/usr/bin/env bash
# The hostile-input findings as a load run (figures in docs/PERFORMANCE.md and docs/SECURITY.md):
# a release build on SQLite with a 1,000-node cluster "big" (REPORTS reports, default 20) and the
# demo cluster; a victim (the demo's owner) sends a small query every 200 ms while each attack runs
# for SECONDS (default 10), and benches/load/attacks.py prints the victim's p50/p99, its errors,
# the server's memory and whether it survived. ONLY=text runs the attacks whose name holds text.
# Needs python3 only; traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
source benches/load/common.sh
build_release
WORK=$(mktemp -d)
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT

big_snapshot "$WORK/big"
cat > "$WORK/config.toml" <<TOML
[database]
url = "sqlite://$WORK/load.db?mode=rwc"
[schedules]
run = false
[[clusters]]
id = "demo"
snapshot = "builtin:demo"
[[clusters]]
id = "big"
snapshot = "$WORK/big"
TOML
ADMIN=$($BIN token create --admin --config "$WORK/config.toml" 2>/dev/null)
VICTIM=$($BIN token create --owner demo --config "$WORK/config.toml" 2>/dev/null)
ATTACKER=$($BIN token create --owner big --config "$WORK/config.toml" 2>/dev/null)
RUST_LOG=warn $BIN serve --config "$WORK/config.toml" --listen 127.0.0.1:0 --ready-file "$WORK/address" &
SERVER=$!
for _ in $(seq 600); do [ -s "$WORK/address" ] && break; sleep 0.1; done
PORT=$(sed 's/.*://' "$WORK/address")
wait_ready "$PORT"

gql() { curl -sf "http://127.0.0.1:$PORT/graphql" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' -d "$1"; }
REPORTS_WANTED=${REPORTS:-20}
started=$(date +%s)
for _ in $(seq "$REPORTS_WANTED"); do
  SCAN=$(gql '{"query":"mutation { runScan(clusterId: \"big\") { id } }"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["data"]["runScan"]["id"])')
  until gql "{\"query\":\"{ scan(id: \\\"$SCAN\\\") { state } }\"}" | grep -q -E 'SUCCEEDED|FAILED|INTERRUPTED'; do sleep 0.2; done
done
gql '{"query":"mutation { runScan(clusterId: \"demo\") { id } }"}' >/dev/null
IDS=$(gql '{"query":"{ reports(clusterId: \"big\", first: 100) { edges { node { id } } } }"}' \
  | python3 -c 'import sys,json; print(" ".join(e["node"]["id"] for e in json.load(sys.stdin)["data"]["reports"]["edges"]))')
echo "$REPORTS_WANTED reports of the 1,000-node cluster in $(( $(date +%s) - started )) s; server pid $SERVER on port $PORT"
# shellcheck disable=SC2086
python3 benches/load/attacks.py --port "$PORT" --pid "$SERVER" --victim "$VICTIM" --attacker "$ATTACKER" \
  --seconds "${SECONDS_EACH:-10}" --reports $IDS
