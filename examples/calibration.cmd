# Calibration against meters (issue 5).
joulegraph calibrate --hw dgx-h100 --trace calib/data/groundtruth/traces/h100_gpt_training_nvsmi_trace_100stepsync.csv --levels 4
joulegraph calibrate --hw dgx-h100 --trace tests/data/traces/nvidia_smi_units.csv --levels 2 --window 0.2
joulegraph calibrate --groundtruth calib/data/groundtruth
