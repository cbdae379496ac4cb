#!/usr/bin/env bash
# Idempotent setup: Debian simulators/synthesis and redis-server (when missing), the npm packages, and
# the compiled CLI in dist/ (npm ci builds it; rebuilt here too, under a second, in case sources changed).
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for t in iverilog verilator yosys g++ make espeak-ng sox redis-server; do
  command -v "$t" >/dev/null 2>&1 || need+=("$t")
done
[ -f /usr/share/sounds/alsa/Front_Left.wav ] || need+=(alsa-utils)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages (missing: ${need[*]})"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    iverilog verilator yosys g++ make alsa-utils espeak-ng sox redis-server >/dev/null
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
# echo joins its arguments with one space each: the same line as one long string
echo "setup: iverilog $(iverilog -V 2>&1 | head -1 | awk '{print $4}')," \
  "$(verilator --version | awk '{print $1" "$2}')," \
  "$(yosys -V | awk '{print $1" "$2}')," \
  "$(redis-server --version | awk '{print $1" "$2" "$3}')"
