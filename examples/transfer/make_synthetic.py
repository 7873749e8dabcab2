#!/usr/bin/python3
"""Writes the SYNTHETIC measured-mode files of this example (see truth_*.toml): joulegraph's own
sweep of a hidden, perturbed AGX Orin, with seeded 3 % log-normal noise on time and power.
No real multi-mode measurements are available to this project; replace these files with your
own (columns: the board's knobs, time_s, avg_power_w) to fit on real data.
Run from the repository root after building: /usr/bin/python3 examples/transfer/make_synthetic.py"""
import csv
import io
import random
import subprocess

KNOBS = ["cpu_cores", "cpu_freq", "gpu_freq", "gpu_tpcs", "emc_freq", "dla_freq"]
for name, seed in [("resnet50", 11), ("bert-base", 12)]:
    out = subprocess.run(["build/joulegraph", "sweep", f"examples/transfer/truth_{name}.toml"],
                         check=True, capture_output=True, text=True).stdout
    rng = random.Random(seed)
    rows = list(csv.DictReader(io.StringIO(out)))
    with open(f"examples/transfer/{name}_modes.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(KNOBS + ["time_s", "avg_power_w"])
        for r in rows:
            t = float(r["time_s"]) * rng.lognormvariate(0, 0.03)
            p = float(r["avg_power_w"]) * rng.lognormvariate(0, 0.03)
            w.writerow([r[k] for k in KNOBS] + [f"{t:.6g}", f"{p:.6g}"])
