#!/usr/bin/env bash
# Instructions per answer of the whole 2-node report (docs/PERFORMANCE.md, issue 19), counted by
# callgrind so the figure does not depend on the machine's load: the server runs under
# `valgrind --tool=callgrind`, the demo is scanned, three requests warm the caches, the counters
# are zeroed (`callgrind_control -z`), 200 sequential keep-alive requests are sent and the counters
# dumped (`callgrind_control -d`). Prints the dump's total and the total per request.
# BENCH_BIN=path/to/cis-scan measures another build (e.g. the one before a change).
# Needs valgrind. Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
source benches/load/common.sh
build_release
WORK=$(mktemp -d)
PORT=${PORT:-18186}
N=${N:-200}
VG=
trap 'if [ -n "$VG" ]; then kill "$VG" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT
cat > "$WORK/config.toml" <<TOML
[server]
listen = "127.0.0.1:$PORT"
[database]
url = "sqlite://$WORK/load.db?mode=rwc"
[[clusters]]
id = "demo"
snapshot = "builtin:demo"
TOML
TOKEN=$($BIN token create --admin --config "$WORK/config.toml" 2>/dev/null)
CIS_SCAN_CLIENT_CONCURRENCY=64 RUST_LOG=warn valgrind --tool=callgrind \
  --callgrind-out-file="$WORK/cg.out" "$BIN" serve --config "$WORK/config.toml" 2>"$WORK/valgrind.log" &
VG=$!
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
URL="http://127.0.0.1:$PORT/graphql"
gql() { curl -sf "$URL" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$1"; }
id=$(gql '{"query":"mutation { runScan(clusterId: \"demo\") { id } }"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["data"]["runScan"]["id"])')
until gql "{\"query\":\"{ scan(id: \\\"$id\\\") { state } }\"}" | grep -q SUCCEEDED; do sleep 0.5; done
REPORT=$(gql "{\"query\":\"{ scan(id: \\\"$id\\\") { report { id } } }\"}" | python3 -c 'import sys,json; print(json.load(sys.stdin)["data"]["scan"]["report"]["id"])')
python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "{ report(id: \"$REPORT\") { id state benchmarkVersion kubernetesVersion provider mode nodes createdAt csvUrl summary { total pass fail warn skip notApplicable error } results { id description state scored automated section nodeType remediation reason nodes { node state actual expected source reason } } } }" > "$WORK/body.json"
# one curl, keep-alive: a block per request, `next` between them
for _ in $(seq "$N"); do
  printf 'url = "%s"\nheader = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\ndata = "@%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code} %%{size_download}\\n"\nnext\n' \
    "$URL" "$TOKEN" "$WORK/body.json"
done > "$WORK/requests.cfg"
for _ in 1 2 3; do curl -s -o /dev/null "$URL" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d @"$WORK/body.json"; done
callgrind_control -z "$VG" >/dev/null
echo "== $N requests (status, bytes):"
(curl -s -K "$WORK/requests.cfg" 2>/dev/null || true) | sort | uniq -c
callgrind_control -d "$VG" >/dev/null
total=$(grep -h '^summary:' "$WORK"/cg.out.1 | awk '{ print $2 }')
echo "== instructions: $total in all, $(( total / N )) per request"
