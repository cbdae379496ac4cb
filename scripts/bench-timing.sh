#!/usr/bin/env bash
# Timing bench: pipeline depths 0 against the defaults, side by side (build/bench-timing/timing.md):
#   bash scripts/bench-timing.sh [--configs small,ice40] [--targets xilinx,ice40] [--steps]
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsx scripts/bench-timing.ts "$@"
