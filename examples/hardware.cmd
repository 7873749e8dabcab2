# The hardware library: names, a Jetson's power modes, nodes and reporting boundaries.
joulegraph list platforms
joulegraph describe jetson-agx-orin-64gb
joulegraph describe "NVIDIA A100-SXM-80GB"
joulegraph estimate --hw jetson-agx-orin-64gb --workload examples/edge_detector.toml --set power_mode=15W
joulegraph estimate --hw jetson-agx-orin-64gb --workload examples/edge_detector.toml --set cpu_cores=8,cpu_freq=1.728GHz,gpu_freq=816MHz,emc_freq=3199MHz
joulegraph estimate --hw dgx-a100 --workload demo-cnn-pipeline --boundary wall
joulegraph estimate --hw 4xa100-sxm4-80gb+2xepyc-7763 --workload demo-cnn-pipeline --boundary facility --set node.pue=1.2
joulegraph estimate --hw examples/two_l4_node.toml --workload examples/bert_tiny_pipeline.toml --format json
joulegraph check examples/two_l4_node.toml examples/edge_detector.toml
