# Operational carbon (issue 8): a country's annual average with a PUE, and a real hourly series
# (Electricity Maps, Spain, 2022-01-01/02; examples/carbon/README.md) with the least-emitting start.
joulegraph estimate --region FRA --pue 1.1
joulegraph estimate --intensity-series examples/carbon/electricitymaps_sample.csv --window 2022-01-01T00:00Z/2022-01-02T12:00Z
joulegraph list regions
