#!/usr/bin/env bash
# The energy gate of examples/ci: estimate the model's training job, check it against the budget,
# and compare it with the base branch's estimate. No hardware is needed.
#   JOULEGRAPH   the joulegraph binary (default: build/joulegraph)
#   OUT          where reports and summaries go (default: ci-energy)
#   BASE_REPORT  the base branch's report (JSON); no diff when unset (a warning when missing)
# Exit status: 0 within budget and no regression, 1 over budget or a regression, 2 bad input.
set -uo pipefail
JOULEGRAPH=${JOULEGRAPH:-build/joulegraph}
OUT=${OUT:-ci-energy}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"

# The job under the gate: the model file next to this script (the base branch's copy when the
# base branch's script runs), on a shipped platform, at the US average grid intensity.
"$JOULEGRAPH" estimate --hw dgx-a100 --workload "$HERE/model.toml" \
  --region USA --format json --out "$OUT/report.json" || exit 2

status=0
"$JOULEGRAPH" check-budget --budget "$HERE/budget.toml" "$OUT/report.json" \
  --junit "$OUT/budget-junit.xml" --markdown "$OUT/budget.md" || status=$?
if [ -n "${BASE_REPORT:-}" ] && [ ! -f "$BASE_REPORT" ]; then
  echo "energy-gate: no base report at $BASE_REPORT (did the base estimate fail?): no diff" >&2
  [ -n "${GITHUB_ACTIONS:-}" ] && echo "::warning title=energy gate::no base report, no diff against the base branch" >&2
elif [ -n "${BASE_REPORT:-}" ]; then
  "$JOULEGRAPH" diff "$BASE_REPORT" "$OUT/report.json" --tolerance 5% --markdown "$OUT/diff.md" || {
    rc=$?
    [ "$rc" -gt "$status" ] && status=$rc
  }
fi
exit "$status"
