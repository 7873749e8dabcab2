# The built-in demo, then the example platform and workload in every format.
joulegraph
joulegraph estimate --hw examples/a100_node_150w.toml --workload examples/bert_tiny_pipeline.toml
joulegraph estimate --hw demo-a100-node --workload examples/bert_tiny_pipeline.toml --set batch=32 --format json
joulegraph estimate --hw examples/a100_node_150w.toml --workload demo-cnn-pipeline --format csv
joulegraph check examples/a100_node_150w.toml examples/bert_tiny_pipeline.toml
joulegraph describe pe.array
joulegraph list
