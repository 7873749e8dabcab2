#!/usr/bin/env python3
"""Fits what MLPerf systems draw at the wall besides their modelled devices, on the v1.0 round.

Two parts, each one number fitted on the calibration cases of mlperf_inference.toml (every MLPerf
Inference v1.0 result, `calibration = true`; the v1.1, v2.0 and v2.1 rounds are held out):

- Composed accelerator nodes (`8xa100-sxm4-80gb+2xepyc-7742`, or a suite's inline node) add to
  their devices fixed parts (fans, NIC, baseboard: assumptions) and `support` watts per
  accelerator while the node works (half of it idle) for what each accelerator adds besides
  itself: PCIe switches and retimers, its NIC, its share of NVSwitches and fans, the host
  threads that feed it. hwmodels/platform/library.cpp records it (kSupportPerAcceleratorW). (A
  second candidate part, fans drawing a share of the devices' summed TDP, fitted to 0.6 % of TDP
  with the same error: dropped.)
- Jetson systems are the shipped module platform on a carrier board (regulators, Ethernet, USB,
  storage, fan) behind an external power supply (efficiency 0.85, an assumption from the US DoE
  Level VI limits): the carrier's watts. make_suites.py records it (JETSON_CARRIER_W).

Each value minimizes the squared log error of `power_w` over its calibration cases: the script
runs the built `joulegraph validate-suite` on a temporary suite whose cases carry the candidate
part in `set`, over a grid refined around its best point, and prints the value and the
held-out errors with it. Run from the repository root after building:

    python3 examples/validation/fit_node_overhead.py
"""
import math
import re
import sys

from suite_fit import ROOT, case_id, log_loss, print_errors, run_suite

SUITE = ROOT / "examples/validation/mlperf_inference.toml"
JETSON_PSU_EFFICIENCY = 0.85  # as make_suites.py


def node_of(case):
    m = re.search(r'^platform = \{ accelerator = "([^"]+)", accelerators_per_node = (\d+), host_cpu = "([^"]+)", '
                  r'host_cpus_per_node = (\d+) \}', case, re.M)
    return (m.group(1), int(m.group(2)), m.group(3), int(m.group(4))) if m else None


def is_jetson(case):
    return re.search(r'^platform = "jetson-', case, re.M) is not None


def support_parts(w):
    return (f'"node.parts.accelerator_support.static_power" = "{w:.6g} W", '
            f'"node.parts.accelerator_support.idle_power" = "{w / 2:.6g} W"')


def carrier_parts(w):
    return (f'"node.psu_efficiency" = {JETSON_PSU_EFFICIENCY}, "node.parts.carrier.model" = "board.static", '
            f'"node.parts.carrier.static_power" = "{w:.6g} W", "node.parts.carrier.source" = "fit"')


def with_parts(case, parts):
    case = re.sub(r"^calibration = true\n", "", case, flags=re.M)
    m = re.search(r"^set = \{ (.*) \}\n", case, re.M)
    if m:  # the candidate replaces any fitted value already there
        kept = ", ".join(kv for kv in re.split(r", (?=\")", m.group(1))
                         if not kv.startswith(('"node.psu_efficiency"', '"node.parts.carrier', '"node.parts.accel')))
        return case.replace(m.group(0), f"set = {{ {kept + ', ' if kept else ''}{parts} }}\n")
    return case.replace("\nkind = ", f"\nset = {{ {parts} }}\nkind = ", 1)


def predict(head, cases, parts):
    return run_suite(head, [with_parts(c, parts) for c in cases])


def loss(rows):
    return log_loss(rows, "power_w")


def fit(head, cases, make_parts, grid, what):
    """Best value of `grid` (then refined) for the calibration cases among `cases`."""
    cal = [c for c in cases if "calibration = true" in c]
    if not cal:
        print(f"{what}: no calibration cases")
        return
    cal_ids = {case_id(c) for c in cal}
    best = None
    for w in grid:
        val = loss(predict(head, cal, make_parts(w)))
        if best is None or val < best[0]:
            best = (val, w)
    for step in (grid[1] - grid[0]) / 2, (grid[1] - grid[0]) / 5, (grid[1] - grid[0]) / 25:
        for w in (best[1] - step, best[1] + step):
            if w >= 0:
                val = loss(predict(head, cal, make_parts(w)))
                if val < best[0]:
                    best = (val, w)
    w = float(f"{best[1]:.2g}")
    rows = predict(head, cases, make_parts(w))
    print(f"{what} = {w:g} W ({len(cal)} calibration cases, rms log error of power "
          f"{math.sqrt(best[0] / len(cal)):.3f})")
    print_errors(rows, cal_ids)

def main():
    head, *cases = SUITE.read_text().split("[[case]]")
    fit(head, [c for c in cases if node_of(c)], support_parts, list(range(0, 301, 25)),
        "composed nodes: support per accelerator")
    fit(head, [c for c in cases if is_jetson(c)], carrier_parts, [0, 2, 4, 6, 8, 10, 12, 15, 20],
        "Jetson systems: carrier board")
    return 0


if __name__ == "__main__":
    sys.exit(main())
