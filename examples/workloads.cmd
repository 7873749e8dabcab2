# Zoo models, pipelines and ONNX import (issue 4).
joulegraph estimate --hw h100-sxm5-80gb --workload llama2-7b --set requests=64,batch=16 --by group
joulegraph estimate --hw dgx-a100 --workload resnet50 --set mode=train,batch=256,steps=20
joulegraph estimate --hw dgx-h100 --workload llama3.1-70b --set mode=train,batch=64,steps=2,data_parallel=2,tensor_parallel=4,recompute=1 --format json
joulegraph estimate --hw dgx-h100 --workload llama2-70b --set mode=train,nodes=4,data_parallel=4,tensor_parallel=8,batch=256,seq=4096,steps=10
joulegraph estimate --hw dgx-a100 --workload resnet50 --set mode=train,batch=256,steps=20,workers=4
joulegraph estimate --hw jetson-agx-orin-64gb --workload mobilenetv2 --set batch=8 --by op --top 5
joulegraph estimate --hw a100-sxm4-80gb --workload tests/data/onnx/resnet18.onnx --set batch=32
joulegraph describe mixtral-8x7b
joulegraph list workloads
