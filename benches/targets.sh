#!/usr/bin/env bash
# Re-measures every performance target of the engine, items, server, cache and capacity
# issues at the current commit, one command at a time, and keeps each command's output in
# OUT_DIR. docs/benchmarks.md ("Targets at a glance") is filled from these logs.
#
#   benches/targets.sh OUT_DIR
#   DYNALITE=http://127.0.0.1:8124 benches/targets.sh OUT_DIR     # adds wrk against dynalite
#
# Needs: wrk (for the HTTP comparison), and for the RocksDB/fjall ratios Debian's
# librocksdb-dev and libclang-dev (the `compare` feature; skipped with a note when it does
# not build). Run it on an otherwise idle machine: every figure is a timing.
set -euo pipefail
out="${1:?usage: benches/targets.sh OUT_DIR}"
cd "$(dirname "$0")/.."
mkdir -p "$out"
export ROCKSDB_LIB_DIR="${ROCKSDB_LIB_DIR:-/usr/lib/x86_64-linux-gnu}"
step() { printf '\n=== %s\n' "$1" | tee -a "$out/summary.txt"; }

step "build"
cargo build --release -p tessera-server -p tessera-bench
compare=1
cargo build --release -p tessera-bench --features compare --bin engine-bench \
  > "$out/compare-build.log" 2>&1 || compare=0

step "engine: fillrandom, readrandom, readmissing, fillsync against RocksDB and fjall"
if [ "$compare" = 1 ]; then
  cargo run -q --release -p tessera-bench --features compare --bin engine-bench -- \
    --engines tessera,rocksdb,fjall --workloads fillrandom,readrandom,readmissing,fillsync \
    --num 1000000 --value-size 100 --threads 4 > "$out/engine-compare.log" 2>&1
  grep '^RESULT' "$out/engine-compare.log" | tee -a "$out/summary.txt"
  # engine-bench with --features compare rebuilt the binary: build the plain one again.
  cargo build --release -p tessera-bench
else
  echo "compare feature did not build (see compare-build.log); ratios not measured" | tee -a "$out/summary.txt"
fi

step "engine: point gets from a warm block cache"
target/release/engine-bench --engines tessera --workloads fillrandom,readrandom \
  --num 1000000 --value-size 100 --threads 4 --cache-mb 512 > "$out/engine-warm.log" 2>&1
grep '^RESULT' "$out/engine-warm.log" | tee -a "$out/summary.txt"

step "items: PutItem (Sync, 8 writers) against the raw engine, GetItem p99"
target/release/items-bench --num 100000 --threads 8 > "$out/items.log" 2>&1
tail -n 20 "$out/items.log" | tee -a "$out/summary.txt"

step "cache: in-process hot reads and YCSB-B"
target/release/cache-bench --items 100000 --cache-mib 32 > "$out/cache-bench.log" 2>&1
cat "$out/cache-bench.log" | tee -a "$out/summary.txt"

step "capacity: accounting and token-bucket overhead"
cargo bench -q -p tessera-bench --bench capacity -- --warm-up-time 1 --measurement-time 3 \
  > "$out/capacity.log" 2>&1
grep -E '^[a-z_/ ]+time:|^capacity' -A0 "$out/capacity.log" | tee -a "$out/summary.txt" || true

step "server: tessera-load matrix and the cache layer (server with --no-capacity-limits)"
data="$(mktemp -d)"
target/release/tessera serve --data-dir "$data" --http 127.0.0.1:8400 --binary 127.0.0.1:8401 \
  --no-capacity-limits > "$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do grep -q "tcp://" "$out/server.log" 2>/dev/null && break; sleep 0.1; done
load=(target/release/tessera-load --http 127.0.0.1:8400 --binary 127.0.0.1:8401)
"${load[@]}" --setup
"${load[@]}" --matrix --duration 10 | tee "$out/server-matrix.md" | tee -a "$out/summary.txt"
for layer in engine cache; do
  "${load[@]}" --protocol binary --op get --clients 16 --duration 10 --layer "$layer" \
    | tail -n 1 | sed "s/^/$layer layer: /" | tee -a "$out/summary.txt"
done
if command -v wrk >/dev/null 2>&1; then
  step "wrk GetItem, 2 threads, 8 connections: Tessera"
  wrk -t2 -c8 -d10s --latency -s benches/wrk/getitem.lua http://127.0.0.1:8400/ \
    > "$out/wrk-tessera.log" 2>&1
  grep -E 'Requests/sec|  99%' "$out/wrk-tessera.log" | tee -a "$out/summary.txt"
fi
kill $server; wait $server 2>/dev/null || true
if [ -n "${DYNALITE:-}" ] && command -v wrk >/dev/null 2>&1; then
  step "wrk GetItem, 2 threads, 8 connections: $DYNALITE"
  python="${PYTHON:-target/e2e-venv/bin/python}"
  "$python" benches/wrk/load_bench_table.py "$DYNALITE" > "$out/dynalite-load.log" 2>&1 || true
  wrk -t2 -c8 -d10s --latency -s benches/wrk/getitem.lua "$DYNALITE/" > "$out/wrk-dynalite.log" 2>&1
  grep -E 'Requests/sec|  99%' "$out/wrk-dynalite.log" | tee -a "$out/summary.txt"
fi
