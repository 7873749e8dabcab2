# Validation against published measurements (issue 6): each suite's error table and summary.
joulegraph validate-suite examples/validation/training.toml
joulegraph validate-suite examples/validation/specpower.toml
joulegraph validate-suite examples/validation/mlenergy.toml --format json
joulegraph validate-suite examples/validation/mlperf_inference.toml
