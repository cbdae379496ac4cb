#!/usr/bin/env bash
# Generate deterministic keyword clips (espeak-ng voices x variant/speed/pitch, 16 kHz mono PCM16)
# plus manifest.json into the folder given as $1 (default build/clips).
# Needs Debian packages: espeak-ng, sox (and alsa-utils for the two extra real recordings).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || {
    echo "make-clips: $tool not found (apt-get install -y espeak-ng sox alsa-utils)" >&2
    exit 1
  }
done
exec npx tsx scripts/make-clips.ts "${1:-build/clips}"
