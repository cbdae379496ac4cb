#!/usr/bin/env bash
# Idempotent setup: Debian simulators/synthesis (when missing), then the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for t in iverilog verilator yosys g++ make espeak-ng sox; do command -v "$t" >/dev/null 2>&1 || need+=("$t"); done
[ -f /usr/share/sounds/alsa/Front_Left.wav ] || need+=(alsa-utils)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages (missing: ${need[*]})"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq iverilog verilator yosys g++ make alsa-utils espeak-ng sox >/dev/null
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "setup: iverilog $(iverilog -V 2>&1 | head -1 | awk '{print $4}'), $(verilator --version | awk '{print $1" "$2}'), $(yosys -V | awk '{print $1" "$2}')"
