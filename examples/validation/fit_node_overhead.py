#!/usr/bin/env python3
"""Fits the node overhead of composed accelerator nodes on MLPerf Inference v1.0 wall power.

A composed node (`8xa100-sxm4-80gb+2xepyc-7742`, or a suite's inline node) adds to its devices
fixed parts (fans, NIC, baseboard: assumptions) and one fitted part (hwmodels/platform/
library.cpp, compose_node_text): `support` watts per accelerator while the node works (half of
it idle) for what each accelerator adds besides itself: PCIe switches and retimers, its NIC, its
share of NVSwitches and fans, the host threads that feed it. (A second candidate part, fans
drawing a share of the devices' summed TDP, fitted to 0.6 % of TDP with the same error: dropped.)

This finds the value that minimizes the squared log error of `power_w` over the calibration
cases: every MLPerf Inference v1.0 result on a composed node in mlperf_inference.toml
(`calibration = true`; the v1.1, v2.0 and v2.1 rounds are held out). It runs the built
`joulegraph validate-suite` on a temporary suite whose inline nodes carry the candidate part
in `set`, over a grid refined around its best point, and prints the value and the held-out
error with it; library.cpp records it (kSupportPerAcceleratorW). Run from the
repository root after building:

    python3 examples/validation/fit_node_overhead.py
"""
import json
import math
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "build" / "joulegraph"
SUITE = ROOT / "examples/validation/mlperf_inference.toml"


def node_of(case):
    m = re.search(r'^platform = \{ accelerator = "([^"]+)", accelerators_per_node = (\d+), host_cpu = "([^"]+)", '
                  r'host_cpus_per_node = (\d+) \}', case, re.M)
    return (m.group(1), int(m.group(2)), m.group(3), int(m.group(4))) if m else None


def with_parts(case, support):
    case = re.sub(r"^calibration = true\n", "", case, flags=re.M)
    if not node_of(case):
        return case
    parts = (f'"node.parts.accelerator_support.static_power" = "{support:.6g} W", '
             f'"node.parts.accelerator_support.idle_power" = "{support / 2:.6g} W"')
    m = re.search(r"^set = \{ (.*) \}\n", case, re.M)
    if m:
        return case.replace(m.group(0), f"set = {{ {m.group(1)}, {parts} }}\n")
    return case.replace("\nkind = ", f"\nset = {{ {parts} }}\nkind = ", 1)


def predict(head, cases, support):
    body = head + "".join("[[case]]" + with_parts(c, support) for c in cases)
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
        f.write(body)
    try:
        r = subprocess.run([str(BIN), "validate-suite", f.name, "--format", "json"], capture_output=True, text=True,
                           check=True)
    finally:
        Path(f.name).unlink()
    return json.loads(r.stdout)["cases"]


def loss(rows):
    return sum(math.log(r["predicted"] / r["published"]) ** 2 for r in rows if r["metric"] == "power_w")


def case_id(c):
    return re.search(r'^id = "([^"]+)"', c, re.M).group(1)


def main():
    head, *cases = SUITE.read_text().split("[[case]]")
    nodes = [c for c in cases if node_of(c)]
    cal = [c for c in nodes if "calibration = true" in c]
    if not cal:
        print(f"no calibration cases on composed nodes in {SUITE}")
        return 1
    cal_ids = {case_id(c) for c in cal}
    best = None
    for support in range(0, 301, 25):
        val = loss(predict(head, cal, support))
        if best is None or val < best[0]:
            best = (val, support)
    for step in (10, 5, 2, 1):
        for s in (best[1] - step, best[1] + step):
            if s >= 0:
                val = loss(predict(head, cal, s))
                if val < best[0]:
                    best = (val, s)
    support = best[1]
    rows = predict(head, nodes, support)
    print(f"support per accelerator = {support:.4g} W "
          f"({len(cal)} calibration cases, rms log error of power {math.sqrt(best[0] / len(cal)):.3f})")
    for metric in sorted({r["metric"] for r in rows}):
        for name, pick in (("calibration", True), ("held-out", False)):
            err = [r["error_pct"] for r in rows if r["metric"] == metric and (r["id"] in cal_ids) == pick]
            if err:
                print(f"  {metric:22s} {name:11s} n={len(err):3d} median {statistics.median(err):+6.1f} %, "
                      f"median |e| {statistics.median(abs(e) for e in err):5.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
