# Calibration against meters (issue 5).
# A synthetic trace made with known factors (1.3, 0.7, 1.1, 1.2, 0.9) on the tests' accelerator: the fit finds them.
joulegraph calibrate --hw tests/data/calib/calib_golden.toml --workload tests/data/calib/mix.toml --trace tests/data/calib/mix_trace.csv --markers tests/data/calib/mix_markers.csv --out /tmp/joulegraph-example-calibration.toml
joulegraph estimate --hw tests/data/calib/calib_golden.toml --workload tests/data/calib/mix.toml --calibration /tmp/joulegraph-example-calibration.toml --format json
# The 8-GPU H100 training trace: power levels and the GPUs' idle power.
joulegraph calibrate --hw dgx-h100 --trace calib/data/groundtruth/traces/h100_gpt_training_nvsmi_trace_100stepsync.csv --levels 4
joulegraph calibrate --hw dgx-h100 --trace tests/data/traces/nvidia_smi_units.csv --levels 2 --window 0.2
# The fitters' held-out errors on published measurements (the README's table).
joulegraph calibrate --groundtruth calib/data/groundtruth
