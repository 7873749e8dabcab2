# The CI gate (issue 8): an estimate written as JSON, checked against the example budget (JUnit and
# Markdown for the pipeline), and compared with itself (no differences). examples/ci/ has the
# whole pipeline: energy-gate.sh and a GitHub Actions workflow.
joulegraph estimate --hw dgx-a100 --workload examples/ci/model.toml --region USA --format json --out /tmp/joulegraph-example-ci.json
joulegraph check-budget --budget examples/ci/budget.toml /tmp/joulegraph-example-ci.json --junit /tmp/joulegraph-example-ci-junit.xml --markdown /tmp/joulegraph-example-ci.md
joulegraph diff /tmp/joulegraph-example-ci.json /tmp/joulegraph-example-ci.json --tolerance 5%
