#!/usr/bin/env bash
# `npm test`: the type check and lint, the mocha suite and the Python layer run side by side
# (they share nothing, and each is mostly one busy core; this machine has 2). Mocha's output
# streams; the others' is held back and printed after it, so nothing interleaves. The exit code
# fails if any part failed, and the last line is a plain "N passed, N failed" over both test
# runners, for CI.
set -uo pipefail
cd "$(dirname "$0")/.."

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# Pulumi's package metaschema for the component-package test: downloaded once, checked, cached.
bash scripts/fetch-metaschema.sh || exit 1
# The Cloud Monitoring API's discovery documents for the dashboard and alert tests: likewise.
bash scripts/fetch-monitoring-schemas.sh || exit 1

npm run -s pytest >"$logs/python" 2>&1 &
python_pid=$!
{ npm run -s typecheck && npm run -s lint; } >"$logs/static" 2>&1 &
static_pid=$!

npx mocha | tee "$logs/mocha"
mocha_status=${PIPESTATUS[0]}
wait "$static_pid"
static_status=$?
wait "$python_pid"
python_status=$?

echo
echo "Type check and lint (tsc --noEmit, eslint): $([ "$static_status" -eq 0 ] && echo clean || echo FAILED)"
cat "$logs/static"
echo
echo "Python layer (scripts/pytest.sh, scripts/pytest-airflow.sh):"
cat "$logs/python"

# Totals: mocha's closing line plus every pytest summary line ("N passed", "N failed", "N error").
read -r mocha_passed mocha_failed < <(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed.*/\1 \2/p' "$logs/mocha" | tail -n 1)
summaries=$(grep -E '^=* ?[0-9]+ (passed|failed|error)' "$logs/python" || true)
python_passed=$(grep -oE '[0-9]+ passed' <<<"$summaries" | awk '{s+=$1} END {print s+0}')
python_failed=$(grep -oE '[0-9]+ (failed|errors?)' <<<"$summaries" | awk '{s+=$1} END {print s+0}')
failed=$(( ${mocha_failed:-0} + python_failed ))
if [ "$mocha_status" -ne 0 ] || [ "$python_status" -ne 0 ] || [ "$static_status" -ne 0 ]; then
    [ "$failed" -gt 0 ] || failed=1
fi
echo
echo "$(( ${mocha_passed:-0} + python_passed )) passed, ${failed} failed"
[ "$mocha_status" -eq 0 ] && [ "$python_status" -eq 0 ] && [ "$static_status" -eq 0 ]
