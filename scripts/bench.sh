#!/usr/bin/env bash
# Reproduce the benchmark table (build/bench/bench.md):
#   bash scripts/bench.sh [--configs small,kwt1,paper] [--synth xilinx]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
npx tsx scripts/bench/bench.ts "$@"
