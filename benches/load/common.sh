# Shared by the load scripts (sourced): the release binary, a 1,000-node snapshot,
# and waiting for the server. Run from the repository root.

# Builds the release binary and sets BIN to it; with BENCH_BIN set, uses that
# binary instead (to measure another build, e.g. the one before a change, side by side).
build_release() {
  if [ -n "${BENCH_BIN:-}" ]; then
    BIN=$BENCH_BIN
    return
  fi
  cargo build --release --bin cis-scan >/dev/null
  BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/cis-scan
}

# A 1,000-node snapshot in directory $1: 3 control planes and 997 workers (copies of the demo nodes).
big_snapshot() {
  local dir=$1
  mkdir -p "$dir"
  cp config/demo/cp-1.json config/demo/worker-1.json "$dir/"
  {
    echo 'kubernetesVersion: "1.30.4"'
    echo 'nodes:'
    for i in $(seq 0 999); do
      if [ "$i" -lt 3 ]; then f=cp-1.json; else f=worker-1.json; fi
      echo "  - {name: node-$i, facts: $f}"
    done
  } > "$dir/cluster.yaml"
}

# Waits (up to 10 s) until the server on port $1 is ready.
wait_ready() {
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && return; sleep 0.2; done
}
