"""Shared helpers of the fit_*.py scripts: run the built joulegraph on a temporary suite, score it."""
import json
import math
import re
import statistics
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "build" / "joulegraph"


def case_id(case):
    """The id of a case's text (what follows a `[[case]]` header)."""
    return re.search(r'^id = "([^"]+)"', case, re.M).group(1)


def run_suite(head, cases):
    """validate-suite's JSON `cases` rows for the suite `head` + `cases` (case texts)."""
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
        f.write(head + "".join("[[case]]" + c for c in cases))
    try:
        r = subprocess.run([str(BIN), "validate-suite", f.name, "--format", "json"], capture_output=True, text=True,
                           check=True)
    finally:
        Path(f.name).unlink()
    return json.loads(r.stdout)["cases"]


def log_loss(rows, metric):
    """Sum of squared log errors of one metric."""
    return sum(math.log(r["predicted"] / r["published"]) ** 2 for r in rows if r["metric"] == metric)


def print_errors(rows, cal_ids):
    """Median signed and absolute error per metric, calibration and held-out cases apart."""
    for metric in sorted({r["metric"] for r in rows}):
        for name, pick in (("calibration", True), ("held-out", False)):
            err = [r["error_pct"] for r in rows if r["metric"] == metric and (r["id"] in cal_ids) == pick]
            if err:
                print(f"  {metric:22s} {name:11s} n={len(err):3d} median {statistics.median(err):+6.1f} %, "
                      f"median |e| {statistics.median(abs(e) for e in err):5.1f} %")
