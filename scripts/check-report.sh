#!/usr/bin/env bash
# Render the HTML reports in headless Chromium (Debian package) and save a PNG screenshot of each,
# checking the page rendered (non-empty PNG, hardware hash present in the DOM).
# Usage: bash scripts/check-report.sh [configs...]        (default: small kwt1 paper)
#        bash scripts/check-report.sh --pareto <pareto.html> (a sweep's Pareto page: its chart must render)
set -euo pipefail
cd "$(dirname "$0")/.."
# Chromium is not installed for you (about 300 MB): say how, and stop.
command -v chromium >/dev/null || {
  echo "check-report: chromium is not installed; install it with: apt-get install chromium" >&2
  exit 2
}
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
  --disable-component-update --disable-sync)
if [ "${1:-}" = "--pareto" ]; then
  html=$(realpath "${2:?usage: check-report.sh --pareto <pareto.html>}"); png="${html%.html}.png"; prof=$(mktemp -d)
  chromium "${flags[@]}" --user-data-dir="$prof" --window-size=1200,1600 --screenshot="$png" \
    "file://$html" >/dev/null 2>&1 || true
  dom=$(chromium "${flags[@]}" --user-data-dir="$prof" --dump-dom "file://$html" 2>/dev/null || true)
  rm -rf "$prof"
  if [ -s "$png" ] && echo "$dom" | grep -q '<svg' && echo "$dom" | grep -q 'Pareto front'; then
    echo "ok   $html: rendered ($(stat -c %s "$png") byte screenshot $png)"; exit 0
  fi
  echo "FAIL $html: Chromium did not render the Pareto page"; exit 1
fi
cfgs=("$@"); [ ${#cfgs[@]} -gt 0 ] || cfgs=(small kwt1 paper)
./bin/elsa-gen.js report "${cfgs[@]}" -o build/report
fail=0
for c in "${cfgs[@]}"; do
  name=$(./bin/elsa-gen.js validate "$c" | head -1 | cut -d: -f1)
  html="$PWD/build/report/$name.html"; png="$PWD/build/report/$name.png"
  prof=$(mktemp -d)
  chromium "${flags[@]}" --user-data-dir="$prof" --window-size=1200,2400 --screenshot="$png" \
    "file://$html" >/dev/null 2>&1 || true
  dom=$(chromium "${flags[@]}" --user-data-dir="$prof" --dump-dom "file://$html" 2>/dev/null || true)
  rm -rf "$prof"
  hash=$(grep -o 'id="hwhash">[0-9a-f]*' "$html" | cut -d'>' -f2)
  if [ -s "$png" ] && echo "$dom" | grep -q "$hash" && [ "$(echo "$dom" | grep -c '<svg')" -ge 3 ]; then
    echo "ok   $name: rendered ($(stat -c %s "$png") byte screenshot $png)"
  else
    echo "FAIL $name: Chromium did not render the report"; fail=1
  fi
done
exit $fail
