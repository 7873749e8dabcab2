#!/usr/bin/env python3
"""Fits a serving engine's host overhead per decode step on calibration cases of mlenergy.toml.

Between two decode steps an LLM serving engine schedules, samples and detokenizes on the host
while the GPUs wait, unless the engine overlaps that work with the next step. The zoo models the
wait as `engine_step_s + engine_seq_s x running sequences` per step (workloads/zoo/zoo.cpp). Both
are properties of the engine version, not of the GPU or the model, so this fits one pair per
ML.ENERGY release on that release's calibration cases:

- v2 (vLLM of mid 2024): the A100-SXM4-40GB rows (TP 1, 4 and 8, batch caps 32-1024); the H100
  rows are held out, a GPU the fit never saw.

It minimizes the sum of squared log errors of tokens_per_s over the calibration cases, by a
coarse-to-fine grid over (engine_step_s, engine_seq_s), running the built `joulegraph
validate-suite` on a temporary suite in which every case of the release carries the candidate
pair in `set`. It prints the pair and the held-out errors with it; make_suites.py records the
values (ENGINE_OVERHEAD) and marks the cases used as `calibration = true`. Run from the
repository root after building:

    python3 examples/validation/fit_engine_overhead.py v2
"""
import math
import re
import sys

from suite_fit import ROOT, case_id, log_loss, print_errors, run_suite

SUITE = ROOT / "examples/validation/mlenergy.toml"


def cases_of(release):
    text = SUITE.read_text()
    head, *cases = text.split("[[case]]")
    keep = [c for c in cases if re.search(rf'^id = "mlenergy-{release}-', c, re.M)]
    return head, keep


def with_overhead(case, step_s, seq_s):
    case = re.sub(r"^set = .*\n", "", case, flags=re.M)
    case = re.sub(r"^calibration = true\n", "", case, flags=re.M)
    return case.replace("\nkind = ", f"\nset = {{ engine_step_s = {step_s!r}, engine_seq_s = {seq_s!r} }}\nkind = ", 1)


def predict(head, cases, step_s, seq_s):
    return run_suite(head, [with_overhead(c, step_s, seq_s) for c in cases])


def loss(rows):
    return log_loss(rows, "tokens_per_s")


def main(argv):
    release = argv[1] if len(argv) > 1 else "v2"
    head, cases = cases_of(release)
    cal_ids = {case_id(c) for c in cases if "calibration = true" in c}
    if not cal_ids:
        print(f"no calibration cases for {release} in {SUITE}")
        return 1
    cal = [c for c in cases if case_id(c) in cal_ids]
    # Coarse-to-fine grid in (step, seq); both start on a log-spaced range that covers engines
    # from fully overlapped to Python-bound.
    step_grid = [0.0] + [10 ** (e / 4) * 1e-4 for e in range(0, 13)]  # 0, 0.1 ms ... 100 ms
    seq_grid = [0.0] + [10 ** (e / 4) * 1e-6 for e in range(0, 17)]  # 0, 1 us ... 10 ms
    best = None
    for step in step_grid:
        for seq in seq_grid:
            l_val = loss(predict(head, cal, step, seq))
            if best is None or l_val < best[0]:
                best = (l_val, step, seq)
    _, step, seq = best
    for _ in range(3):  # refine around the best point
        for s in [step * f for f in (0.7, 0.85, 1, 1.15, 1.3)] or [0.0]:
            for q in [seq * f for f in (0.7, 0.85, 1, 1.15, 1.3)] or [0.0]:
                l_val = loss(predict(head, cal, s, q))
                if l_val < best[0]:
                    best = (l_val, s, q)
        _, step, seq = best
    step, seq = float(f"{step:.3g}"), float(f"{seq:.3g}")
    rows = predict(head, cases, step, seq)
    print(f"{release}: engine_step_s = {step:g}, engine_seq_s = {seq:g} "
          f"({len(cal)} calibration cases, rms log error {math.sqrt(best[0] / len(cal)):.3f})")
    print_errors(rows, cal_ids)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
