#!/usr/bin/env bash
# Reproduce the benchmark tables (build/bench/bench.md, build/bench/bound.md):
#   bash scripts/bench.sh [--configs small,kwt1,paper] [--synth xilinx]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
npx tsx scripts/bench/bench.ts "$@"
# the cycle model (equal to the RTL's counters) against the paper's bound over every preset and the test matrix,
# one and two partial buffers side by side (build/bench/bound.md)
npx tsx scripts/bench/bound.ts
