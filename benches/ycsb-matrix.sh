#!/usr/bin/env bash
# YCSB A, B and C on every way to reach Tessera, and on any other DynamoDB endpoint, one run
# each, then a side-by-side comparison and an HTML report. The table in docs/benchmarks.md
# ("YCSB") comes from this script.
#
#   benches/ycsb-matrix.sh OUT_DIR                     # Tessera only
#   DYNALITE=http://127.0.0.1:8124 benches/ycsb-matrix.sh OUT_DIR
#
# It builds the release binaries, starts `tessera serve --no-capacity-limits` (a benchmark
# must not be throttled by the tables' capacity) on ports 8300/8301 with a temporary data
# directory, and stops it at the end. Settings can be changed through the environment:
# RECORDS, OPERATIONS, THREADS, WARMUP, MAX_DURATION. An endpoint in DYNALITE gets the same
# HTTP runs as Tessera's HTTP API.
set -euo pipefail
out="${1:?usage: benches/ycsb-matrix.sh OUT_DIR}"
cd "$(dirname "$0")/.."
mkdir -p "$out"
records="${RECORDS:-100000}"
operations="${OPERATIONS:-200000}"
threads="${THREADS:-16}"
warmup="${WARMUP:-5}"
max_duration="${MAX_DURATION:-30}"
cargo build --release -p tessera-server -p tessera-bench
bench=target/release/tessera-bench
data="$(mktemp -d)"
target/release/tessera serve --data-dir "$data" --http 127.0.0.1:8300 --binary 127.0.0.1:8301 \
  --no-capacity-limits > "$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do
  grep -q "tcp://" "$out/server.log" 2>/dev/null && break
  sleep 0.1
done

common=(--records "$records" --operations "$operations" --threads "$threads"
        --warmup "$warmup" --max-duration "$max_duration" --no-progress)
# run LABEL WORKLOAD ARGS...: one run, its result in OUT_DIR/LABEL.json.
run() {
  local label="$1" workload="$2"
  shift 2
  echo "== $label"
  "$bench" run --workload "$workload" --label "$label" --out "$out/$label.json" "${common[@]}" "$@" \
    | tail -n +2
}
for w in a b c; do
  run "$w-embedded" "$w" --against embedded
done
# The server's runs share one table: the first loads it, the others reuse it.
load=()
for w in a b c; do
  run "$w-binary-engine" "$w" --against binary --endpoint 127.0.0.1:8301 --layer engine "${load[@]}"
  load=(--skip-load)
  run "$w-binary-cache" "$w" --against binary --endpoint 127.0.0.1:8301 --layer cache --skip-load
  run "$w-http" "$w" --against http --endpoint http://127.0.0.1:8300 --skip-load
done
if [ -n "${DYNALITE:-}" ]; then
  load=()
  for w in a b c; do
    run "$w-dynalite" "$w" --against http --endpoint "$DYNALITE" "${load[@]}"
    load=(--skip-load)
  done
fi
for w in a b c; do
  files=("$out/$w-embedded.json" "$out/$w-binary-engine.json" "$out/$w-binary-cache.json" "$out/$w-http.json")
  [ -n "${DYNALITE:-}" ] && files+=("$out/$w-dynalite.json")
  "$bench" compare "${files[@]}" --html "$out/$w.html" > "$out/$w.md"
  cat "$out/$w.md"
done
