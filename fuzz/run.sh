#!/usr/bin/env bash
# Runs every cargo-fuzz target (or the ones named) for a bounded time each.
#
#   fuzz/run.sh                  # every target, 60 s each
#   fuzz/run.sh 20               # every target, 20 s each (the CI smoke)
#   fuzz/run.sh 600 wal_replay   # one target, 10 min
#
# Each target starts from the committed seeds (fuzz/seeds/<target>, read only) plus the
# working corpus (fuzz/corpus/<target>, ignored by git), where new inputs are kept. A crash
# stops the script with the target's log tail and the command that replays the input.
# Works on the stable toolchain: RUSTC_BOOTSTRAP=1 lets stable rustc take cargo-fuzz's
# nightly flags. Needs cargo-fuzz (`cargo install cargo-fuzz`).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-${FUZZ_SECONDS:-60}}"
shift || true
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "fuzz: cargo-fuzz is not installed; install it with: cargo install cargo-fuzz" >&2
  exit 1
fi
export RUSTC_BOOTSTRAP=1
cargo fuzz build
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target" "seeds/$target"
  log="$(mktemp)"
  started=$SECONDS
  if cargo fuzz run "$target" "corpus/$target" "seeds/$target" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 >"$log" 2>&1; then
    runs="$(grep -oE '^Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' || echo '?')"
    echo "fuzz: $target: $runs runs in $((SECONDS - started)) s, no failure"
    rm -f "$log"
  else
    echo "fuzz: $target FAILED; last lines of its log:"
    tail -n 60 "$log"
    crash="$(grep -oE 'artifacts/[^ ]+' "$log" | tail -n 1 || true)"
    if [ -n "$crash" ]; then
      echo "fuzz: replay with: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run $target $crash"
    fi
    exit 1
  fi
done
