#!/usr/bin/env bash
# Fuzz smoke for CI: builds every cargo-fuzz target and runs each for FUZZ_SECONDS (default
# 20) when cargo-fuzz is installed; prints a note and succeeds otherwise. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "fuzz: cargo-fuzz not installed (cargo install cargo-fuzz); skipping"
  exit 0
fi
seconds="${FUZZ_SECONDS:-20}"
# Stable rustc accepts cargo-fuzz's -Zsanitizer flags only with RUSTC_BOOTSTRAP set.
export RUSTC_BOOTSTRAP=1
cargo fuzz build
for target in $(cargo fuzz list); do
  log="$(mktemp)"
  if cargo fuzz run "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 >"$log" 2>&1; then
    echo "fuzz: $target: $(grep -E '^Done [0-9]+ runs' "$log" || echo done)"
    rm -f "$log"
  else
    echo "fuzz: $target FAILED; last lines of its log:"
    tail -n 60 "$log"
    exit 1
  fi
done
