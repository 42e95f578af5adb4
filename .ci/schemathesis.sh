#!/usr/bin/env bash
# Schemathesis against the running service's GraphQL schema with an owner token.
# Fails on any 5xx, any error with extensions.code INTERNAL (or none), or a panic in the log.
#
#   bash .ci/schemathesis.sh                 # debug build, 25 examples per operation, 300 s at most
#   EXAMPLES=100 MAX_TIME=900 CIS_SCAN_BIN=target/release/cis-scan bash .ci/schemathesis.sh
#   SCHEMATHESIS_PG_URL=postgres://postgres@127.0.0.1:5432/test bash .ci/schemathesis.sh
# With SCHEMATHESIS_PG_URL the service runs on a fresh PostgreSQL database made on that
# server (dropped at the end) instead of a temp SQLite file: PostgreSQL refuses input
# SQLite stores (U+0000), so the two databases are fuzzed apart.
# Fuzzing repeats until MAX_TIME is spent; EXAMPLES bounds each operation's examples per round.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${SCHEMATHESIS_VENV:-.ci/venv}"
EXAMPLES="${EXAMPLES:-25}"
MAX_TIME="${MAX_TIME:-300}"
if [ ! -x "$VENV/bin/schemathesis" ]; then
  echo "schemathesis is not installed in $VENV: run .ci/setup" >&2
  exit 2
fi
if [ -z "${CIS_SCAN_BIN:-}" ]; then
  cargo build --locked -q --bin cis-scan
  CIS_SCAN_BIN="${CARGO_TARGET_DIR:-target}/debug/cis-scan"
fi

WORK="$(mktemp -d)"
PID=""
PG_DB=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  if [ -n "$PG_DB" ]; then
    psql "$SCHEMATHESIS_PG_URL" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

DB_URL="sqlite://$WORK/cis-scan.db?mode=rwc"
if [ -n "${SCHEMATHESIS_PG_URL:-}" ]; then
  PG_DB="cis_schemathesis_$$"
  psql "$SCHEMATHESIS_PG_URL" -qc "CREATE DATABASE $PG_DB" >/dev/null
  DB_URL="${SCHEMATHESIS_PG_URL%/*}/$PG_DB"
fi
echo "schemathesis: the service runs on ${DB_URL%%:*}" >&2

cat > "$WORK/serve.toml" <<TOML
[database]
url = "$DB_URL"
[encryption]
key = "$(head -c 32 /dev/urandom | base64)"
[schedules]
run = false
TOML
# Only this script's settings count: nothing from the caller's environment.
for v in $(env | grep -o '^CIS_SCAN_[A-Z0-9_]*' || true); do unset "$v"; done

# ROLE=admin runs the same with an administrator token (cluster registration and all clusters).
if [ "${ROLE:-owner}" = admin ]; then
  TOKEN="$("$CIS_SCAN_BIN" token create --admin --config "$WORK/serve.toml" 2>/dev/null)"
else
  TOKEN="$("$CIS_SCAN_BIN" token create --owner demo --config "$WORK/serve.toml" 2>/dev/null)"
fi
# The service runs with its default limits: the depth limit leaves introspection out.
# Port 0: the service takes a free port itself and writes the address it bound to the
# ready file, so no other process can take the port between choosing and binding it.
RUST_LOG=warn "$CIS_SCAN_BIN" serve --config "$WORK/serve.toml" \
  --listen 127.0.0.1:0 --ready-file "$WORK/address" >"$WORK/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 600); do
  [ -s "$WORK/address" ] && break
  kill -0 "$PID" 2>/dev/null || { echo "cis-scan serve exited at start-up:" >&2; cat "$WORK/serve.log" >&2; exit 1; }
  sleep 0.1
done
if [ ! -s "$WORK/address" ]; then
  echo "cis-scan serve wrote no address within 60 s:" >&2; cat "$WORK/serve.log" >&2; exit 1
fi
ADDRESS="$(cat "$WORK/address")"
PORT="${ADDRESS##*:}"
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null

# The token must work, or every case would pass as UNAUTHENTICATED and prove nothing.
seen="$(curl -fsS "http://127.0.0.1:$PORT/graphql" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d '{"query":"{ clusters { id } }"}')"
case "$seen" in
  *'"id":"demo"'*) ;;
  *) echo "the owner token does not see cluster demo: $seen" >&2; exit 1 ;;
esac

started=$(date +%s)
status=0
SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONPATH=.ci "$VENV/bin/schemathesis" run \
  "http://127.0.0.1:$PORT/graphql" \
  --header "Authorization: Bearer $TOKEN" \
  --checks no_5xx,no_internal_error \
  --max-examples "$EXAMPLES" \
  --max-time "$MAX_TIME" \
  --request-timeout 30 \
  --seed "${SEED:-8}" \
  --workers 2 \
  --no-color \
  --warnings off \
  || status=$?
echo "schemathesis: $(( $(date +%s) - started )) s, exit $status" >&2

if ! kill -0 "$PID" 2>/dev/null; then
  echo "cis-scan serve died during the run:" >&2; tail -n 50 "$WORK/serve.log" >&2; exit 1
fi
if grep -q "panicked" "$WORK/serve.log"; then
  echo "cis-scan serve panicked:" >&2; grep -A5 "panicked" "$WORK/serve.log" >&2; exit 1
fi
exit "$status"
