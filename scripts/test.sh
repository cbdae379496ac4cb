#!/usr/bin/env bash
# The test command: vitest, then one plain "N passed, N failed" line (CI does not read vitest's summary).
set -uo pipefail
cd "$(dirname "$0")/.."
rm -f build/vt.json; mkdir -p build
NO_COLOR=1 npx vitest run --reporter=default --reporter=json --outputFile.json=build/vt.json "$@"
rc=$?
if [ -f build/vt.json ]; then
  # a test file that fails before its tests run (import or set-up error) counts as one failure
  node -e 'const r = JSON.parse(require("fs").readFileSync("build/vt.json", "utf8"));
    const broken = r.testResults.filter((f) => f.status === "failed" &&
      !f.assertionResults.some((a) => a.status === "failed")).length;
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests + broken} failed`)'
else
  echo "0 passed, 1 failed"; [ $rc -eq 0 ] && rc=1
fi
exit $rc
