#!/usr/bin/env python3
"""Fits the per-layer fixed time of TensorRT on a Jetson GPU from measured layer runtimes.

The only kernel-level timings in the ground truth are the 53 batch-1 TensorRT convolution layers
of MobileNetV2 on a Jetson Orin Nano (../shared/data/groundtruth/edge/
orin_nano_trt_mobilenetv2_layer_conv.csv, runtime in ms from TensorRT's IProfiler). Small layers
there take ~17 us however little they compute: launch, fill and drain of each kernel. This fits
runtime = t0 + bytes / bandwidth (least squares, both coefficients non-negative; bytes = input +
output activations at 2 bytes per value) and prints t0, the effective bandwidth and the line's
error. The Jetson GPU devices' `launch_overhead` (hwmodels/library/jetson-*.toml) is this t0;
none of the MLPerf or ML.ENERGY cases enters the fit. Run from the repository root:

    python3 examples/validation/fit_jetson_layer_time.py [GROUNDTRUTH_DIR]  # default: calib/data/groundtruth
"""
import csv
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "calib" / "data" / "groundtruth"  # the repository copy of ../shared/data/groundtruth


def fit_line(xs, ys):
    """Least squares y = a + b x with a, b >= 0 (a clamped fit when the free one goes negative)."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx > 0 else 0.0
    a = my - b * mx
    if b < 0:
        return my, 0.0
    if a < 0:
        return 0.0, sum(x * y for x, y in zip(xs, ys)) / sum(x * x for x in xs)
    return a, b


def main():
    base = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    path = base / "edge" / "orin_nano_trt_mobilenetv2_layer_conv.csv"
    rows = list(csv.DictReader(path.open()))
    mbytes, ms = [], []
    for r in rows:
        c_in, h_in = float(r["input_size_0"]), float(r["input_size_1"])
        c_out, h_out = float(r["output_size_0"]), float(r["output_size_1"])
        mbytes.append((c_in * h_in * h_in + c_out * h_out * h_out) * 2 / 1e6)
        ms.append(float(r["runtime"]))
    t0_ms, ms_per_mb = fit_line(mbytes, ms)
    pred = [t0_ms + ms_per_mb * x for x in mbytes]
    mape = 100 * statistics.fmean(abs(p - y) / y for p, y in zip(pred, ms))
    print(f"{path.name}: {len(rows)} layers, batch 1")
    print(f"  runtime: min {min(ms) * 1e3:.1f} us, median {statistics.median(ms) * 1e3:.1f} us")
    print(f"  fit: t0 = {t0_ms * 1e3:.1f} us per layer, bandwidth = {1 / ms_per_mb:.1f} GB/s, MAPE {mape:.1f} %")


if __name__ == "__main__":
    main()
