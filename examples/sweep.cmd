# What-if studies (issue 7): a seeded sample of the AGX Orin's power modes for a ResNet-50
# training step, the fastest mode under 30 W over the whole mode space, a server sweep over batch
# and power cap, and PowerTrain-style transfer on synthetic measurements (examples/transfer/).
joulegraph sweep examples/sweep/orin_resnet50.toml --out /tmp/joulegraph-example-sweep.csv
joulegraph optimize examples/sweep/orin_resnet50.toml --objective time --max-power 30W
joulegraph optimize examples/sweep/a100_batch_cap.toml --objective energy --deadline 2s --format json
joulegraph transfer examples/transfer/transfer.toml --study --max-modes 10
joulegraph transfer examples/transfer/transfer_no_reference.toml --study --max-modes 10
