#!/usr/bin/env bash
# The energy gate of examples/ci: estimate the model's training job, check it against the budget,
# and compare it with the base branch's estimate. No hardware is needed.
#   JOULEGRAPH   the joulegraph binary (default: build/joulegraph)
#   OUT          where reports and summaries go (default: ci-energy)
#   BASE_REPORT  the base branch's report (JSON); no diff when unset or missing
# Exit status: 0 within budget and no regression, 1 over budget or a regression, 2 bad input.
set -uo pipefail
JOULEGRAPH=${JOULEGRAPH:-build/joulegraph}
OUT=${OUT:-ci-energy}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"

# The job under the gate: keep this line the same on both branches.
"$JOULEGRAPH" estimate --hw dgx-a100 --workload resnet50 \
  --set mode=train --set batch=256 --set steps=200200 --set data_parallel=8 \
  --region USA --format json --out "$OUT/report.json" || exit 2

status=0
"$JOULEGRAPH" check-budget --budget "$HERE/budget.toml" "$OUT/report.json" \
  --junit "$OUT/budget-junit.xml" --markdown "$OUT/budget.md" || status=$?
if [ -n "${BASE_REPORT:-}" ] && [ -f "$BASE_REPORT" ]; then
  "$JOULEGRAPH" diff "$BASE_REPORT" "$OUT/report.json" --tolerance 5% --markdown "$OUT/diff.md" || {
    rc=$?
    [ "$rc" -gt "$status" ] && status=$rc
  }
fi
exit "$status"
